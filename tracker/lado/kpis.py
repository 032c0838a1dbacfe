"""LADO indicators (kpis.md §4), family "lado", computed set-based.

``compute`` runs a handful of GROUP BY queries over two frames (contacts in the period and
referrals in the period, each row carrying 0/1 flags for every condition): no Python loop over
records. ``drill`` reads the same frames, so a figure and its list can never disagree.
"""

from __future__ import annotations

from flask import abort, has_request_context
from flask_login import current_user
from sqlalchemy import func, select

from tracker.core import calendar, permissions
from tracker.core.kpis import COUNT, PERCENT, Indicator, Period, Ratio, register_group
from tracker.extensions import db
from tracker.formatters import format_date
from tracker.lado import queries
from tracker.lado.models import Category, Disposition, LadoContact, LadoContactCategory, LadoReferral, Outcome, Sector
from tracker.web.records import record_url

SECTION = "Allegations (LADO)"
FAMILY = "lado"


def _count(id_, label, good_is="-"):
    return Indicator(id_, COUNT, label, SECTION, FAMILY, good_is=good_is)


def _pct(id_, label, good_is="-"):
    return Indicator(id_, PERCENT, label, SECTION, FAMILY, good_is=good_is)


INDICATORS = [
    _count("lado.contacts", "Contacts with the Designated Officer"),
    *(_count(f"lado.contacts_by_disposition.{d}", f"Contacts: {label}") for d, label in Disposition.labels().items()),
    *(
        _count(f"lado.contacts_by_sector.{s}", f"Contacts by employer sector: {label}")
        for s, label in Sector.labels().items()
    ),
    _count("lado.referrals", "Referrals"),
    _pct("lado.referral_rate", "Contacts that progressed to referral"),
    *(
        _count(f"lado.referrals_by_sector.{s}", f"Referrals by employer sector: {label}")
        for s, label in Sector.labels().items()
    ),
    *(
        _count(f"lado.referrals_by_category.{c}", f"Referrals by category: {label}")
        for c, label in Category.labels().items()
    ),
    _pct("lado.iem_in_timescale", "Initial Evaluation Meetings within {lado_iem} of referral", "High"),
    _pct("lado.paim_in_timescale", "Post-Allegation Investigation Meetings within 28 days of the IEM", "High"),
    _pct("lado.conclusion.within_4w", "Referrals concluded within 4 weeks of contact", "High"),
    _pct("lado.conclusion.within_8w", "Referrals concluded in 4 to 8 weeks"),
    _pct("lado.conclusion.within_12w", "Referrals concluded in 8 to 12 weeks"),
    _pct("lado.conclusion.over_12w", "Referrals concluded after more than 12 weeks"),
    _pct("lado.conclusion.open", "Referrals not yet concluded"),
    _pct("lado.resolved.1m", "Referrals resolved within 1 month of contact", "High"),
    _pct("lado.resolved.3m", "Referrals resolved within 3 months of contact", "High"),
    _pct("lado.resolved.12m", "Referrals resolved within 12 months of contact", "High"),
    *(_pct(f"lado.outcome.{o}", f"Outcome: {label}") for o, label in Outcome.labels().items()),
    _pct("lado.outcome.pending", "Outcome pending"),
    _count("lado.dbs_referrals", "Referrals to the DBS"),
    _count("lado.foster_carer.contacts", "Contacts about the council's foster carers", "Low"),
    _count("lado.foster_carer.contacts_12m", "Allegations against our foster carers in the last 12 months", "Low"),
    _count("lado.foster_carer.referrals", "Referrals about the council's foster carers"),
    _count("lado.foster_carer.referrals_connected", "Referrals about the council's connected carers"),
    _count("lado.foster_carer.substantiated", "Allegations against our foster carers substantiated"),
    _count("lado.foster_carer.returned_to_panel", "Our foster carers returned to panel after an allegation"),
    _count("lado.actions.open", "Open LADO actions"),
    _count("lado.actions.overdue", "Overdue LADO actions", "Low"),
]

# indicator id -> referral frame flag (numerator); the denominator is the referral count
_REFERRAL_RATIOS = {
    "lado.iem_in_timescale": "iem_ok",
    "lado.conclusion.within_4w": "c_4w",
    "lado.conclusion.within_8w": "c_8w",
    "lado.conclusion.within_12w": "c_12w",
    "lado.conclusion.over_12w": "c_over",
    "lado.conclusion.open": "c_open",
    "lado.resolved.1m": "r_1m",
    "lado.resolved.3m": "r_3m",
    "lado.resolved.12m": "r_12m",
    **{f"lado.outcome.{o}": f"o_{o}" for o in Outcome},
    "lado.outcome.pending": "o_pending",
}
_REFERRAL_COUNTS = {
    "lado.foster_carer.referrals": "fc_own",
    "lado.foster_carer.referrals_connected": "fc_connected",
    "lado.foster_carer.substantiated": "fc_substantiated",
    "lado.foster_carer.returned_to_panel": "fc_returned",
}


def _twelve_months_start(period: Period):
    """contact_date > A − 12 months (kpis.md §4: lado.foster_carer.contacts_12m)."""
    return calendar.add_months(period.as_of, -12)


def compute(period: Period) -> dict:
    values: dict = {}
    start, end, as_of = period.start, period.end, period.as_of

    # contacts by disposition × sector (one GROUP BY)
    cf = queries.contacts_frame(start, end, as_of)
    contacts = 0
    by_disp = dict.fromkeys(Disposition.codes(), 0)
    by_sector = dict.fromkeys(Sector.codes(), 0)
    fc_contacts = 0
    for disposition, sector, n, own in db.session.execute(
        select(cf.c.disposition, cf.c.sector, func.count(), func.sum(cf.c.fc_own)).group_by(
            cf.c.disposition, cf.c.sector
        )
    ):
        contacts += n
        by_disp[disposition] += n
        by_sector[sector] += n
        fc_contacts += int(own or 0)
    values["lado.contacts"] = contacts
    values.update({f"lado.contacts_by_disposition.{k}": v for k, v in by_disp.items()})
    values.update({f"lado.contacts_by_sector.{k}": v for k, v in by_sector.items()})
    values["lado.referral_rate"] = Ratio(by_disp["referral"], contacts)
    values["lado.foster_carer.contacts"] = fc_contacts
    values["lado.foster_carer.contacts_12m"] = db.session.scalar(
        select(func.count())
        .select_from(LadoContact)
        .where(
            LadoContact.foster_carer_agency == "own",
            LadoContact.contact_date > _twelve_months_start(period),
            LadoContact.contact_date <= as_of,
        )
    )

    # referrals: every flag summed per sector (one GROUP BY)
    rf = queries.referrals_frame(start, end, as_of)
    flags = queries.REFERRAL_FLAGS
    totals = dict.fromkeys(flags, 0)
    referrals = 0
    by_rsector = dict.fromkeys(Sector.codes(), 0)
    for row in db.session.execute(
        select(rf.c.sector, func.count().label("n"), *(func.sum(rf.c[f]).label(f) for f in flags)).group_by(rf.c.sector)
    ):
        referrals += row.n
        by_rsector[row.sector] += row.n
        for f in flags:
            totals[f] += int(getattr(row, f) or 0)
    values["lado.referrals"] = referrals
    values.update({f"lado.referrals_by_sector.{k}": v for k, v in by_rsector.items()})
    for id_, flag in _REFERRAL_RATIOS.items():
        values[id_] = Ratio(totals[flag], referrals)
    values["lado.paim_in_timescale"] = Ratio(totals["paim_num"], totals["paim_den"])
    for id_, flag in _REFERRAL_COUNTS.items():
        values[id_] = totals[flag]

    # referrals by category of their contact (multi-valued: one GROUP BY over the child table)
    by_cat = dict.fromkeys(Category.codes(), 0)
    for category, n in db.session.execute(
        select(LadoContactCategory.category, func.count())
        .join(rf, rf.c.contact_id == LadoContactCategory.contact_id)
        .group_by(LadoContactCategory.category)
    ):
        by_cat[category] = n
    values.update({f"lado.referrals_by_category.{k}": v for k, v in by_cat.items()})

    values["lado.dbs_referrals"] = db.session.scalar(
        select(func.count())
        .select_from(LadoReferral)
        .where(LadoReferral.dbs_referral_date >= start, LadoReferral.dbs_referral_date <= min(end, as_of))
    )

    acts = queries.open_actions(as_of).subquery()
    open_n, overdue_n = db.session.execute(
        select(func.count(), func.coalesce(func.sum(queries._flag(acts.c.due_date < as_of)), 0)).select_from(acts)
    ).one()
    values["lado.actions.open"] = open_n
    values["lado.actions.overdue"] = int(overdue_n or 0)
    return values


# --- drill-down ---------------------------------------------------------------------------------


def _contact_rows(query) -> list[dict]:
    return [
        {"ref": ref, "label": f"Contact {ref} of {format_date(day)}", "url": record_url("lado_contact", ref)}
        for ref, day in db.session.execute(query)
    ]


def _referral_rows(query) -> list[dict]:
    return [
        {"ref": ref, "label": f"Referral {ref} of {format_date(day)}", "url": record_url("lado_referral", ref)}
        for ref, day in db.session.execute(query)
    ]


def drill(indicator_id: str, period: Period, part: str = "numerator") -> list[dict]:
    """The records behind a figure. LADO records are for LADO roles only (domain.md §1)."""
    if has_request_context() and not permissions.can(current_user, "lado.view"):
        abort(403)
    start, end, as_of = period.start, period.end, period.as_of
    suffix = indicator_id.rsplit(".", 1)[-1]
    if (
        indicator_id.startswith("lado.contacts")
        or indicator_id == "lado.referral_rate"
        or indicator_id == "lado.foster_carer.contacts"
    ):
        cf = queries.contacts_frame(start, end, as_of)
        query = select(cf.c.ref, cf.c.day).order_by(cf.c.day, cf.c.ref)
        if indicator_id.startswith("lado.contacts_by_disposition."):
            query = query.where(cf.c.disposition == suffix)
        elif indicator_id.startswith("lado.contacts_by_sector."):
            query = query.where(cf.c.sector == suffix)
        elif indicator_id == "lado.referral_rate" and part == "numerator":
            query = query.where(cf.c.disposition == "referral")
        elif indicator_id == "lado.foster_carer.contacts":
            query = query.where(cf.c.fc_own == 1)
        return _contact_rows(query)
    if indicator_id == "lado.foster_carer.contacts_12m":
        return _contact_rows(
            select(LadoContact.contact_id, LadoContact.contact_date)
            .where(
                LadoContact.foster_carer_agency == "own",
                LadoContact.contact_date > _twelve_months_start(period),
                LadoContact.contact_date <= as_of,
            )
            .order_by(LadoContact.contact_date, LadoContact.contact_id)
        )
    if indicator_id == "lado.dbs_referrals":
        return _referral_rows(
            select(LadoReferral.referral_id, LadoReferral.referral_date)
            .where(LadoReferral.dbs_referral_date >= start, LadoReferral.dbs_referral_date <= min(end, as_of))
            .order_by(LadoReferral.referral_date, LadoReferral.referral_id)
        )
    if indicator_id.startswith("lado.actions."):
        acts = queries.open_actions(as_of).subquery()
        query = select(acts.c.action_id, acts.c.due_date).order_by(acts.c.due_date, acts.c.action_id)
        if indicator_id == "lado.actions.overdue":
            query = query.where(acts.c.due_date < as_of)
        return [
            {
                "ref": ref,
                "label": f"Action {ref}" + (f" due {format_date(due)}" if due else ""),
                "url": record_url("lado_action", ref),
            }
            for ref, due in db.session.execute(query)
        ]

    rf = queries.referrals_frame(start, end, as_of)
    query = select(rf.c.ref, rf.c.day).order_by(rf.c.day, rf.c.ref)
    if indicator_id.startswith("lado.referrals_by_sector."):
        query = query.where(rf.c.sector == suffix)
    elif indicator_id.startswith("lado.referrals_by_category."):
        query = query.where(
            rf.c.contact_id.in_(select(LadoContactCategory.contact_id).where(LadoContactCategory.category == suffix))
        )
    elif indicator_id == "lado.paim_in_timescale":
        query = query.where(rf.c.paim_num == 1 if part == "numerator" else rf.c.paim_den == 1)
    elif indicator_id in _REFERRAL_RATIOS and part == "numerator":
        query = query.where(rf.c[_REFERRAL_RATIOS[indicator_id]] == 1)
    elif indicator_id in _REFERRAL_COUNTS:
        query = query.where(rf.c[_REFERRAL_COUNTS[indicator_id]] == 1)
    return _referral_rows(query)


register_group(INDICATORS, compute, drill)
