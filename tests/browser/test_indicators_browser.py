"""The analyst's indicators month by month in the browser: from the home page to the 12 months,
a month and an indicator chosen in the GOV.UK boxes and select, the chart (an image with a name)
beside its table, a bad month in the error summary; each page passes axe. The administrator's
audit log filter takes its dates in the same boxes."""

from __future__ import annotations

from tests.browser.helpers import axe_check


def test_the_analyst_charts_an_indicator_month_by_month(page, live_server, sign_in):
    from playwright.sync_api import expect

    sign_in(page, "analyst@example.org")
    page.get_by_role("link", name="Indicators month by month").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Indicators month by month")
    assert axe_check(page) == [], page.url
    headers = page.locator("#section-1 thead th")
    expect(headers).to_have_count(13)  # the indicator, then 12 months

    page.get_by_role("group", name="Month ending").get_by_label("Month").fill("3")
    page.get_by_role("group", name="Month ending").get_by_label("Year").fill("2023")
    page.get_by_label("Indicator in the chart").select_option("reviews.held")
    page.get_by_role("button", name="Show months").click()
    expect(headers.nth(1)).to_have_text("April 2022")
    expect(headers.nth(12)).to_have_text("March 2023")
    chart = page.get_by_role("img", name="Reviews held, month by month, April 2022 to March 2023")
    expect(chart).to_be_visible()
    values = page.locator("#chart .tracker-chart__value").all_text_contents()
    assert values == page.locator("#chart-table tbody td:nth-child(2)").all_inner_texts()
    assert axe_check(page) == [], page.url

    page.get_by_role("group", name="Month ending").get_by_label("Month").fill("13")
    page.get_by_role("button", name="Show months").click()
    summary = page.locator(".govuk-error-summary")
    expect(summary).to_contain_text("Month ending must be a real month, for example 3 2023")
    assert axe_check(page) == [], page.url


def test_the_audit_log_filters_by_date_boxes(page, live_server, sign_in):
    from playwright.sync_api import expect

    sign_in(page, "admin@example.org")
    page.goto(live_server("/admin/audit"))
    start = page.get_by_role("group", name="From (optional)")
    start.get_by_label("Day").fill("31")
    start.get_by_label("Month").fill("2")
    start.get_by_label("Year").fill("2024")
    page.get_by_role("button", name="Filter").click()
    expect(page.locator(".govuk-error-summary")).to_contain_text("From must be a real date, for example 27 3 2023")
    assert axe_check(page) == [], page.url
    start.get_by_label("Day").fill("1")
    page.get_by_role("button", name="Filter").click()
    expect(page.locator(".govuk-error-summary")).to_have_count(0)
    expect(page.locator("#audit-log tbody tr").first).to_be_visible()
    assert axe_check(page) == [], page.url
