"""Pages of a list: counted and sliced in the database, linked the GOV.UK way.

``paginate(query, page, per_page)`` runs one COUNT and one LIMIT/OFFSET query (cost grows
with the page asked for, not with the table); a page number past the end gives the last page.
``links(page, endpoint, **args)`` returns the parameters of ``govukPagination``.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

from flask import request, url_for
from sqlalchemy import Select, func, select

from tracker.extensions import db


@dataclass
class Page:
    items: list[Any]
    total: int
    page: int
    per_page: int

    @property
    def rows(self) -> list[Any]:
        return self.items

    @property
    def pages(self) -> int:
        return max(1, math.ceil(self.total / self.per_page))

    @property
    def first_index(self) -> int:
        return 0 if not self.total else (self.page - 1) * self.per_page + 1

    @property
    def last_index(self) -> int:
        return min(self.total, self.page * self.per_page)


def page_number() -> int:
    """The ``page`` query argument (1 when absent or not a number)."""
    try:
        return max(1, int(request.args.get("page", 1)))
    except ValueError:
        return 1


def clamp(page: int, total: int, per_page: int) -> int:
    """Past the last page means the last page."""
    return max(1, min(page, max(1, math.ceil(total / per_page))))


def paginate(query: Select, page: int, per_page: int, scalars: bool = True) -> Page:
    total = db.session.scalar(select(func.count()).select_from(query.order_by(None).subquery()))
    page = clamp(page, total, per_page)
    limited = query.limit(per_page).offset((page - 1) * per_page)
    items = list(db.session.scalars(limited) if scalars else db.session.execute(limited))
    return Page(items, total, page, per_page)


def paginate_rows(query: Select, page: int, per_page: int) -> Page:
    """``paginate`` for a query of rows, in one pass: the total comes with the page's rows
    (``count(*) OVER ()``) instead of a second evaluation of the query — for a query that is
    costly to evaluate (the worklist's union). A page past the end falls back to ``paginate``."""
    counted = query.add_columns(func.count().over().label("_total"))
    rows = list(db.session.execute(counted.limit(per_page).offset((max(1, page) - 1) * per_page)))
    if not rows:
        return paginate(query, page, per_page, scalars=False)
    return Page(rows, rows[0]._total, max(1, page), per_page)


def paginate_list(items: list, page: int, per_page: int) -> Page:
    """A page of a list already built (e.g. the open due items of a worklist)."""
    page = clamp(page, len(items), per_page)
    start = (page - 1) * per_page
    return Page(items[start : start + per_page], len(items), page, per_page)


def links(page: Page, endpoint: str, **args) -> dict | None:
    """Parameters for govukPagination, or None when everything fits on one page."""
    if page.pages <= 1:
        return None
    params: dict = {"items": []}
    if page.page > 1:
        params["previous"] = {"href": url_for(endpoint, page=page.page - 1, **args)}
    if page.page < page.pages:
        params["next"] = {"href": url_for(endpoint, page=page.page + 1, **args)}
    shown = sorted({1, page.pages, *range(max(1, page.page - 2), min(page.pages, page.page + 2) + 1)})
    previous = 0
    for number in shown:
        if number - previous > 1:
            params["items"].append({"ellipsis": True})
        params["items"].append(
            {"number": number, "href": url_for(endpoint, page=number, **args), "current": number == page.page}
        )
        previous = number
    return params
