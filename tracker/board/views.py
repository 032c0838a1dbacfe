"""The board's pages (domain.md §8, kpis.md §6–7). Thin: each loads, checks, calls
``tracker.board.scorecard`` / ``annual`` / ``pack`` / ``operations`` and renders."""

from __future__ import annotations

import datetime as dt
import functools
import json
import re
from dataclasses import dataclass

from flask import Blueprint, Response, abort, flash, redirect, render_template, request, url_for
from flask_login import current_user
from sqlalchemy import select
from wtforms.fields.choices import SelectChoice

from tracker.board import annual, display, operations, pack, suppression
from tracker.board.chart import target_text, trend_chart
from tracker.board.forms import (
    ButtonForm,
    CommentaryForm,
    DeleteForm,
    MonthForm,
    NewRowForm,
    NewSectionForm,
    RefreezeForm,
    RowForm,
    SectionForm,
    YearForm,
    default_month,
    number_text,
    parse_month,
    row_data,
    this_year,
)
from tracker.board.models import FrozenMonth, ScorecardRow, ScorecardSection, SectionCommentary
from tracker.board.printing import render_print
from tracker.board.scorecard import build, freeze_day, last_of
from tracker.board.scorecard import trend as scorecard_trend
from tracker.core import checks, kpis, permissions
from tracker.core.clock import today
from tracker.core.permissions import require
from tracker.extensions import db
from tracker.formatters import format_month
from tracker.indicators.views import may_drill, period_args
from tracker.web.downloads import FORMATS, Column, download_links, requested_format, send_file, send_table
from tracker.web.forms import submit
from tracker.web.records import load_or_404

bp = Blueprint("board", __name__, url_prefix="/board")


# --- the scorecard, its trends and commentary (helper A) -------------------------------------


def _month_picked() -> tuple[MonthForm, dt.date]:
    """The month asked for (``?month=YYYY-MM``), or the last complete month with the form's error
    when what was asked is not a month the scorecard can show."""
    form = MonthForm(request.args)
    valid = form.validate()
    month = form.chosen() if valid else default_month()
    if not form.month.errors and form.month.data is None:  # blank: the boxes show the month shown
        form.month.raw_data, form.month.data = None, month
    return form, month


def _drillable(user):
    return functools.cache(lambda indicator: may_drill(user, indicator))


@bp.route("/")
@require("board.view")
def scorecard():
    """The scorecard: each section's rows over the six months ending with the month chosen, the
    frozen months read from their snapshots and the others live (provisional)."""
    form, month = _month_picked()
    user = current_user._get_current_object()
    suppress = suppression.applies(user)
    card = build(month, today())
    cols = display.columns(card)
    args = {"month": f"{month:%Y-%m}"}
    return render_template(
        "board/scorecard.html",
        form=form,
        card=card,
        month=month,
        columns=cols,
        frozen_notes=display.frozen_notes(cols),
        provisional=[c for c in cols if c.provisional],
        blocks=display.shown_blocks(card, suppress, _drillable(user)),
        suppress=suppress,
        legend=suppression.LEGEND,
        may_comment=permissions.can(user, "board.commentary"),
        may_configure=permissions.can(user, "admin.board"),
        args=args,
        annual=[(annual.REPORTS[k], url_for(e)) for k, e in ANNUAL_PAGES.items()],
        downloads=pack_links(month),
    )


@bp.route("/rows/<int:row_id>")
@require("board.view")
def trend(row_id: int):
    """One row's 12-month trend: the bar chart with the target line, and the same figures as a
    table."""
    row = load_or_404(ScorecardRow, id=row_id)
    form, month = _month_picked()
    user = current_user._get_current_object()
    suppress = suppression.applies(user)
    line = scorecard_trend(row, month, today())
    shown = display.shown_line(line, suppress, _drillable(user))
    return render_template(
        "board/trend.html",
        form=form,
        row=row,
        line=line,
        month=month,
        shown=shown,
        months=[(v.month, display.month_header(v.month, v.provisional, v.to_date)) for v in line.values],
        chart=trend_chart(line, suppress),
        target=target_text(line),
        suppress=suppress,
        legend=suppression.LEGEND,
        args={"month": f"{month:%Y-%m}"},
    )


@bp.route("/sections/<int:section_id>/commentary", methods=["GET", "POST"])
@require("board.commentary")
def commentary(section_id: int):
    """Write or change a section's commentary on a month's scorecard."""
    section = load_or_404(ScorecardSection, id=section_id)
    asked = (request.args.get("month") or "").strip()
    month = parse_month(asked) if asked else default_month()
    if month is None:
        abort(400)  # the scorecard's links always carry a month; a made-up one is not a page
    note = db.session.scalar(
        select(SectionCommentary).where(SectionCommentary.section_id == section.id, SectionCommentary.month == month)
    )
    form = CommentaryForm(obj=note) if request.method == "GET" else CommentaryForm()
    back = url_for("board.scorecard", month=f"{month:%Y-%m}")

    def save():
        return operations.save_commentary(
            section, month, form.text.data, user=current_user._get_current_object(), version=form.version.data
        )

    if done := submit(form, save, record=note, default_field="text"):
        flash(f"Commentary on {section.title} for {format_month(done.result.month)} saved.", "success")
        return redirect(back)
    if month > today().replace(day=1) and not form.text.errors:
        form.text.errors = [
            *form.text.errors,
            f"{format_month(month)} has not begun: commentary can be written for this month or earlier.",
        ]
    verb = "Change" if note is not None else "Add"
    return render_template(
        "form_page.html",
        form=form,
        title=f"{verb} commentary on {section.title}",
        caption=f"Scorecard for {format_month(month)}",
        back=back,
    )


@bp.route("/print")
@require("board.view")
def print_view():
    """The scorecard as one printable page (its own layout: no navigation, buttons or forms)."""
    form, month = _month_picked()
    if form.month.errors:
        abort(400)
    return render_print(month, today(), suppression.applies(current_user))


# --- configuration and frozen months (admin; helper A) --------------------------------------


CONFIGURE_HELP = (
    "Changing, moving, adding or deleting a row changes the scorecard from now on, and the live months "
    "it shows. It never changes a frozen month's values: a frozen month keeps every indicator's figures "
    "as they were when it was frozen, whatever the rows say."
)
ROW_FORM_FIELDS = ("label", "unit", "good_is", "england", "good_sn", "target", "tolerance")


def _configure_url(anchor: str | None = None) -> str:
    return url_for("board.configure") + (f"#{anchor}" if anchor else "")


def _configure_page(button: ButtonForm | None = None):
    """The scorecard's configuration; ``button`` a refused move's form (its message shown)."""
    shown = operations.sections()
    return render_template(
        "board/configure.html",
        sections=shown,
        indicators={ind.id: ind for ind in kpis.indicators()},
        button=button or ButtonForm(),
        form=button if button is not None and button.errors else None,
        help=CONFIGURE_HELP,
        available=len(_indicator_choices()),
        number_text=number_text,
    )


@bp.route("/configure")
@require("admin.board")
def configure():
    return _configure_page()


@bp.route("/configure/sections/new", methods=["GET", "POST"])
@require("admin.board")
def new_section():
    form = NewSectionForm()
    if done := submit(form, lambda: operations.add_section(form.title.data)):
        flash(f"Section {done.result.title} added at the end of the scorecard.", "success")
        return redirect(_configure_url(f"section-{done.result.id}"))
    return render_template("form_page.html", form=form, title="Add a section", back=_configure_url())


@bp.route("/configure/sections/<int:section_id>/edit", methods=["GET", "POST"])
@require("admin.board")
def edit_section(section_id: int):
    section = load_or_404(ScorecardSection, id=section_id)
    form = SectionForm(obj=section)
    if done := submit(form, lambda: operations.rename_section(section, form.title.data), record=section):
        if done.result:
            flash(f"Section renamed {section.title}.", "success")
        else:
            flash("No changes to save.", "info")
        return redirect(_configure_url(f"section-{section.id}"))
    return render_template(
        "form_page.html", form=form, title="Rename the section", caption=section.title, back=_configure_url()
    )


@bp.route("/configure/sections/<int:section_id>/move/<any(up, down):direction>", methods=["POST"])
@require("admin.board")
def move_section(section_id: int, direction: str):
    section = load_or_404(ScorecardSection, id=section_id)
    form = ButtonForm()
    done = submit(form, lambda: operations.move_section(section, direction))
    if not done:
        return _configure_page(form)
    if done.result:
        flash(f"Section {section.title} moved {direction}.", "success")
    else:
        flash(f"Section {section.title} is {'first' if direction == 'up' else 'last'} already.", "info")
    return redirect(_configure_url(f"section-{section.id}"))


@bp.route("/configure/sections/<int:section_id>/delete", methods=["GET", "POST"])
@require("admin.board")
def delete_section(section_id: int):
    section = load_or_404(ScorecardSection, id=section_id)
    form = DeleteForm()
    title, rows = section.title, len(section.rows)
    commentaries = operations.section_commentary_count(section)
    if submit(form, lambda: operations.delete_section(section), record=section):
        flash(f"Section {title} deleted with its {_rows(rows)}.", "success")
        return redirect(_configure_url())
    return render_template(
        "board/configure_delete.html",
        form=form,
        title=f"Delete the section {title}?",
        back=_configure_url(f"section-{section.id}"),
        what=f"The section and its {_rows(rows)} will be taken off the scorecard.",
        extra=(
            f"The managers' commentary on it ({commentaries} {'month' if commentaries == 1 else 'months'}) "
            "will be deleted too."
            if commentaries
            else None
        ),
    )


def _rows(count: int) -> str:
    return f"{count} {'row' if count == 1 else 'rows'}"


def _indicator_choices(current: str | None = None) -> list:
    """Every registered indicator not on the scorecard yet, as "Section: title"."""
    used = operations.used_indicators() - {current}
    return [
        SelectChoice(ind.id, f"{ind.section}: {ind.title}")
        for ind in sorted(kpis.indicators(), key=lambda i: (i.section, i.title))
        if ind.id not in used
    ]


@bp.route("/configure/sections/<int:section_id>/rows/new", methods=["GET", "POST"])
@require("admin.board")
def new_row(section_id: int):
    section = load_or_404(ScorecardSection, id=section_id)
    form = NewRowForm()
    form.indicator_id.choices = [SelectChoice("", "Select an indicator"), *_indicator_choices()]
    form.indicator_id.validate_choice = False  # one taken meanwhile: the operation says so, on the field
    if done := submit(
        form,
        lambda: operations.add_row(section, form.indicator_id.data, **form.settings()),
        default_field="indicator_id",
    ):
        flash(f"{operations.row_label(done.result)} added to {section.title}.", "success")
        return redirect(_configure_url(f"row-{done.result.id}"))
    return render_template(
        "board/configure_row.html",
        form=form,
        title="Add a row",
        caption=section.title,
        back=_configure_url(f"section-{section.id}"),
        indicator=None,
        fields=("indicator_id", *ROW_FORM_FIELDS),
    )


@bp.route("/configure/rows/<int:row_id>/edit", methods=["GET", "POST"])
@require("admin.board")
def edit_row(row_id: int):
    row = load_or_404(ScorecardRow, id=row_id)
    form = RowForm(data=row_data(row))
    if done := submit(form, lambda: operations.update_row(row, **form.settings()), record=row):
        if done.result:
            flash(f"Row {operations.row_label(row)} saved.", "success")
        else:
            flash("No changes to save.", "info")
        return redirect(_configure_url(f"row-{row.id}"))
    return render_template(
        "board/configure_row.html",
        form=form,
        title=f"Change the row {operations.row_label(row)}",
        caption=row.section.title,
        back=_configure_url(f"row-{row.id}"),
        indicator=operations.indicator_or_none(row.indicator_id),
        indicator_id=row.indicator_id,
        fields=ROW_FORM_FIELDS,
    )


@bp.route("/configure/rows/<int:row_id>/move/<any(up, down):direction>", methods=["POST"])
@require("admin.board")
def move_row(row_id: int, direction: str):
    row = load_or_404(ScorecardRow, id=row_id)
    form = ButtonForm()
    done = submit(form, lambda: operations.move_row(row, direction))
    if not done:
        return _configure_page(form)
    label = operations.row_label(row)
    if done.result:
        flash(f"Row {label} moved {direction}.", "success")
    else:
        flash(f"Row {label} is {'first' if direction == 'up' else 'last'} in its section already.", "info")
    return redirect(_configure_url(f"row-{row.id}"))


@bp.route("/configure/rows/<int:row_id>/delete", methods=["GET", "POST"])
@require("admin.board")
def delete_row(row_id: int):
    row = load_or_404(ScorecardRow, id=row_id)
    form = DeleteForm()
    label, section = operations.row_label(row), row.section
    if submit(form, lambda: operations.delete_row(row), record=row):
        flash(f"Row {label} deleted from {section.title}.", "success")
        return redirect(_configure_url(f"section-{section.id}"))
    return render_template(
        "board/configure_delete.html",
        form=form,
        title=f"Delete the row {label}?",
        back=_configure_url(f"row-{row.id}"),
        what=f"The row will be taken off the section {section.title}. The indicator can be added again later.",
        extra=None,
    )


# --- frozen months ----------------------------------------------------------------------------

MONTHS_SHOWN = 24
_YEAR_MONTH = re.compile(r"[0-9]{4}-[0-9]{2}")


def _month_or_404(text: str) -> dt.date:
    """A ``YYYY-MM`` of the URL: a month from the calendar's first to this one, else 404."""
    month = parse_month(text) if _YEAR_MONTH.fullmatch(text) else None
    if month is None or not checks.FIRST_DATE <= month <= today().replace(day=1):
        abort(404)
    return month


@dataclass(frozen=True)
class MonthState:
    month: dt.date
    key: str  # YYYY-MM
    frozen: FrozenMonth | None
    over: bool
    freeze_day: dt.date


def _month_states() -> list[MonthState]:
    """The last ``MONTHS_SHOWN`` months, newest (this month) first."""
    latest = today().replace(day=1)
    shown = [latest]
    for _ in range(MONTHS_SHOWN - 1):
        shown.append((shown[-1] - dt.timedelta(days=1)).replace(day=1))
    frozen = {
        f.month: f
        for f in db.session.scalars(select(FrozenMonth).where(FrozenMonth.month.between(shown[-1], shown[0])))
    }
    return [
        MonthState(m, f"{m:%Y-%m}", frozen.get(m), last_of(m) < today(), freeze_day(m))
        for m in shown
        if m >= checks.FIRST_DATE
    ]


def _months_page(form: ButtonForm | None = None):
    return render_template(
        "board/months.html",
        states=_month_states(),
        today=today(),
        button=ButtonForm(),
        form=form if form and form.errors else None,
    )


@bp.route("/months")
@require("admin.board")
def months():
    return _months_page()


@bp.route("/months/<month>/freeze", methods=["POST"])
@require("admin.board")
def freeze(month: str):
    first = _month_or_404(month)
    form = ButtonForm()
    if submit(form, lambda: operations.freeze_month(first, user=current_user._get_current_object())):
        flash(f"{format_month(first)} is frozen: its figures will not change.", "success")
        return redirect(url_for("board.months") + f"#month-{month}")
    form.submit.id = f"month-{month}"  # the error summary leads to the month's line
    return _months_page(form)


@bp.route("/months/<month>/refreeze", methods=["GET", "POST"])
@require("admin.board")
def refreeze(month: str):
    first = _month_or_404(month)
    frozen = operations.frozen_month(first)
    form = RefreezeForm()
    if frozen is not None and (
        submit(
            form, lambda: operations.refreeze_month(first, form.reason.data, user=current_user._get_current_object())
        )
    ):
        flash(f"{format_month(first)} is re-frozen from the records as they are now.", "success")
        return redirect(url_for("board.months") + f"#month-{month}")
    return render_template(
        "board/months_refreeze.html",
        form=form,
        frozen=frozen,
        month=first,
        title=f"Re-freeze {format_month(first)}",
        back=url_for("board.months") + f"#month-{month}",
    )


# --- annual report tables (helper B) ---------------------------------------------------------


@dataclass(frozen=True)
class ShownCell:
    """A cell as the page shows it: its text (suppressed for board members) and, for the roles
    allowed, the link to the records behind it."""

    text: str
    href: str | None = None


# The annual tables' downloads: the CSV of every cell, and the workbook of the tables (the board
# pack's annual sheet, ``pack.annual_xlsx``).
ANNUAL_FORMATS = ("csv", "xlsx")
ANNUAL_PAGES = {"iro": "board.annual_iro", "lado": "board.annual_lado", "panel": "board.annual_panel"}


def _shown(c: annual.Cell, suppress: bool, drillable) -> ShownCell:
    text = suppression.text(
        c.unit, c.value, c.numerator, c.denominator, describes_people=c.describes_people, suppress=suppress
    )
    if not (c.indicator_id and c.period and c.value and drillable(c.indicator_id)):
        return ShownCell(text)
    args = period_args(c.period)
    return ShownCell(text, url_for("kpis.drill", indicator_id=c.indicator_id, part=c.part, **args))


def _csv_columns(suppress: bool) -> list[Column]:
    """The whole report as one list: table, row, column, unit and the value (a number, or the
    small-number mark for a board member)."""

    def value(flat: annual.FlatCell):
        c = flat.cell
        return suppression.export_value(
            c.unit, c.value, c.numerator, c.denominator, describes_people=c.describes_people, suppress=suppress
        )

    return [
        Column("Table", lambda flat: flat.table),
        Column("Row", lambda flat: flat.row),
        Column("Column", lambda flat: flat.column),
        Column("Unit", lambda flat: flat.cell.unit),
        Column("Value", value),
    ]


def annual_tables(key: str):
    """The annual report tables of ``key`` for the financial year asked for (``?year=2022``)."""
    fmt = requested_format()
    form = YearForm(request.args)
    valid = form.validate()
    if fmt and (not valid or fmt not in ANNUAL_FORMATS):
        abort(400)
    year = form.chosen() if valid else this_year()
    report = annual.build(key, *kpis.financial_year(dt.date(year, 4, 1)))
    user = current_user._get_current_object()
    suppress = suppression.applies(user)
    if fmt == "xlsx":
        return _annual_workbook(report, key, year, suppress)
    if fmt:
        return send_table(
            fmt,
            title=f"{report.title} tables {report.label}",
            filename=f"{key}-annual-report-tables-{year}",
            columns=_csv_columns(suppress),
            rows=annual.flatten(report),
        )
    drillable = functools.cache(lambda ind_id: may_drill(user, kpis.get(ind_id)))
    if form.year.data is None and not form.year.errors:  # blank: the box shows the year shown
        form.year.raw_data, form.year.data = None, year
    args = {"year": str(year)}
    return render_template(
        "board/annual.html",
        form=form,
        report=report,
        heading=f"{report.title} tables {report.label}",
        tables=[(t, [[_shown(c, suppress, drillable) for c in row.cells] for row in t.rows]) for t in report.tables],
        suppress=suppress,
        legend=suppression.LEGEND,
        others=[(annual.REPORTS[k], url_for(e, **args)) for k, e in ANNUAL_PAGES.items() if k != key],
        endpoint=ANNUAL_PAGES[key],
        downloads=[link for link in download_links(ANNUAL_PAGES[key], args) if link["format"] in ANNUAL_FORMATS],
    )


def _annual_workbook(report: annual.Report, key: str, year: int, suppress: bool) -> Response:
    """The report's tables as a workbook, laid out as the page (audited as every download)."""
    return send_file(
        "xlsx",
        pack.annual_xlsx(report, suppress),
        title=f"{report.title} tables {report.label}",
        filename=f"{key}-annual-report-tables-{year}-{today().isoformat()}",
        mimetype=FORMATS["xlsx"],
        suppressed=suppress,
    )


@bp.route("/annual/iro")
@require("board.view")
def annual_iro():
    return annual_tables("iro")


@bp.route("/annual/lado")
@require("board.view")
def annual_lado():
    return annual_tables("lado")


@bp.route("/annual/panel")
@require("board.view")
def annual_panel():
    return annual_tables("panel")


# --- the board pack: XLSX, JSON and the print view (helper C) --------------------------------

PACK_FORMATS = {"json": "JSON", "xlsx": "XLSX (Excel)"}


def pack_links(month: dt.date) -> list[dict]:
    """The board pack's downloads for ``month``, in the shape of ``download_links`` (so a page
    renders them with the same macro): the workbook and the JSON."""
    return [
        {
            "format": fmt,
            "text": f"Download the board pack ({label})",
            "href": url_for("board.pack", fmt=fmt, month=f"{month:%Y-%m}"),
        }
        for fmt, label in (("xlsx", PACK_FORMATS["xlsx"]), ("json", PACK_FORMATS["json"]))
    ]


def _bad_request(message: str):
    return render_template("errors/400.html", reason=message), 400


@bp.route("/pack.<fmt>", endpoint="pack")
@require("board.view")
def pack_download(fmt: str):
    """The board pack of ``?month=YYYY-MM`` (blank: the last complete month) as XLSX or JSON,
    suppressed for board members as their pages are; audited as every download is."""
    if fmt not in PACK_FORMATS:
        abort(404)
    form = MonthForm(request.args)
    if not form.validate():
        return _bad_request(" ".join(form.month.errors))
    month = form.chosen()
    suppress = suppression.applies(current_user._get_current_object())
    card = build(month, today())
    if fmt == "json":
        body, mimetype = json.dumps(pack.document(card, suppress), indent=1), "application/json"
    else:
        body, mimetype = pack.xlsx(card, suppress), FORMATS["xlsx"]
    name = pack.filename(card, fmt).removesuffix(f".{fmt}")
    return send_file(
        fmt, body, title=f"Board pack {month:%B %Y}", filename=name, mimetype=mimetype, suppressed=suppress
    )
