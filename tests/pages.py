"""Pages as a user sees them: the HTML parsed with BeautifulSoup (as notifications-admin's
``client_request``), with the questions tests ask of a GOV.UK page. Assert on what is shown
— headings, error summaries, field errors, table cells, links, tags — never on raw substrings
of the HTML (a CSRF token or an attribute can contain anything)."""

from __future__ import annotations

import re

from bs4 import BeautifulSoup


def normalise(text: str) -> str:
    return re.sub(r"\s+", " ", text or "").strip()


class Page:
    def __init__(self, response):
        self.response = response
        self.status = response.status_code
        self.soup = BeautifulSoup(response.get_data(as_text=True), "html.parser")

    # --- the whole page ------------------------------------------------------------------

    @property
    def text(self) -> str:
        """The visible text of the main content (not the header, navigation or footer)."""
        main = self.soup.select_one("main") or self.soup
        return normalise(main.get_text(" "))

    @property
    def title(self) -> str:
        return normalise(self.soup.title.get_text()) if self.soup.title else ""

    @property
    def h1(self) -> str:
        h1 = self.soup.select_one("h1")
        return normalise(h1.get_text(" ")) if h1 else ""

    def select(self, selector: str):
        return self.soup.select(selector)

    def one(self, selector: str):
        found = self.soup.select(selector)
        assert len(found) == 1, f"{len(found)} elements match {selector!r}"
        return found[0]

    def text_of(self, selector: str) -> str:
        return normalise(self.one(selector).get_text(" "))

    def texts(self, selector: str) -> list[str]:
        return [normalise(e.get_text(" ")) for e in self.soup.select(selector)]

    # --- GOV.UK components ---------------------------------------------------------------

    @property
    def errors(self) -> list[str]:
        """The messages in the error summary (empty when there is none)."""
        return self.texts(".govuk-error-summary__list li")

    def field_error(self, field_id: str) -> str:
        """The error message shown with a field (by the field's id, or its fieldset's)."""
        field = self.soup.find(id=field_id)
        assert field is not None, f"no element with id {field_id!r}"
        group = field.find_parent(class_="govuk-form-group")
        message = group.select_one(".govuk-error-message") if group else None
        return normalise(message.get_text(" ")).removeprefix("Error: ") if message else ""

    def value(self, field_id: str) -> str | None:
        field = self.soup.find(id=field_id)
        assert field is not None, f"no element with id {field_id!r}"
        return field.get("value") if field.name == "input" else normalise(field.get_text())

    @property
    def banner(self) -> str:
        """The notification banner's text (a flash message)."""
        banner = self.soup.select_one(".govuk-notification-banner")
        return normalise(banner.get_text(" ")) if banner else ""

    @property
    def tags(self) -> list[str]:
        return self.texts("main .govuk-tag")

    def summary(self) -> dict[str, str]:
        """The first summary list: key → value."""
        rows = {}
        for row in self.soup.select(".govuk-summary-list__row"):
            key = row.select_one(".govuk-summary-list__key")
            value = row.select_one(".govuk-summary-list__value")
            if key is not None:
                rows[normalise(key.get_text(" "))] = normalise(value.get_text(" ")) if value else ""
        return rows

    def table(self, selector: str = "table") -> list[list[str]]:
        """The body rows of a table, each a list of cell texts (headers of rows included)."""
        table = self.one(selector)
        return [[normalise(cell.get_text(" ")) for cell in row.select("th, td")] for row in table.select("tbody tr")]

    def _scope(self, selector: str):
        scope = self.soup.select_one(selector)
        assert scope is not None, f"nothing matches {selector!r}"
        return scope

    def links(self, selector: str = "main") -> dict[str, str]:
        """Link text → href in a part of the page (the main content by default)."""
        scope = self._scope(selector)
        return {normalise(a.get_text(" ")): a.get("href") for a in scope.select("a[href]")}

    def hrefs(self, selector: str = "main") -> list[str]:
        scope = self._scope(selector)
        return [a.get("href") for a in scope.select("a[href]")]

    def deadlines(self) -> set[tuple[str, str, str, str]]:
        """Every deadline shown with the ``deadline`` macro: (kind, ref, due date, state)."""
        shown = set()
        for span in self.soup.select("[data-due-kind]"):
            tag = span.find_next_sibling(attrs={"data-due-state": True})
            shown.add(
                (
                    span["data-due-kind"],
                    span["data-due-ref"],
                    span["data-due-date"],
                    tag["data-due-state"] if tag else "",
                )
            )
        return shown

    def __repr__(self) -> str:
        return f"<Page {self.status} {self.title!r}>"
