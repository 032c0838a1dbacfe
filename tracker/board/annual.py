"""The annual report tables (kpis.md §7): the IRO, LADO and fostering panel reports' tables for
any financial year, laid out as the council's reports lay them out (003:L914–1010,
L1450–1535; 000:L652–689) — months across with totals and percentages, the previous year
beside the LADO outcomes — every cell a figure of ``tracker.core.kpis``.

The structures below are the contract between this module, its pages and the board pack's
XLSX (``tracker.board.workbook``): a ``Report`` is a list of ``Table``s; a table has column
headings and rows; a row has a label and one ``Cell`` per column.

``build`` computes each period once: one ``kpis.compute`` per month of a months-across table and
one for the whole period (two for the LADO report: the previous 12 months beside its outcomes),
each for the ids its tables need. The one table no indicator holds — the fostering panel's case
types × recommendations with approvals split mainstream / connected — counts the frame of the
``panel.fostering.cases.*`` indicators (``panels.queries.heard_case_counts``), so its rows add up
to them. Periods are clipped to today: a year not over runs to today, a month not begun is blank.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from decimal import Decimal

from tracker.core import calendar, kpis
from tracker.core.clock import today
from tracker.escalations.models import COUNTED_STAGES, Area
from tracker.formatters import format_date, format_month
from tracker.lado.models import Category, Outcome, Sector
from tracker.panels.models import CarerType, CaseType, Panel, Recommendation
from tracker.panels.queries import heard_case_counts


@dataclass(frozen=True)
class Cell:
    """One figure: the value as ``kpis`` computed it, with what the small-number rule and the
    drill-down need. ``indicator_id``/``period`` are set when the cell is one indicator's figure
    (a drill-down link for the roles allowed); a derived cell (e.g. a total) leaves them blank.
    A count that is a percentage's numerator or denominator carries the percentage's id and the
    ``part`` it is (its drill-down lists that part's records)."""

    value: Decimal | int | None
    unit: str = kpis.COUNT  # kpis.COUNT, PERCENT or AVERAGE
    numerator: int | None = None
    denominator: int | None = None
    describes_people: bool = True
    indicator_id: str | None = None
    period: kpis.Period | None = None
    part: str = "numerator"  # the drill-down's part: "numerator" or "denominator"


@dataclass(frozen=True)
class Row:
    label: str
    cells: list[Cell]


@dataclass(frozen=True)
class Table:
    key: str  # stable id, e.g. "reviews_by_month"
    title: str  # the caption, as the council's report words it
    columns: list[str]  # headings of the value columns (the label column is "" or ``row_heading``)
    rows: list[Row]
    row_heading: str = ""
    note: str = ""  # how the table is read (a sentence under it)
    months_across: bool = False  # one column per month (and the whole period's last)


@dataclass(frozen=True)
class Report:
    key: str  # "iro", "lado" or "panel"
    title: str
    start: dt.date
    end: dt.date
    tables: list[Table] = field(default_factory=list)
    to_date: dt.date | None = None  # the period is not over: its figures run to this day

    @property
    def label(self) -> str:
        return period_label(self.start, self.end)

    @property
    def empty(self) -> bool:
        """Nothing was recorded in the period: no count in any table is above zero."""
        return not any(c.value for t in self.tables for r in t.rows for c in r.cells if c.unit == kpis.COUNT)


REPORTS = {"iro": "IRO annual report", "lado": "LADO annual report", "panel": "Fostering panel annual report"}


def period_label(start: dt.date, end: dt.date) -> str:
    """ "2022/23" for a financial year, else "1 May 2022 to 30 April 2023"."""
    if (start, end) == kpis.financial_year(start):
        return f"{start.year}/{(start.year + 1) % 100:02d}"
    return f"{format_date(start)} to {format_date(end)}"


def build(report: str, start: dt.date, end: dt.date) -> Report:
    """The tables of ``report`` ("iro", "lado" or "panel") for [start, end]."""
    if report not in REPORTS:
        raise KeyError(report)
    periods = _Periods(start, end)
    tables = {"iro": _iro, "lado": _lado, "panel": _panel}[report](periods)
    return Report(report, REPORTS[report], start, end, tables, periods.to_date)


# --- the periods and their figures -------------------------------------------------------------


class _Periods:
    """The whole period and its months, each clipped to today (as of its last day); ``None`` for
    a month that has not begun."""

    def __init__(self, start: dt.date, end: dt.date):
        self.start, self.end = start, end
        self.label = period_label(start, end)
        self.today = today()
        self.year = self.clip(start, end)
        self.months = [self.clip(p.start, p.end) for p in kpis.months(start, end)]
        self.month_headings = [format_month(p.start) for p in kpis.months(start, end)]
        self.to_date = self.today if start <= self.today < end else None

    def clip(self, start: dt.date, end: dt.date) -> kpis.Period | None:
        if start > self.today:
            return None
        last = min(end, self.today)
        return kpis.Period(start, last, last)


def _compute(period: kpis.Period | None, ids: list[str]) -> dict[str, kpis.Figure]:
    return {} if period is None else kpis.compute(period, ids)


def cell(figures: dict[str, kpis.Figure], ind_id: str, period: kpis.Period | None, part: str | None = None) -> Cell:
    """The cell of one indicator's figure (``part``: its numerator or denominator, as a count)."""
    ind = kpis.get(ind_id)
    fig = figures.get(ind_id)
    if part is not None:
        return Cell(
            None if fig is None else getattr(fig, part),
            kpis.COUNT,
            describes_people=ind.describes_people,
            indicator_id=ind_id,
            period=period,
            part=part,
        )
    if fig is None:
        return Cell(None, ind.unit, describes_people=ind.describes_people, indicator_id=ind_id, period=period)
    return Cell(fig.value, ind.unit, fig.numerator, fig.denominator, ind.describes_people, ind_id, period)


def _blank(unit: str = kpis.PERCENT) -> Cell:
    """A column with nothing to show for this row (e.g. the percentage of a plain count)."""
    return Cell(None, unit)


class _Across:
    """The figures of a months-across table: one compute per month and one for the period."""

    def __init__(self, periods: _Periods, ids: list[str], year_figures: dict[str, kpis.Figure]):
        self.periods = periods
        self.monthly = [_compute(p, ids) for p in periods.months]
        self.total = year_figures

    @property
    def columns(self) -> list[str]:
        return [*self.periods.month_headings, self.periods.label]

    def row(self, label: str, ind_id: str, part: str | None = None) -> Row:
        cells = [cell(f, ind_id, p, part) for f, p in zip(self.monthly, self.periods.months, strict=True)]
        return Row(label, [*cells, cell(self.total, ind_id, self.periods.year, part)])


def _title(ind_id: str) -> str:
    return kpis.get(ind_id).title


def _number_label(ind_id: str) -> str:
    return f"{_title(ind_id)} (number)"


def _percent_label(ind_id: str) -> str:
    return f"{_title(ind_id)} (%)"


def _between(periods: _Periods) -> str:
    return f"between {format_date(periods.start)} and {format_date(periods.end)}"


# --- the IRO report (003:L914–1010) -------------------------------------------------------------

PARTICIPATION_IDS = ["reviews.participation", *(f"reviews.code.PN{n}" for n in range(8)), "reviews.code.not_known"]
TASK_IDS = [
    "reviews.in_timescale",
    "reviews.recommendations_issued",
    "reviews.recommendations_in_timescale",
    "reviews.minutes_completed",
    "reviews.minutes_in_timescale",
]
CONTACT_IDS = [
    "contacts.children_in_care",
    "contacts.with_contact_6m",
    "contacts.expected",
    "contacts.expected_with_contact_6m",
]
STAGE_IDS = [*(f"escalations.started.{s}" for s in COUNTED_STAGES), "escalations.started.total"]
AREA_IDS = [f"escalations.area_{kind}.{a}" for a in Area for kind in ("started", "closed")]


def _iro(periods: _Periods) -> list[Table]:
    month_ids = ["reviews.held", "reviews.in_timescale", *PARTICIPATION_IDS]
    year = _compute(periods.year, [*month_ids, *TASK_IDS, *CONTACT_IDS, *STAGE_IDS, *AREA_IDS])
    months = _Across(periods, month_ids, year)
    held = "reviews.held"
    timely = "reviews.in_timescale"
    snapshot = periods.year.as_of if periods.year else periods.end
    return [
        Table(
            "reviews_by_month",
            "Children in care reviews by month: number and timeliness",
            months.columns,
            [
                months.row(_percent_label(timely), timely),
                months.row(_title(held), held),
                months.row(_number_label(timely), timely, "numerator"),
            ],
            row_heading="Reviews",
            note="A review is in timescale when it is held on or before its due date: 20 working days after the "
            "child came into care, then 3 months after the first review, then 6 months after the one before.",
            months_across=True,
        ),
        Table(
            "reviews_tasks",
            "Reviews, recommendations and minutes",
            ["Total number", "Percentage"],
            [
                Row(_title(held), [cell(year, held, periods.year), _blank()]),
                *(
                    Row(_title(i), [cell(year, i, periods.year, "numerator"), cell(year, i, periods.year)])
                    for i in TASK_IDS
                ),
            ],
            row_heading="Task",
            note="Each percentage is of the reviews held in the period.",
        ),
        Table(
            "participation_by_month",
            "Children in care reviews by month: participation",
            months.columns,
            [
                months.row(_percent_label(PARTICIPATION_IDS[0]), PARTICIPATION_IDS[0]),
                *(months.row(_title(i), i) for i in PARTICIPATION_IDS[1:]),
            ],
            row_heading="Participation",
            note="Participating means coded PN1 to PN6; reviews coded PN0 (a child under 4) are not counted in "
            "the percentage, reviews whose participation is not known are.",
            months_across=True,
        ),
        Table(
            "iro_contacts",
            f"IRO contacts on {format_date(snapshot)}",
            [format_date(snapshot)],
            [Row(_title(i), [cell(year, i, periods.year)]) for i in CONTACT_IDS],
            row_heading="Children in care",
        ),
        Table(
            "escalations_by_stage",
            "Dispute resolution: escalations started in the period, by stage",
            [*(s.short_label for s in COUNTED_STAGES), "Total"],
            [Row(_title("escalations.started.total"), [cell(year, i, periods.year) for i in STAGE_IDS])],
            note="Each stage started counts once; referrals to Cafcass are counted apart.",
        ),
        Table(
            "areas_of_concern",
            "Escalations by area of concern",
            [f"Started {_between(periods)}", f"Concluded {_between(periods)}"],
            [
                Row(
                    area.label,
                    [
                        cell(year, f"escalations.area_started.{area}", periods.year),
                        cell(year, f"escalations.area_closed.{area}", periods.year),
                    ],
                )
                for area in Area
            ],
            row_heading="Area of concern",
            note="An escalation can name more than one area: it counts once in each.",
        ),
    ]


# --- the LADO report (003:L1450–1535) -----------------------------------------------------------

LADO_KPI_IDS = [
    "lado.iem_in_timescale",
    "lado.paim_in_timescale",
    "lado.conclusion.within_4w",
    "lado.conclusion.within_8w",
    "lado.conclusion.within_12w",
    "lado.conclusion.over_12w",
    "lado.conclusion.open",
    "lado.resolved.1m",
    "lado.resolved.3m",
    "lado.resolved.12m",
]
OUTCOME_IDS = [*(f"lado.outcome.{o}" for o in Outcome), "lado.outcome.pending"]
FOSTER_CARER_IDS = [
    "lado.foster_carer.contacts",
    "lado.foster_carer.referrals",
    "lado.foster_carer.referrals_connected",
    "lado.foster_carer.substantiated",
    "lado.foster_carer.returned_to_panel",
]


def _previous(periods: _Periods) -> tuple[_Periods, str]:
    """The 12 months before the period (the LADO report's previous year beside its outcomes)."""
    before = _Periods(calendar.add_months(periods.start, -12), periods.start - dt.timedelta(days=1))
    return before, before.label


def _lado(periods: _Periods) -> list[Table]:
    month_ids = ["lado.contacts", "lado.referrals", "lado.referral_rate"]
    sector_ids = [f"lado.{kind}_by_sector.{s}" for s in Sector for kind in ("contacts", "referrals")]
    category_ids = [f"lado.referrals_by_category.{c}" for c in Category]
    year = _compute(
        periods.year, [*month_ids, *LADO_KPI_IDS, *OUTCOME_IDS, *sector_ids, *category_ids, *FOSTER_CARER_IDS]
    )
    months = _Across(periods, month_ids, year)
    before, before_label = _previous(periods)
    last_year = _compute(before.year, ["lado.referrals", *OUTCOME_IDS])
    y, b = periods.year, before.year

    def outcome_row(label: str, ind_id: str) -> Row:
        this_year = [cell(year, ind_id, y, "numerator"), cell(year, ind_id, y)]
        return Row(label, [*this_year, cell(last_year, ind_id, b, "numerator"), cell(last_year, ind_id, b)])

    return [
        Table(
            "contacts_and_referrals_by_month",
            "Contacts and referrals by month",
            months.columns,
            [months.row(_title(i), i) for i in month_ids[:2]]
            + [months.row(_percent_label(i), i) for i in month_ids[2:]],
            row_heading="Enquiries",
            note="A contact is every enquiry to the Designated Officer; a referral is one that progressed to the "
            "allegations process. The referral rate is the share of contacts that did.",
            months_across=True,
        ),
        Table(
            "lado_kpis",
            "Key performance indicators",
            ["Number", "Out of", "Percentage"],
            [
                Row(_title(i), [cell(year, i, y, "numerator"), cell(year, i, y, "denominator"), cell(year, i, y)])
                for i in LADO_KPI_IDS
            ],
            row_heading="Indicator",
            note="Conclusion times run from the contact to the referral's closure; the five conclusion rows add up "
            "to the referrals made in the period.",
        ),
        Table(
            "outcomes",
            "Referral outcomes",
            [f"{periods.label} number", f"{periods.label} %", f"{before_label} number", f"{before_label} %"],
            [
                *(outcome_row(o.label, f"lado.outcome.{o}") for o in Outcome),
                outcome_row(_title("lado.outcome.pending"), "lado.outcome.pending"),
                Row(
                    _title("lado.referrals"),
                    [cell(year, "lado.referrals", y), _blank(), cell(last_year, "lado.referrals", b), _blank()],
                ),
            ],
            row_heading="Outcome",
            note=f"Of the referrals made in each period; {before_label} is the 12 months before {periods.label}.",
        ),
        Table(
            "by_sector",
            "Contacts and referrals by the sector the adult works in",
            ["Contacts", "Referrals"],
            [
                Row(
                    s.label,
                    [cell(year, f"lado.contacts_by_sector.{s}", y), cell(year, f"lado.referrals_by_sector.{s}", y)],
                )
                for s in Sector
            ],
            row_heading="Employer sector",
        ),
        Table(
            "by_category",
            "Referrals by category of concern",
            ["Referrals"],
            [Row(c.label, [cell(year, f"lado.referrals_by_category.{c}", y)]) for c in Category],
            row_heading="Category",
            note="A referral can name more than one category: it counts once in each.",
        ),
        Table(
            "foster_carers",
            "Allegations about the council's own foster carers",
            [periods.label],
            [Row(_title(i), [cell(year, i, y)]) for i in FOSTER_CARER_IDS],
        ),
    ]


# --- the fostering panel report (000:L652–689) --------------------------------------------------

PANEL = Panel.fostering
SPLIT_CARER_TYPES = (CarerType.mainstream, CarerType.connected)  # the report's approvals row (000:L678)


def _panel_id(suffix: str) -> str:
    return f"panel.{PANEL}.{suffix}"


def _panel_title(suffix: str) -> str:
    """The indicator's title without the panel's name ("Fostering panel: meetings held" → "Meetings held")."""
    title = _title(_panel_id(suffix)).removeprefix(f"{PANEL.label}: ")
    return title[:1].upper() + title[1:]


def _case_rows(year: dict, period: kpis.Period | None) -> list[Row]:
    """Case types × recommendations, approvals split by carer type; the totals are the indicators'."""
    counts = heard_case_counts(period, PANEL) if period is not None else {}

    def derived(case_type: CaseType, carer_type: str | None = None, split: bool = False) -> list[Cell]:
        mine = {k: n for k, n in counts.items() if k[0] == case_type and (not split or k[1] == carer_type)}
        cells = [Cell(sum(mine.values()))] if split else [cell(year, _panel_id(f"cases.{case_type}"), period)]
        return cells + [Cell(sum(n for k, n in mine.items() if k[2] == r)) for r in Recommendation]

    rows = []
    for case_type in PANEL.case_types:
        rows.append(Row(case_type.label, derived(case_type)))
        if case_type is CaseType.approval:
            others = {k[1] for k in counts if k[0] == case_type} - set(SPLIT_CARER_TYPES)
            for carer in [*SPLIT_CARER_TYPES, *(CarerType(c) for c in sorted(others - {None}))]:
                rows.append(Row(f"{case_type.label}: {carer.label}", derived(case_type, carer, split=True)))
            if None in others:
                rows.append(Row(f"{case_type.label}: carer type not recorded", derived(case_type, None, split=True)))
    total = [cell(year, _panel_id("cases"), period)]
    total += [cell(year, _panel_id(f"recommendation.{r}"), period) for r in Recommendation]
    rows.append(Row(_panel_title("cases"), total))
    return rows


def _panel(periods: _Periods) -> list[Table]:
    month_ids = [_panel_id(s) for s in ("meetings.booked", "meetings.held", "meetings.cancelled", "cases")]
    month_ids.append(_panel_id("cases_per_meeting"))
    decision_ids = [_panel_id(s) for s in ("adm_not_agreed", "adm_in_timescale", "papers_in_timescale")]
    decision_ids.append(_panel_id("meetings.quorate"))
    case_ids = [_panel_id(f"cases.{t}") for t in PANEL.case_types]
    case_ids += [_panel_id(f"recommendation.{r}") for r in Recommendation]
    year = _compute(periods.year, [*month_ids, *decision_ids, *case_ids])
    months = _Across(periods, month_ids, year)
    y = periods.year
    return [
        Table(
            "meetings_by_month",
            "Panel meetings and cases by month",
            months.columns,
            [months.row(_panel_title(i.removeprefix(f"panel.{PANEL}.")), i) for i in month_ids],
            row_heading="Meetings",
            note="Cases count at the meeting they were heard at; the average is of the meetings held.",
            months_across=True,
        ),
        Table(
            "cases_by_type",
            "Case types and recommendations",
            ["Total presented", *(r.label for r in Recommendation)],
            _case_rows(year, y),
            row_heading="Case type",
            note="Cases heard in the period, by the panel's recommendation; a case without a recommendation yet "
            "counts in its total only.",
        ),
        Table(
            "decisions",
            "Decisions and quoracy",
            [periods.label],
            [Row(_panel_title(i.removeprefix(f"panel.{PANEL}.")), [cell(year, i, y)]) for i in decision_ids],
        ),
    ]


# --- one CSV of the whole report ----------------------------------------------------------------


@dataclass(frozen=True)
class FlatCell:
    """One cell of a report as a line of its CSV: which table, row and column it is."""

    table: str
    row: str
    column: str
    cell: Cell


def flatten(report: Report) -> list[FlatCell]:
    """Every cell of the report, table by table, row by row, column by column."""
    return [
        FlatCell(table.title, row.label, column, c)
        for table in report.tables
        for row in table.rows
        for column, c in zip(table.columns, row.cells, strict=True)
    ]
