"""The scorecard as one printable HTML page (the print half of the board pack's exports): its own
template (``board/print.html``, not the site's layout: no navigation, buttons, forms or script)
with the GOV.UK and tracker stylesheets, each section on its own page when printed (A4
landscape), its six-month table, its commentary and each row's 12-month trend chart.

``render_print`` is used by the route ``board.print_view`` and by the ``board-pack --format
html`` command; keep its signature."""

from __future__ import annotations

import datetime as dt

from flask import current_app, has_request_context, render_template

from tracker.board import display, suppression
from tracker.board.chart import target_text, trend_chart
from tracker.board.scorecard import TWELVE, build


def render_print(month: dt.date, as_of: dt.date, suppress: bool) -> str:
    """The print view of the scorecard for the six months ending with ``month``'s, as at
    ``as_of``, with small numbers suppressed when ``suppress`` (a board member, or a pack for the
    board). No links to records: the page is for paper. Outside a request (the command) it
    renders in a request context of its own, so that the stylesheets' URLs can be built."""
    if not has_request_context():
        with current_app.test_request_context("/board/print"):
            return _render(month, as_of, suppress)
    return _render(month, as_of, suppress)


def _render(month: dt.date, as_of: dt.date, suppress: bool) -> str:
    card = build(month, as_of)
    cols = display.columns(card)
    year = build(month, as_of, TWELVE)  # every row's trend: one computation per month, not per row
    sections = []
    for block, shown, long in zip(card.blocks, display.shown_blocks(card, suppress), year.blocks, strict=True):
        charts = [(line, trend_chart(line, suppress), target_text(line)) for line in long.lines]
        sections.append((block, shown, charts))
    return render_template(
        "board/print.html",
        card=card,
        month=card.month,
        columns=cols,
        any_provisional=any(c.provisional for c in cols),
        frozen_notes=display.frozen_notes(cols),
        sections=sections,
        suppress=suppress,
        legend=suppression.LEGEND,
    )
