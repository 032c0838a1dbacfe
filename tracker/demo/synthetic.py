"""A deterministic synthetic authority in the import format (interchange.md §1).

``generate(outdir, children=200, years=3, seed=1, today=None)`` writes the 15 CSV files that
``flask --app tracker import-data DIR`` reads, and returns the number of data rows written per
file. The same arguments (including ``today``) on the same calendar always give byte-identical
files.

What the data looks like:

- ``years`` years of history up to ``today`` (the *window*). Every child is looked after at
  some time in the window, aged 0-17 while looked after (so a child who left care early in
  the window may be an adult today), and the number looked after stays roughly steady.
  Children already looked after when the window opened have care periods that began up to
  eight years before it, as do foster households' approvals; their whole review chains are
  written (so reg 33 / reg 28 due dates computed by the tracker are the real ones). LADO
  contacts and panel meetings lie inside the window.
- Every event that must already have happened is dated on or before ``today``; only due dates
  of LADO actions and ``booked`` panel meetings (within the next six weeks) may be later.
- Every LADO referral is allocated to one of the LADO officers (``lado_officer_id``). With
  ``caseload=True`` (``demo-data``) the LADOs also hold a current caseload (``CASELOAD``): the
  first LADO (the demo LADO) about 25 open referrals at every stage — IEMs and PAIMs due, some
  overdue, actions due this week — the second fewer, and a few referrals are not allocated yet,
  for the LADO manager's "To allocate" queue.
- With ``caseload=True`` the demo QARO (``Q1``, ``DEMO_OFFICERS``) also holds a real QARO's
  caseload (``QARO_CASELOAD``): 50-70 children looked after today, where the history gives each
  QARO a handful. Their records are what happened (care periods, reviews mostly on time, IRO
  contacts, escalations); the tracker's engines then find reviews due in the coming weeks, a
  few overdue (two long overdue), first reviews pending for children who came into care lately,
  recommendations and minutes outstanding, IRO contacts due, and two open escalations. The rest
  of the authority is the same as without it (its own random stream, rows after the others').
- The data passes the validation rules of interchange.md §1: no overlapping care periods,
  reviews inside a care period, escalation stages in date order, a referral row for exactly
  the contacts with disposition ``referral``, outcomes/decisions paired with their dates, and
  every reference resolvable inside the file set.

Nothing is copied: the files and their columns are the import format's (``interchange.FILES``),
the codes are the models' enums (only how common each code is belongs here, see
``KNOWN_CODES``), and working days are the tracker's calendar (``tracker.core.calendar``):
England and Wales bank holidays, plus the council's closure days when run inside the
application (``generate-data``, ``demo-data``); without an application context there are none.

Generation is streamed per child / per contact / per meeting, so ``children=20000, years=5``
runs in well under a minute without holding the whole authority in memory.
"""

from __future__ import annotations

import calendar as _stdcal
import csv
import datetime as dt
import random
from bisect import bisect_left
from collections import Counter
from collections.abc import Collection
from contextlib import ExitStack
from itertools import accumulate
from pathlib import Path

from tracker.core import clock
from tracker.core.calendar import add_days, add_months, add_working_days, is_working_day
from tracker.core.enums import CodeEnum
from tracker.core.interchange import FILES
from tracker.core.permissions import Role
from tracker.escalations.models import Area, Resolution, Stage
from tracker.lado.models import CarerAgency, CarerType, Category, Disposition, MeetingType, Outcome, Sector
from tracker.panels.models import AdmDecision, CaseType, MeetingStatus, Panel, Recommendation
from tracker.panels.models import CarerType as HouseholdCarer
from tracker.reviews import rules903
from tracker.reviews.models import ContactType, LegalStatus, ParticipationCode

__all__ = ["HEADERS", "KNOWN_CODES", "generate"]

# The files written and their columns, in order: the import format's.
HEADERS: dict[str, list[str]] = {name: [column.name for column in columns] for name, columns in FILES.items()}

# --------------------------------------------------------------------------- reference data
# Weights are relative (how common each value is); a code weighted 0 is known but never drawn.
# A few lists are chances or cumulative shares instead, as each is drawn (see ``_Rng``).

TEAMS = ["North", "South", "East", "West"]
BOYS = [
    "Oliver", "George", "Harry", "Noah", "Jack", "Leo", "Arthur", "Muhammad", "Oscar", "Charlie", "Jacob", "Thomas",
    "Henry", "Freddie", "Alfie", "Theo", "William", "Theodore", "Archie", "Joshua", "Alexander", "James", "Isaac",
    "Edward", "Lucas", "Tommy", "Finley", "Max", "Logan", "Ethan", "Mason", "Harrison", "Reggie", "Teddy", "Riley",
    "Dylan", "Jayden", "Kai", "Tyler", "Callum", "Ahmed", "Omar", "Yusuf", "Dawit", "Kwame", "Tomasz", "Filip",
    "Liam", "Jamal", "Reece",
]  # fmt: skip
GIRLS = [
    "Olivia", "Amelia", "Isla", "Ava", "Ivy", "Freya", "Lily", "Florence", "Mia", "Willow", "Rosie", "Sophia",
    "Isabella", "Grace", "Daisy", "Sienna", "Poppy", "Elsie", "Emily", "Ella", "Evelyn", "Phoebe", "Sofia", "Evie",
    "Charlotte", "Harper", "Millie", "Matilda", "Maya", "Ruby", "Chloe", "Jessica", "Leah", "Megan", "Holly", "Amber",
    "Courtney", "Paige", "Aaliyah", "Zara", "Amira", "Hana", "Precious", "Zuzanna", "Maja", "Niamh", "Kayla", "Demi",
    "Jade", "Tia",
]  # fmt: skip
SURNAMES = [
    "Smith", "Jones", "Williams", "Taylor", "Brown", "Davies", "Evans", "Wilson", "Thomas", "Johnson", "Roberts",
    "Robinson", "Thompson", "Wright", "Walker", "White", "Edwards", "Hughes", "Green", "Hall", "Lewis", "Harris",
    "Clarke", "Patel", "Jackson", "Wood", "Turner", "Martin", "Cooper", "Hill", "Ward", "Morris", "Moore", "Clark",
    "Lee", "King", "Baker", "Harrison", "Morgan", "Allen", "James", "Scott", "Phillips", "Watson", "Davis", "Parker",
    "Price", "Bennett", "Young", "Griffiths", "Mitchell", "Kelly", "Cook", "Carter", "Richardson", "Bailey",
    "Collins", "Bell", "Shaw", "Murphy", "Miller", "Cox", "Richards", "Khan", "Marshall", "Anderson", "Simpson",
    "Ellis", "Adams", "Singh", "Begum", "Wilkinson", "Foster", "Chapman", "Powell", "Webb", "Rogers", "Gray", "Mason",
    "Ali", "Hunt", "Hussain", "Campbell", "Matthews", "Owen", "Palmer", "Holmes", "Mills", "Barnes", "Knight",
    "Lloyd", "Butler", "Russell", "Barker", "Fisher", "Stevens", "Jenkins", "Murray", "Dixon", "Harvey", "Reid",
    "Okafor", "Mensah", "Nowak", "Kowalski", "Haile", "Ahmadi", "Rahimi",
]  # fmt: skip
# The demo's LADO people and organisations by name (``name_lado_records``): the import format
# carries only their references, and a LADO's day is about named people at named employers.
PLACES = [
    "Ashford", "Brook", "Castlefield", "Dene", "Elmwood", "Fairview", "Greenbank", "Hillside", "Kingsmead",
    "Larkspur", "Meadowview", "Northgate", "Oakfield", "Parkside", "Queensway", "Riverside", "Southfields",
    "Thornbury", "Westwood", "Yewtree",
]  # fmt: skip
ORGANISATION_NAMES = {
    Sector.education: ["{} Primary School", "{} Academy", "{} High School", "{} Infant School"],
    Sector.early_years: ["{} Day Nursery", "Little Stars {} Nursery", "{} Pre-school"],
    Sector.foster_care: ["{} Fostering Service", "{} Foster Care"],
    Sector.residential_care: ["{} House children's home", "{} Lodge"],
    Sector.social_care: ["{} Family Support Team", "{} Children's Centre"],
    Sector.health: ["{} Health Centre", "{} Hospital", "{} Surgery"],
    Sector.police: ["{} Police Station"],
    Sector.armed_forces: ["{} Army Cadets", "{} Sea Cadets"],
    Sector.sport: ["{} Football Club", "{} Swimming Club", "{} Gymnastics Club"],
    Sector.faith: ["{} Community Church", "{} Mosque", "{} Gurdwara"],
    Sector.voluntary: ["{} Youth Club", "{} Scouts"],
    Sector.transport: ["{} Taxis", "{} School Transport"],
    Sector.self_employed: ["{} Tutoring", "{} Music Lessons"],
    Sector.other: ["{} Community Centre", "{} Leisure Centre"],
}
ETHNICITIES = {
    "White British": 68, "White Irish": 1, "Traveller of Irish heritage": 1, "Gypsy/Roma": 1,
    "Any other White background": 5, "White and Black Caribbean": 4, "White and Black African": 1,
    "White and Asian": 2, "Any other mixed background": 3, "Indian": 1, "Pakistani": 2, "Bangladeshi": 1,
    "Any other Asian background": 1, "Caribbean": 2, "African": 3, "Any other Black background": 1, "Chinese": 1,
    "Any other ethnic group": 2,
}  # fmt: skip
UASC_ETHNICITIES = {
    "Any other ethnic group": 30, "African": 30, "Any other Asian background": 25, "Any other White background": 5,
    "Any other Black background": 10,
}  # fmt: skip

# Officers of each role get ids ``<prefix>1``, ``<prefix>2``…; roles without a caseload have none.
OFFICER_PREFIXES: dict[Role, str | None] = {
    Role.qaro: "Q", Role.iro_manager: "M", Role.lado: "L", Role.lado_manager: "LM", Role.panel_admin: "PA",
    Role.adm: "ADM", Role.review_admin: None, Role.manager: None, Role.analyst: None, Role.board: None,
    Role.admin: None,
}  # fmt: skip
# The first officer of each role: ``demo-data`` makes it that role's demo user (qaro@example.org is Q1).
# The demo authority's foster households (``caseload=True``), each with a fostering reviewing
# officer from the panel administrators (``name_households``).
DEMO_HOUSEHOLDS = 60
DEMO_OFFICERS: dict[Role, str] = {role: f"{prefix}1" for role, prefix in OFFICER_PREFIXES.items() if prefix}

# --- children in care (domain.md §4)
LEGAL_STATUSES = {
    LegalStatus.C2: 45, LegalStatus.C1: 18, LegalStatus.V2: 22, LegalStatus.E1: 12, LegalStatus.J2: 3,
    LegalStatus.D1: 0, LegalStatus.J1: 0, LegalStatus.J3: 0, LegalStatus.L1: 0, LegalStatus.L2: 0, LegalStatus.L3: 0,
    LegalStatus.V3: 0, LegalStatus.V4: 0,
}  # fmt: skip
PARTICIPATION = {
    ParticipationCode.PN1: 44, ParticipationCode.PN5: 14, ParticipationCode.PN6: 24, ParticipationCode.PN2: 3,
    ParticipationCode.PN3: 3, ParticipationCode.PN4: 3, ParticipationCode.PN7: 6, None: 3,  # None: not known (open year)
    ParticipationCode.PN0: 0,  # not drawn: every review of a child under 4, and only those
}  # fmt: skip
CONTACT_TYPES = {
    ContactType.visit: 45, ContactType.phone: 14, ContactType.video: 14, ContactType.text: 10,
    ContactType.letter_card: 9, ContactType.other: 8,
}  # fmt: skip

# --- escalations (domain.md §5)
AREAS = {
    Area.statutory_requirements: 14, Area.care_plan: 16, Area.review_decisions: 10, Area.services: 9,
    Area.voice_of_child: 5, Area.health: 7, Area.education: 8, Area.transitions: 6, Area.living_arrangements: 9,
    Area.family_time: 7, Area.safety: 5, Area.life_story: 5, Area.staff_turnover: 4, Area.other: 3,
}  # fmt: skip
# The stage an escalation may go on to and the chance it does (any stage may also go to Cafcass).
NEXT_STAGE: dict[Stage, tuple[Stage, float] | None] = {
    Stage.informal: (Stage.stage1, 0.35), Stage.stage1: (Stage.stage2, 0.3), Stage.stage2: (Stage.stage3, 0.3),
    Stage.stage3: (Stage.stage4, 0.3), Stage.stage4: (Stage.stage5, 0.12), Stage.stage5: None, Stage.cafcass: None,
}  # fmt: skip
CLOSED_AS = {Resolution.resolved: 0.8, Resolution.withdrawn: 1}  # chances, the first that comes up
EXTERNAL_PARTNERS = ["health", "CAMHS", "education", "dentistry", "provider"]

# --- LADO (domain.md §6)
SECTORS = {
    Sector.education: 28, Sector.early_years: 8, Sector.foster_care: 12, Sector.residential_care: 8,
    Sector.social_care: 6, Sector.health: 7, Sector.police: 4, Sector.armed_forces: 1, Sector.sport: 5,
    Sector.faith: 3, Sector.voluntary: 5, Sector.transport: 5, Sector.self_employed: 2, Sector.other: 6,
}  # fmt: skip
SUBJECT_ROLES = {
    Sector.education: ["Teacher", "Teaching assistant", "Headteacher", "Lunchtime supervisor", "Supply teacher",
                       "Tutor"],
    Sector.early_years: ["Nursery practitioner", "Childminder", "Nursery manager"],
    Sector.foster_care: ["Foster carer", "Foster carer's adult child", "Connected carer"],
    Sector.residential_care: ["Residential worker", "Home manager", "Night worker"],
    Sector.social_care: ["Social worker", "Family support worker", "Personal assistant"],
    Sector.health: ["Nurse", "Doctor", "Health care assistant", "Therapist"],
    Sector.police: ["Police officer", "PCSO"],
    Sector.armed_forces: ["Cadet instructor", "Service member"],
    Sector.sport: ["Coach", "Swimming instructor", "Club volunteer"],
    Sector.faith: ["Faith leader", "Youth leader"],
    Sector.voluntary: ["Youth worker", "Volunteer", "Scout leader"],
    Sector.transport: ["Taxi driver", "Bus escort", "School transport driver"],
    Sector.self_employed: ["Private tutor", "Music teacher", "Photographer"],
    Sector.other: ["Worker", "Volunteer", "Contractor"],
}  # fmt: skip
REFERRER_AGENCIES = {
    "Employer": 35, "Police": 15, "Children's social care": 15, "Parent/carer": 10, "Ofsted": 5, "Health": 7,
    "School": 8, "Other local authority": 3, "Anonymous": 2,
}  # fmt: skip
CATEGORIES = {
    Category.physical: 35, Category.sexual: 18, Category.emotional: 12, Category.neglect: 8,
    Category.transferable_risk: 12, Category.conduct: 15,
}  # fmt: skip
# How a contact is dealt with: cumulative shares (only a foster carer's is a standards-of-care matter).
FOSTER_CARER_DISPOSITIONS = {
    Disposition.referral: 0.36, Disposition.standards_of_care: 0.62, Disposition.advice: 0.82,
    Disposition.no_further_action: 0.95, Disposition.internal_investigation: 1,
}  # fmt: skip
OTHER_DISPOSITIONS = {
    Disposition.referral: 0.33, Disposition.advice: 0.72, Disposition.internal_investigation: 0.86,
    Disposition.no_further_action: 1,
}  # fmt: skip
# A foster carer's type and agency: chances, the first that comes up.
FOSTER_CARER_TYPES = {CarerType.mainstream: 0.7, CarerType.connected: 1}
FOSTER_CARER_AGENCIES = {CarerAgency.own: 0.55, CarerAgency.other_la: 0.35, CarerAgency.ifa: 1}
OUTCOMES = {
    Outcome.substantiated: 30, Outcome.unsubstantiated: 25, Outcome.unfounded: 18, Outcome.false: 22,
    Outcome.malicious: 5,
}  # fmt: skip
# A referral's meetings, with the letter that makes each one's id from the referral's.
MEETING_IDS = {MeetingType.strategy: "s", MeetingType.iem: "i", MeetingType.review: "r", MeetingType.paim: "p"}
ACTION_DESCRIPTIONS = [
    "Safeguarding training for staff", "Review of safer recruitment practice", "Risk assessment to be completed",
    "Disciplinary investigation", "Update code of conduct", "Supervision arrangements reviewed",
    "Referral to regulator", "Letter of outcome to subject", "Review of safeguarding policy",
    "Support plan for the child",
]  # fmt: skip
ACTION_OWNERS = ["Employer", "LADO", "HR", "Headteacher", "Fostering team", "Designated safeguarding lead", "Police"]
# The LADOs' current caseload (``caseload=True``, ``demo-data``): per LADO officer (by number, the
# first is the demo LADO; 0: not allocated, the LADO manager's queue), the open referrals at each
# stage, each with how long it has been there — awaiting the IEM: working days since the referral
# (overdue after 5); awaiting the PAIM: days since the IEM (overdue after 28); investigating (IEM
# and PAIM held, no outcome) and concluding (outcome recorded, not closed): their actions, due
# this many days from today (negative: overdue; 0 to 4: this week).
CASELOAD: dict[int, dict[str, list]] = {
    1: {
        "awaiting_iem": [1, 3, 4, 7, 9],
        "awaiting_paim": [6, 12, 17, 21, 26, 31, 38],
        "investigating": [[-6, 21], [0], [2, 30], [4], [9, 45], [15], [3, 60]],
        "concluding": [[-2], [1], [11, 25], [18], [4], [35]],
    },
    2: {
        "awaiting_iem": [2, 6],
        "awaiting_paim": [10, 30],
        "investigating": [[1], [12, 40], [-4]],
        "concluding": [[7], [20], [2]],
    },
    0: {"awaiting_iem": [0, 2, 6]},
}
CASELOAD_SIZE = sum(len(stages) for officer in CASELOAD.values() for stages in officer.values())
# The demo QARO's current caseload (``caseload=True``, ``demo-data``): a real QARO holds 50-70
# children (domain.md §1), where the history gives each QARO a handful. The demo QARO (``Q1``)
# gets children looked after today up to a total drawn from QARO_CASELOAD_SIZE. Only what has
# happened is written (care periods, reviews held, IRO contacts, escalation stages); the due
# dates are the tracker's, so each plan says when the next review is to fall due.
QARO_CASELOAD_SIZE = (55, 65)
QARO_CASELOAD: dict[str, list[int]] = {
    # came into care this many working days ago, no review yet (the first is due at 20)
    "new": [3, 7, 12, 15, 18, 26],
    # first review held: the second (3 months after it) due in this many days (negative: overdue)
    "second": [-6, 9, 24, 47, 75],
    # later reviews: the next (6 months after the last) due in this many days; the rest of the
    # caseload is due in 6 weeks to 6 months (reviews held in the last few weeks among them)
    "later": [-120, -58, -15, -5, 0, 3, 6, 10, 13, 18, 23, 29, 35, 41, 158, 166, 172, 178],
}
QARO_LATER_DUE = (45, 178)  # the rest: the next review due in this many days
# IRO contacts (due 6 months after the last): most children were seen in the last five months;
# this many days ago for a few (due soon or overdue).
QARO_LATE_CONTACTS = [171, 176, 179, 194, 236]
# Her open escalations: the stages each went through, each with the working days ago it started
# (informal: response due in 10 working days; a formal stage in 5).
QARO_OPEN_ESCALATIONS = [[(Stage.informal, 6)], [(Stage.informal, 22), (Stage.stage1, 8)]]
QARO_CLOSED_ESCALATIONS = 3  # resolved in the past year

# --- panels and foster households (domain.md §7)
HOUSEHOLD_CARER_TYPES = {
    HouseholdCarer.mainstream: 64, HouseholdCarer.connected: 26, HouseholdCarer.foster_to_adopt: 4,
    HouseholdCarer.temporary: 6,
}  # fmt: skip
FOSTERING_CASES = {
    CaseType.approval: 20, CaseType.reg25_extension: 5, CaseType.resignation: 8, CaseType.deregistration: 3,
    CaseType.first_review: 15, CaseType.third_year_review: 8, CaseType.change_of_terms: 10,
    CaseType.long_term_match: 15, CaseType.other: 5,
}  # fmt: skip
ADOPTION_CASES = {
    CaseType.adopter_approval: 35, CaseType.match: 40, CaseType.adopter_deregistration: 8,
    CaseType.relinquished_child: 5, CaseType.other: 12,
}  # fmt: skip
NO_RECOMMENDATION = (CaseType.resignation, CaseType.adopter_deregistration)  # heard as not_applicable
REVIEW_AFTER_ALLEGATION = CaseType.review_after_allegation  # a fostering case, from a LADO referral returned to panel

# Every code list of the models that the generator writes, with the codes it knows of each: a
# test checks each against its enum, so a code added to a model that is not weighed here fails
# it (and one dropped from a model can no longer be spelt here).
KNOWN_CODES: dict[type[CodeEnum], Collection[CodeEnum]] = {
    Role: OFFICER_PREFIXES.keys(),
    LegalStatus: LEGAL_STATUSES.keys(),
    ParticipationCode: PARTICIPATION.keys() - {None},
    ContactType: CONTACT_TYPES.keys(),
    Area: AREAS.keys(),
    Stage: NEXT_STAGE.keys(),
    Resolution: {*CLOSED_AS, Resolution.referred_to_cafcass},
    Sector: SECTORS.keys() & SUBJECT_ROLES.keys(),
    Category: CATEGORIES.keys(),
    Disposition: FOSTER_CARER_DISPOSITIONS.keys() | OTHER_DISPOSITIONS.keys(),
    CarerType: FOSTER_CARER_TYPES.keys(),
    CarerAgency: FOSTER_CARER_AGENCIES.keys(),
    Outcome: OUTCOMES.keys(),
    MeetingType: MEETING_IDS.keys(),
    HouseholdCarer: HOUSEHOLD_CARER_TYPES.keys(),
    CaseType: FOSTERING_CASES.keys() | ADOPTION_CASES.keys() | {REVIEW_AFTER_ALLEGATION},
    Panel: tuple(Panel),  # both panels meet (``_panel_dates``)
    MeetingStatus: tuple(MeetingStatus),
    Recommendation: tuple(Recommendation),
    AdmDecision: tuple(AdmDecision),
}


def _table(weights: dict) -> tuple[list, list[int], int]:
    cum = list(accumulate(weights.values()))
    return list(weights), cum, cum[-1]


class _Rng(random.Random):
    """``random.Random`` with the generator's draws: a fast weighted choice over pre-built tables
    (``pick``), a chance, the first of several chances (``first``), cumulative shares (``band``)."""

    def pick(self, table):
        values, cum, total = table
        return values[bisect_left(cum, self.random() * total + 1e-12)] if total else values[0]

    def chance(self, p: float) -> bool:
        return self.random() < p

    def first(self, chances: dict):
        """The first value whose chance comes up (a chance of 1 is not drawn)."""
        return next(value for value, p in chances.items() if p >= 1 or self.chance(p))

    def band(self, shares: dict):
        """The first value whose cumulative share is above one draw."""
        r = self.random()
        return next(value for value, upper in shares.items() if r < upper)


def _stream(seed: int, name: str) -> _Rng:
    # A string seed is hashed with SHA-512 (deterministic across processes), and a separate
    # stream per section keeps one section's changes from reshuffling the others.
    return _Rng(f"tracker-synthetic:{seed}:{name}")


T_ETH, T_UASC_ETH, T_LEGAL, T_PART, T_CONTACT, T_AREA = map(
    _table, (ETHNICITIES, UASC_ETHNICITIES, LEGAL_STATUSES, PARTICIPATION, CONTACT_TYPES, AREAS)
)
T_SECTOR, T_REFERRER, T_CATEGORY, T_OUTCOME, T_CARER, T_FOST, T_ADOPT = map(
    _table, (SECTORS, REFERRER_AGENCIES, CATEGORIES, OUTCOMES, HOUSEHOLD_CARER_TYPES, FOSTERING_CASES, ADOPTION_CASES)
)
# Age on entering care (DfE looked-after statistics: many babies, a bulge at 10-17).
T_ENTRY_AGE = _table(dict(enumerate([19, 4, 4, 4, 4, 3, 3, 3, 3, 3, 5, 5, 5, 6, 6, 6, 9, 8])))
T_REC_WD = _table({1: 18, 2: 20, 3: 20, 4: 16, 5: 13, 6: 7, 7: 6})  # working days to the recommendations


def _participation(rng, dob: dt.date, held: dt.date, today: dt.date) -> ParticipationCode | None:
    """A review's code as the DfE's rules allow it (rules903): PN0 before the fourth birthday,
    else drawn from T_PART; "not known" only in a collection year that has not ended."""
    if held < rules903.fourth_birthday(dob):
        return ParticipationCode.PN0
    code = rng.pick(T_PART)
    while code is None and rules903.is_closed(rules903.year_of(held), today):
        code = rng.pick(T_PART)
    return code


# --------------------------------------------------------------------------- dates


def _on_or_before(day: dt.date) -> dt.date:
    """``day`` if it is a working day, else the working day before it."""
    return day if is_working_day(day) else add_working_days(day, -1)


def _on_or_after(day: dt.date) -> dt.date:
    return day if is_working_day(day) else add_working_days(day, 1)


def _iso(d: dt.date | None) -> str:
    return d.isoformat() if d else ""


def _yn(flag: bool) -> str:
    return "Y" if flag else "N"


# --------------------------------------------------------------------------- output


class _Out:
    """One csv.writer per file (closed with ``files``); counts data rows."""

    def __init__(self, outdir: Path, files: ExitStack):
        self.writers = {}
        self.counts = {}
        for name, header in HEADERS.items():
            fh = files.enter_context((outdir / name).open("w", newline="", encoding="utf-8"))
            self.writers[name] = csv.writer(fh, lineterminator="\n")
            self.writers[name].writerow(header)
            self.counts[name] = 0

    def row(self, name: str, values) -> None:
        self.writers[name].writerow(values)
        self.counts[name] += 1


# --------------------------------------------------------------------------- generator


class _Generator:
    def __init__(
        self,
        out: _Out,
        children: int,
        years: int,
        seed: int,
        today: dt.date,
        caseload: bool = False,
        qaros: int | None = None,
    ):
        self.out = out
        self.n_qaro = qaros or max(3, round(children / 12))
        self.caseload = caseload
        self.lados = [f"{OFFICER_PREFIXES[Role.lado]}{i}" for i in (1, 2)]  # as ``officers`` writes them
        self.n_children = children
        self.years = years
        self.seed = seed
        self.today = today
        self.window_start = add_months(today, -12 * years)
        self.qaros: list[str] = []
        self.households: list[tuple[str, str, dt.date, dt.date | None]] = []
        self.returned_referrals: list[tuple[dt.date, str]] = []

    # ---------------------------------------------------------------- officers
    def officers(self) -> None:
        n_qaro = self.n_qaro
        counts = {Role.qaro: n_qaro, Role.iro_manager: 1 if n_qaro <= 12 else 2, Role.lado: 2, Role.lado_manager: 1,
                  Role.panel_admin: 2, Role.adm: 1}  # fmt: skip
        rng = _stream(self.seed, "officers")
        for role, prefix in OFFICER_PREFIXES.items():
            for i in range(1, counts.get(role, 0) + 1):
                officer_id = f"{prefix}{i}"
                team = TEAMS[(i - 1) % len(TEAMS)] if role in (Role.qaro, Role.iro_manager) else ""
                name = f"{rng.choice(BOYS + GIRLS)} {rng.choice(SURNAMES)}"
                self.out.row("officers.csv", [officer_id, name, f"{officer_id.lower()}@example.org", role, team])
        self.qaros = [f"{OFFICER_PREFIXES[Role.qaro]}{i}" for i in range(1, n_qaro + 1)]

    # ---------------------------------------------------------------- foster households
    def households_(self) -> None:
        n = max(20, round(self.n_children * 0.3))
        width = max(3, len(str(max(n, DEMO_HOUSEHOLDS))))
        self.households = self._households(_stream(self.seed, "households"), n, 1, width)
        if self.caseload and n < DEMO_HOUSEHOLDS:
            # the demo fostering team's households (issue 13): after the others and from their own
            # stream, so the rest of the authority (and its panels' cases) is the same as without
            self._households(_stream(self.seed, "demo_households"), DEMO_HOUSEHOLDS - n, n + 1, width)

    def _households(self, rng: _Rng, n: int, first: int, width: int) -> list[tuple[str, str, dt.date, dt.date | None]]:
        """``n`` households numbered from ``first``, with their review chains; returns them."""
        earliest = add_months(self.window_start, -96)
        span = (self.today - earliest).days
        drafts = []
        for _ in range(n):
            carer = rng.pick(T_CARER)
            approval = _on_or_before(add_days(earliest, rng.randrange(span)))
            if approval < earliest:
                approval = earliest
            if carer == HouseholdCarer.temporary:
                end = add_days(approval, rng.randint(100, 170))
            elif rng.chance(0.45):
                end = add_days(approval, rng.randint(180, 365 * 10))
            else:
                end = None
            if end is not None and end > self.today:
                end = None
            drafts.append((approval, carer, end))
        drafts.sort(key=lambda x: x[0])
        made = []
        for i, (approval, carer, end) in enumerate(drafts, first):
            hid = f"H{i:0{width}d}"
            made.append((hid, carer, approval, end))
            self.out.row("foster_households.csv", [hid, carer, _iso(approval), _iso(end)])
            if carer == HouseholdCarer.temporary:
                continue
            last_day = min(end or self.today, self.today)
            prev, k = approval, 0
            while True:
                due = add_months(prev, 12)
                r = rng.random()
                if r < 0.55:
                    held = add_days(due, -rng.randint(0, 40))  # local target is 11 months
                elif r < 0.88:
                    held = add_days(due, -rng.randint(0, 10))
                else:
                    held = add_days(due, rng.randint(1, 50))
                held = _on_or_before(held)
                if held <= prev:
                    held = add_days(prev, 300)
                if held > last_day:
                    break
                k += 1
                self.out.row("carer_reviews.csv", [f"{hid}r{k}", hid, _iso(held), _yn(k == 1 or k % 3 == 0)])
                prev = held
        return made

    # ---------------------------------------------------------------- children
    @staticmethod
    def _stay(rng: _Rng) -> int:
        """Length of a care period in days (ends at 18 at the latest)."""
        r = rng.random()
        return rng.randint(20, 365) if r < 0.32 else rng.randint(365, 4 * 365) if r < 0.72 else 20 * 365

    def children_(self) -> None:
        rng = _stream(self.seed, "children")
        today = self.today
        earliest_start = add_months(self.window_start, -8 * 12)
        width = max(5, len(str(self.n_children)))
        review_no = contact_no = esc_no = 0
        in_care: Counter[str] = Counter()  # children looked after today, by QARO
        for c in range(1, self.n_children + 1):
            child_id = f"C{c:0{width}d}"
            uasc = rng.chance(0.05)
            if uasc:
                gender = "Male" if rng.chance(0.9) else "Female"
                ethnicity = rng.pick(T_UASC_ETH)
            else:
                gender = "Male" if rng.chance(0.56) else "Female"
                ethnicity = rng.pick(T_ETH)
            # First entry into care at a realistic age, drawn so that the number looked after is
            # steady over the window (long stays began before it, up to eight years earlier);
            # a period that ended before the window is drawn again.
            for _attempt in range(50):
                length = self._stay(rng)
                # a stay of length L overlaps the window when it starts in [window - L, today]
                lo = max(add_days(self.window_start, -length), earliest_start)
                start = add_days(lo, rng.randint(0, (today - lo).days))
                if uasc:
                    entry_days = rng.randint(14 * 365 + 4, 17 * 365 + 200)
                else:
                    entry_days = rng.pick(T_ENTRY_AGE) * 365 + rng.randint(0, 364)
                dob = add_days(start, -entry_days)
                if min(add_days(start, length), add_months(dob, 18 * 12)) >= self.window_start:
                    break
            first = rng.choice(BOYS if gender == "Male" else GIRLS)
            qaro = rng.choice(self.qaros)
            expected = not rng.chance(0.04)
            row = [child_id, first, rng.choice(SURNAMES), _iso(dob), gender, ethnicity, _yn(uasc), qaro, _yn(expected)]
            self.out.row("children.csv", row)

            # care periods: one, sometimes left and returned; looked after only until 18
            leaves_at_18 = add_days(add_months(dob, 18 * 12), -1)
            periods: list[tuple[dt.date, dt.date | None, LegalStatus]] = []
            for n_period in range(2):
                end = min(add_days(start, length), leaves_at_18)
                if end > today:
                    end = None
                periods.append((start, end, rng.pick(T_LEGAL)))
                if end is None or n_period == 1 or not rng.chance(0.24):
                    break
                start = add_days(end, rng.randint(30, 500))
                if start > today or start >= leaves_at_18:
                    break
                length = self._stay(rng)
            for start, end, legal in periods:
                self.out.row("care_periods.csv", [child_id, _iso(start), _iso(end), legal])
            if periods[-1][1] is None:
                in_care[qaro] += 1

            for start, end, _legal in periods:
                last_day = min(end or today, today)
                # reviews, reg 33 chain
                prev = None
                n_review = 0
                while True:
                    n_review += 1
                    if prev is None:
                        due = add_working_days(start, 20)
                        early_max = 14
                    elif n_review == 2:
                        due = add_months(prev, 3)
                        early_max = 30
                    else:
                        due = add_months(prev, 6)
                        early_max = 60
                    r = rng.random()
                    if r < 0.62:
                        held = add_days(due, -rng.randint(0, 7))
                    elif r < 0.87:
                        held = add_days(due, -rng.randint(8, early_max))
                    elif r < 0.95:
                        held = add_days(due, rng.randint(1, 14))
                    else:
                        held = add_days(due, rng.randint(15, 60))
                    floor = start if prev is None else add_days(prev, 14)
                    if held < floor:
                        held = floor
                    adjusted = _on_or_before(held)
                    if adjusted >= floor:
                        held = adjusted
                    if held > last_day:
                        break
                    code = _participation(rng, dob, held, today)
                    recent = (today - held).days
                    rec = add_working_days(held, rng.pick(T_REC_WD))
                    if rec > today or (recent < 20 and rng.chance(0.1)) or rng.chance(0.005):
                        rec = None
                    minutes = add_days(held, rng.randint(5, 30) if rng.chance(0.9) else rng.randint(31, 60))
                    if minutes > today or (recent < 45 and rng.chance(0.2)):
                        minutes = None
                    officer = qaro if rng.chance(0.92) else rng.choice(self.qaros)
                    with_advocate = code in (ParticipationCode.PN2, ParticipationCode.PN5)
                    advocate = rng.chance(0.8) if with_advocate else rng.chance(0.08)
                    review_no += 1
                    row = [f"R{review_no:06d}", child_id, _iso(held), code, _iso(rec), _iso(minutes), officer]
                    self.out.row("reviews.csv", [*row, _yn(advocate)])
                    prev = held

                # IRO contacts between reviews
                if expected or rng.chance(0.3):
                    contact = add_days(start, rng.randint(7, 60))
                    while contact <= last_day:
                        contact_no += 1
                        officer = qaro if rng.chance(0.95) else rng.choice(self.qaros)
                        row = [f"K{contact_no:06d}", child_id, _iso(contact), rng.pick(T_CONTACT), officer]
                        self.out.row("iro_contacts.csv", row)
                        r = rng.random()
                        if r < 0.7:
                            gap = rng.randint(30, 120)
                        elif r < 0.94:
                            gap = rng.randint(121, 182)
                        else:
                            gap = rng.randint(183, 260)
                        contact = add_days(contact, gap)

            # escalations: ~15% of children over the window
            n_esc = (2 if rng.chance(0.1) else 1) if rng.chance(0.15) else 0
            for _ in range(n_esc):
                spans = []
                for start, end, _legal in periods:
                    a, b = max(start, self.window_start), min(end or today, add_days(today, -1))
                    if (b - a).days >= 5:
                        spans.append((a, b))
                if not spans:
                    break
                a, b = rng.choice(spans)
                esc_no += 1
                self._escalation(rng, f"E{esc_no:05d}", child_id, qaro, add_days(a, rng.randint(0, (b - a).days)))
        if self.caseload:
            self._qaro_caseload(width, in_care, review_no, contact_no, esc_no)

    def _qaro_caseload(self, width: int, in_care: Counter, review_no: int, contact_no: int, esc_no: int) -> None:
        """The demo QARO's current caseload (``QARO_CASELOAD``): children looked after today, added
        to those the history gave her, each with the care period, reviews, IRO contacts and
        escalations that make the tracker find her reviews done, due in the coming weeks or
        overdue (a few long overdue), as on a real QARO's desk."""
        rng = _stream(self.seed, "qaro_caseload")
        today = self.today
        qaro = DEMO_OFFICERS[Role.qaro]
        others = [q for q in self.qaros if q != qaro] or [qaro]
        size = rng.randint(*QARO_CASELOAD_SIZE) - in_care[qaro]
        plans = [(group, due_in) for group, due in QARO_CASELOAD.items() for due_in in due]
        plans += [("later", rng.randint(*QARO_LATER_DUE)) for _ in range(size - len(plans))]
        rng.shuffle(plans)  # children's references in no order of their state
        children = []
        for n, (group, due_in) in enumerate(plans, self.n_children + 1):
            reviews = self._caseload_reviews(rng, group, due_in)
            start = add_working_days(reviews[0], -rng.randint(12, 20)) if reviews else add_working_days(today, -due_in)
            uasc = (today - start).days < 730 and rng.chance(0.05)
            dob = self._caseload_birth(rng, start, uasc)
            expected = not rng.chance(0.04)
            children.append((f"C{n:0{width}d}", start, reviews, dob, uasc, expected))
        settled = [i for i, c in enumerate(children) if (today - c[1]).days > 365 and c[5]]
        wanted = len(QARO_OPEN_ESCALATIONS) + QARO_CLOSED_ESCALATIONS + len(QARO_LATE_CONTACTS)
        picked = rng.sample(settled, min(wanted, len(settled)))
        n_escalated = len(QARO_OPEN_ESCALATIONS) + QARO_CLOSED_ESCALATIONS
        escalated = picked[:n_escalated]  # the open escalations' children, then the closed ones'
        late_contacts = dict(zip(picked[n_escalated:], QARO_LATE_CONTACTS, strict=False))

        for i, (child_id, start, reviews, dob, uasc, expected) in enumerate(children):
            gender = ("Male" if rng.chance(0.9) else "Female") if uasc else ("Male" if rng.chance(0.56) else "Female")
            ethnicity = rng.pick(T_UASC_ETH if uasc else T_ETH)
            first = rng.choice(BOYS if gender == "Male" else GIRLS)
            row = [child_id, first, rng.choice(SURNAMES), _iso(dob), gender, ethnicity, _yn(uasc), qaro, _yn(expected)]
            self.out.row("children.csv", row)
            self.out.row("care_periods.csv", [child_id, _iso(start), "", rng.pick(T_LEGAL)])
            for held in reviews:
                recent = (today - held).days
                code = _participation(rng, dob, held, today)
                rec = add_working_days(held, rng.pick(T_REC_WD))
                if rec > today or (recent < 30 and rng.chance(0.2)):
                    rec = None  # not issued yet
                minutes = add_days(held, rng.randint(5, 30) if rng.chance(0.9) else rng.randint(31, 60))
                if minutes > today or (recent < 45 and rng.chance(0.25)):
                    minutes = None
                officer = qaro if held == reviews[-1] or rng.chance(0.85) else rng.choice(others)  # reallocated
                with_advocate = code in (ParticipationCode.PN2, ParticipationCode.PN5)
                advocate = rng.chance(0.8) if with_advocate else rng.chance(0.08)
                review_no += 1
                row = [f"R{review_no:06d}", child_id, _iso(held), code, _iso(rec), _iso(minutes), officer]
                self.out.row("reviews.csv", [*row, _yn(advocate)])
            # IRO contacts, the last this many days ago (due six months after it)
            if not (expected or rng.chance(0.3)):
                continue
            since = late_contacts.get(i) or rng.randint(2, 150)
            contact = _on_or_before(add_days(today, -since))
            if contact < start:  # came into care lately: seen once, or not yet
                days = (today - start).days
                contact = add_days(start, rng.randint(2, days)) if days >= 7 and rng.chance(0.6) else None
            contacts = []
            while contact is not None and contact >= start:
                contacts.append(contact)
                contact = _on_or_before(add_days(contact, -rng.randint(35, 130)))
            for day in reversed(contacts):
                contact_no += 1
                row = [f"K{contact_no:06d}", child_id, _iso(day), rng.pick(T_CONTACT), qaro]
                self.out.row("iro_contacts.csv", row)

        for k, i in enumerate(escalated):
            esc_no += 1
            if k < len(QARO_OPEN_ESCALATIONS):
                plan = QARO_OPEN_ESCALATIONS[k]
                starts = [add_working_days(today, -ago) for _stage, ago in plan]
                responses = [
                    min(add_working_days(started, rng.randint(3, 8)), add_working_days(following, -1))
                    for started, following in zip(starts, starts[1:], strict=False)
                ] + [None]  # the current stage awaits its response
                stages = [(stage, s, r) for (stage, _), s, r in zip(plan, starts, responses, strict=True)]
                closed, resolution = None, ""
            else:
                started = _on_or_before(add_days(today, -rng.randint(60, 330)))
                response = add_working_days(started, rng.randint(2, 9))
                stages = [(Stage.informal, started, response)]
                closed, resolution = add_days(response, rng.randint(0, 20)), Resolution.resolved
            areas: list[Area] = []
            for _ in range(1 if rng.chance(0.55) else 2):
                area = rng.pick(T_AREA)
                if area not in areas:
                    areas.append(area)
            partner = rng.choice(EXTERNAL_PARTNERS) if rng.chance(0.15) else ""
            esc_id, child_id = f"E{esc_no:05d}", children[i][0]
            row = [esc_id, child_id, qaro, ";".join(areas), partner, _iso(closed), resolution]
            self.out.row("escalations.csv", row)
            for stage, started, response in stages:
                self.out.row("escalation_stages.csv", [esc_id, stage, _iso(started), _iso(response)])

    def _caseload_reviews(self, rng: _Rng, group: str, due_in: int) -> list[dt.date]:
        """The reviews held in one child's current care period (``QARO_CASELOAD``), oldest first,
        placed so that the next is due ``due_in`` days from today (``new``: none held). Each was
        held on time or up to a month early, now and then a little late."""
        if group == "new":
            return []
        today = self.today
        step = 3 if group == "second" else 6  # months from the last review to the next one due
        last = min(_on_or_before(add_months(add_days(today, due_in), -step)), _on_or_before(today))
        reviews = [last]
        if group == "later":
            r = rng.random()
            n_later = rng.randint(0, 2) if r < 0.3 else rng.randint(3, 7) if r < 0.75 else rng.randint(8, 13)
            for months in [6] * n_later + [3]:  # back to the second review, then the first
                early = rng.randint(0, 30 if months == 6 else 14) if rng.chance(0.9) else -rng.randint(1, 14)
                reviews.append(_on_or_before(add_days(add_months(reviews[-1], -months), early)))
        return reviews[::-1]

    def _caseload_birth(self, rng: _Rng, start: dt.date, uasc: bool) -> dt.date:
        """A date of birth for a child who came into care on ``start`` at a realistic age and is
        still under 18 for a while yet."""
        for _attempt in range(20):
            if uasc:
                days = rng.randint(14 * 365 + 4, 16 * 365 + 300)
            else:
                days = rng.pick(T_ENTRY_AGE) * 365 + rng.randint(0, 364)
            dob = add_days(start, -days)
            if add_months(dob, 18 * 12) > add_days(self.today, 90):
                return dob
        return add_days(start, -rng.randint(0, 364))

    def _escalation(self, rng: _Rng, esc_id: str, child_id: str, qaro: str, day: dt.date) -> None:
        today = self.today
        stage = Stage.informal if rng.chance(0.78) else Stage.stage1
        stages = []
        started = _on_or_before(day)
        while True:
            if stage == Stage.cafcass:
                response = None
            else:
                gap = rng.randint(2, 14) if stage == Stage.informal else rng.randint(1, 8)
                response = add_working_days(started, gap)
                if response > today or rng.chance(0.12):
                    response = None
            stages.append((stage, started, response))
            if stage == Stage.cafcass:
                break
            if rng.chance(0.015):
                nxt = Stage.cafcass
            else:
                step = NEXT_STAGE[stage]
                nxt = step[0] if step and rng.chance(step[1]) else None
            if nxt is None:
                break
            following = _on_or_after(add_days(response or started, rng.randint(1, 15)))
            if following > today:
                break
            stage, started = nxt, following
        last_stage, last_start, last_response = stages[-1]
        if last_stage == Stage.cafcass:
            closed = add_days(last_start, rng.randint(0, 10))
            resolution = Resolution.referred_to_cafcass
        else:
            closed = add_days(last_response or last_start, rng.randint(0, 30))
            resolution = rng.first(CLOSED_AS)
        latest = max([s for _, s, _ in stages] + [r for _, _, r in stages if r])
        if closed < latest:
            closed = latest
        if closed > today or ((today - last_start).days < 60 and rng.chance(0.3)):
            closed, resolution = None, ""
        n_areas = 1 if rng.chance(0.55) else 2 if rng.chance(0.7) else 3
        areas: list[Area] = []
        while len(areas) < n_areas:
            area = rng.pick(T_AREA)
            if area not in areas:
                areas.append(area)
        partner = rng.choice(EXTERNAL_PARTNERS) if rng.chance(0.15) else ""
        self.out.row("escalations.csv", [esc_id, child_id, qaro, ";".join(areas), partner, _iso(closed), resolution])
        for stage, started, response in stages:
            self.out.row("escalation_stages.csv", [esc_id, stage, _iso(started), _iso(response)])

    # ---------------------------------------------------------------- LADO
    def lado(self) -> None:
        rng = _stream(self.seed, "lado")
        today, w0 = self.today, self.window_start
        span = (today - w0).days
        total = max(30, round(self.n_children * 0.25)) * self.years
        self.allocation = _stream(self.seed, "lado_allocation")  # its own stream: the history is as it was
        dates = []
        for _ in range(total):
            d = add_days(w0, rng.randint(0, span))
            adjusted = _on_or_before(d)
            dates.append(adjusted if adjusted >= w0 else d)
        dates.sort()
        subjects: list[tuple] = []  # (ref, sector, role, employer, carer type, carer agency)
        orgs: dict[Sector, list[str]] = {}
        n_person = n_org = n_ref = 0
        width = max(5, len(str(total + (CASELOAD_SIZE if self.caseload else 0))))
        for i, contact_date in enumerate(dates, 1):
            contact_id = f"LC{i:0{width}d}"
            if subjects and rng.chance(0.09):
                subject_ref, sector, role, employer, ftype, fagency = rng.choice(subjects)
            else:
                sector = rng.pick(T_SECTOR)
                role = rng.choice(SUBJECT_ROLES[sector])
                pool = orgs.setdefault(sector, [])
                if pool and rng.chance(0.6):
                    employer = rng.choice(pool)
                else:
                    n_org += 1
                    employer = f"ORG{n_org:03d}"
                    pool.append(employer)
                if sector == Sector.foster_care:
                    ftype, fagency = rng.first(FOSTER_CARER_TYPES), rng.first(FOSTER_CARER_AGENCIES)
                else:
                    ftype = fagency = ""
                n_person += 1
                subject_ref = f"P{n_person:04d}"
                subjects.append((subject_ref, sector, role, employer, ftype, fagency))
            n_cat = 1 if rng.chance(0.7) else 2
            cats: list[Category] = []
            while len(cats) < n_cat:
                cat = rng.pick(T_CATEGORY)
                if cat not in cats:
                    cats.append(cat)
            foster_carer = sector == Sector.foster_care
            disposition = rng.band(FOSTER_CARER_DISPOSITIONS if foster_carer else OTHER_DISPOSITIONS)
            shown_ref = subject_ref
            if disposition in (Disposition.advice, Disposition.no_further_action) and rng.chance(0.12):
                shown_ref = ""  # anonymous consultation
            referrer = rng.pick(T_REFERRER)
            row = [contact_id, _iso(contact_date), referrer, sector, role, shown_ref, employer, ";".join(cats)]
            self.out.row("lado_contacts.csv", [*row, disposition, ftype, fagency])
            if disposition == Disposition.referral:
                n_ref += 1
                own_carer = foster_carer and fagency == CarerAgency.own
                self._referral(rng, f"LR{n_ref:0{width}d}", contact_id, contact_date, cats, own_carer)
        if self.caseload:
            self._caseload(len(dates), n_ref, n_person, n_org, orgs, width)

    def _referral(
        self, rng: _Rng, ref_id: str, contact_id: str, contact_date: dt.date, cats: list[Category], own_carer: bool
    ) -> None:
        today = self.today
        r = rng.random()
        referral = add_working_days(contact_date, 0 if r < 0.6 else 1 if r < 0.9 else 2)
        if referral > today:
            referral = contact_date
        police = rng.chance(0.55 if (Category.sexual in cats or Category.physical in cats) else 0.15)
        meetings: list[tuple[MeetingType, dt.date]] = []
        outcome_date = None
        iem = add_working_days(referral, rng.randint(1, 5) if rng.chance(0.8) else rng.randint(6, 12))
        if iem <= today:
            if rng.chance(0.25 + (0.25 if police else 0)):
                strategy = add_working_days(referral, rng.randint(0, 3))
                if strategy <= today:
                    meetings.append((MeetingType.strategy, strategy))
            meetings.append((MeetingType.iem, iem))
            if rng.chance(0.3):
                outcome_date = iem  # concluded at the IEM
            else:
                paim = add_days(iem, rng.randint(7, 28) if rng.chance(0.85) else rng.randint(29, 60))
                if police and rng.chance(0.35):  # waits for the police investigation
                    paim = add_days(paim, rng.randint(14, 90))
                    if rng.chance(0.5):
                        review = _on_or_after(add_days(iem, rng.randint(14, 28)))
                        if review <= today and review < paim:
                            meetings.append((MeetingType.review, review))
                elif rng.chance(0.05):
                    review = _on_or_after(add_days(paim, rng.randint(14, 42)))
                    if review <= today:
                        meetings.append((MeetingType.review, review))
                paim = _on_or_after(paim)
                if paim <= today:
                    meetings.append((MeetingType.paim, paim))
                    outcome_date = paim if rng.chance(0.85) else add_days(paim, rng.randint(7, 60))
        if outcome_date is not None and outcome_date > today:
            outcome_date = None
        outcome = rng.pick(T_OUTCOME) if outcome_date else ""
        closed = dbs = None
        if outcome_date:
            closed = outcome_date if rng.chance(0.5) else add_days(outcome_date, rng.randint(1, 30))
            if closed > today:
                closed = None
            if outcome == Outcome.substantiated and rng.chance(0.5):
                dbs = add_days(outcome_date, rng.randint(0, 30))
                if dbs > today:
                    dbs = None
        returned = own_carer and closed is not None and rng.chance(0.9)
        informed = bool(outcome) and rng.chance(0.8)
        officer = self.allocation.choice(self.lados)
        row = [ref_id, contact_id, _iso(referral), officer, _yn(police), outcome, _iso(outcome_date), _iso(dbs)]
        self.out.row("lado_referrals.csv", [*row, _yn(returned), _yn(informed), _iso(closed)])
        for kind, day in sorted(meetings, key=lambda m: m[1]):
            self.out.row("lado_meetings.csv", [f"{ref_id}{MEETING_IDS[kind]}", ref_id, kind, _iso(day)])
        if returned:
            self.returned_referrals.append((closed, ref_id))
        anchor = outcome_date or (iem if iem <= today else None)
        if anchor is None:
            return
        n_actions = rng.choice((0, 0, 0, 1, 1, 1, 2, 2, 3)) if outcome_date else (1 if rng.chance(0.3) else 0)
        for k in range(1, n_actions + 1):
            due = add_days(anchor, rng.randint(14, 120))
            done = None
            if rng.chance(0.7):
                done = add_days(anchor, rng.randint(1, (due - anchor).days + 30))
                if done > today:
                    done = None
            what, owner = rng.choice(ACTION_DESCRIPTIONS), rng.choice(ACTION_OWNERS)
            self.out.row("lado_actions.csv", [f"{ref_id}a{k}", ref_id, what, owner, _iso(due), _iso(done)])

    def _caseload(self, n_contact: int, n_ref: int, n_person: int, n_org: int, orgs: dict, width: int) -> None:
        """The LADOs' current caseload (``CASELOAD``): recent contacts, each a referral open today
        at its stage, allocated to its LADO (or to nobody)."""
        rng = _stream(self.seed, "lado_caseload")
        today = self.today
        for number, stages in CASELOAD.items():
            officer = f"{OFFICER_PREFIXES[Role.lado]}{number}" if number else ""
            for stage, plans in stages.items():
                for plan in plans:
                    n_contact += 1
                    n_ref += 1
                    n_person += 1
                    contact_id, ref_id = f"LC{n_contact:0{width}d}", f"LR{n_ref:0{width}d}"
                    sector = rng.pick(T_SECTOR)
                    pool = orgs.setdefault(sector, [])
                    if pool and rng.chance(0.5):
                        employer = rng.choice(pool)
                    else:
                        n_org += 1
                        employer = f"ORG{n_org:03d}"
                        pool.append(employer)
                    ftype, fagency = ("", "")
                    if sector == Sector.foster_care:
                        ftype, fagency = rng.first(FOSTER_CARER_TYPES), rng.first(FOSTER_CARER_AGENCIES)
                    cats = [rng.pick(T_CATEGORY)]
                    meetings: list[tuple[MeetingType, dt.date]] = []
                    outcome, outcome_date, actions = "", None, []
                    if stage == "awaiting_iem":
                        referral = add_working_days(_on_or_before(today), -plan) if plan else today
                    else:
                        if stage == "awaiting_paim":
                            iem = _on_or_before(add_days(today, -plan))
                        else:
                            actions = plan
                            end = _on_or_before(add_days(today, -rng.randint(2, 30)))  # the PAIM, or the outcome
                            if stage == "concluding":
                                outcome, outcome_date = rng.pick(T_OUTCOME), end
                            paim = end if stage == "investigating" else _on_or_before(add_days(end, -rng.randint(0, 7)))
                            iem = _on_or_before(add_days(paim, -rng.randint(14, 28)))
                            meetings.append((MeetingType.paim, paim))
                        meetings.append((MeetingType.iem, iem))
                        referral = add_working_days(iem, -rng.randint(1, 5))
                    role, referrer = rng.choice(SUBJECT_ROLES[sector]), rng.pick(T_REFERRER)
                    self.out.row(
                        "lado_contacts.csv",
                        [contact_id, _iso(referral), referrer, sector, role, f"P{n_person:04d}", employer,
                         ";".join(cats), Disposition.referral, ftype, fagency],
                    )  # fmt: skip
                    police = rng.chance(0.4)
                    self.out.row(
                        "lado_referrals.csv",
                        [ref_id, contact_id, _iso(referral), officer, _yn(police), outcome, _iso(outcome_date), "",
                         "N", "N", ""],
                    )  # fmt: skip
                    for kind, day in sorted(meetings, key=lambda m: m[1]):
                        self.out.row("lado_meetings.csv", [f"{ref_id}{MEETING_IDS[kind]}", ref_id, kind, _iso(day)])
                    for k, offset in enumerate(actions, 1):
                        what = rng.choice(ACTION_DESCRIPTIONS)
                        owner = rng.choice([o for o in ACTION_OWNERS if o != "LADO"])  # the LADO chases them
                        row = [f"{ref_id}a{k}", ref_id, what, owner, _iso(add_days(today, offset)), ""]
                        self.out.row("lado_actions.csv", row)

    # ---------------------------------------------------------------- panels
    def _panel_dates(self) -> list[tuple[dt.date, str]]:
        """The second and fourth Tuesdays (fostering) and third Thursday (adoption) of each month."""
        last = add_days(self.today, 42)
        out = []
        year, month = self.window_start.year, self.window_start.month
        while dt.date(year, month, 1) <= last:
            days = [dt.date(year, month, d) for d in range(1, _stdcal.monthrange(year, month)[1] + 1)]
            tuesdays = [d for d in days if d.weekday() == 1]
            thursdays = [d for d in days if d.weekday() == 3]
            for d, panel in (
                (tuesdays[1], Panel.fostering),
                (tuesdays[3], Panel.fostering),
                (thursdays[2], Panel.adoption),
            ):
                day = _on_or_after(d)
                if self.window_start <= day <= last:
                    out.append((day, panel))
            month += 1
            if month == 13:
                year, month = year + 1, 1
        out.sort()
        return out

    def panels(self) -> None:
        rng = _stream(self.seed, "panels")
        today = self.today
        pending = sorted(self.returned_referrals)  # (closed_date, referral_id)
        case_no = 0
        for m, (day, panel) in enumerate(self._panel_dates(), 1):
            meeting_id = f"PM{m:04d}"
            if day > today:
                status = MeetingStatus.booked
            else:
                status = MeetingStatus.cancelled if rng.chance(0.05) else MeetingStatus.held
            if status == MeetingStatus.held:
                members = rng.choice((4, 5, 5, 5, 6, 6, 6, 6, 7, 7, 7, 8, 8))
                flags = [_yn(rng.chance(0.97)), _yn(rng.chance(0.95)), _yn(rng.chance(0.9))]
                self.out.row("panel_meetings.csv", [meeting_id, panel, _iso(day), status, members, *flags])
            else:
                self.out.row("panel_meetings.csv", [meeting_id, panel, _iso(day), status, "", "", "", ""])
            if status == MeetingStatus.cancelled:
                continue
            if status == MeetingStatus.booked and rng.chance(0.5):
                continue
            active = [h for h in self.households if h[2] < day and (h[3] is None or h[3] >= day)] or self.households
            cases: list[tuple[str, tuple, str]] = []
            for _ in range(rng.randint(2, 5) if status == MeetingStatus.held else rng.randint(1, 4)):
                case_type = rng.pick(T_FOST if panel == Panel.fostering else T_ADOPT)
                cases.append((case_type, rng.choice(active), ""))
            if panel == Panel.fostering:
                own = [h for h in active if h[1] in CarerType.codes()] or active
                while pending and add_days(pending[0][0], 14) <= day:
                    _closed, ref_id = pending.pop(0)
                    cases.append((REVIEW_AFTER_ALLEGATION, rng.choice(own), ref_id))
            for case_type, household, ref_id in cases:
                case_no += 1
                hid, carer = household[0], household[1]
                papers = add_working_days(day, -(rng.randint(5, 10) if rng.chance(0.88) else rng.randint(1, 4)))
                if papers > today:
                    papers = None
                rec = minutes = adm = None
                decision = ""
                recent = (today - day).days
                if status == MeetingStatus.held and not (recent < 7 and rng.chance(0.3)):
                    if case_type in NO_RECOMMENDATION:
                        rec = Recommendation.not_applicable
                    else:
                        r = rng.random()
                        rec = (
                            Recommendation.positive
                            if r < 0.88
                            else Recommendation.deferred
                            if r < 0.96
                            else Recommendation.negative
                        )
                    minutes = add_days(day, rng.randint(3, 12) if rng.chance(0.85) else rng.randint(13, 30))
                    if minutes > today:
                        minutes = None
                    if minutes and rec != Recommendation.not_applicable:
                        adm = add_working_days(minutes, rng.randint(1, 7) if rng.chance(0.85) else rng.randint(8, 15))
                        if adm > today or (recent < 30 and rng.chance(0.1)):
                            adm = None
                        else:
                            decision = AdmDecision.agreed if rng.chance(0.95) else AdmDecision.not_agreed
                row = [f"PC{case_no:05d}", meeting_id, case_type, hid, carer, _iso(papers), rec or "", _iso(minutes)]
                self.out.row("panel_cases.csv", [*row, decision, _iso(adm), ref_id])


def generate(
    outdir: Path,
    children: int = 200,
    years: int = 3,
    seed: int = 1,
    today: dt.date | None = None,
    caseload: bool = False,
    qaros: int | None = None,
) -> dict[str, int]:
    """Write the 15 CSV files of a synthetic authority into ``outdir``; rows written per file.
    ``caseload``: the demo QARO and the LADOs also hold a current caseload (``QARO_CASELOAD``,
    ``CASELOAD``; for ``demo-data``). ``qaros``: how many QAROs the children are shared among
    (default one per 12 children of the whole history; a real QARO has about 60 looked after at
    a time, which the benchmarks ask for)."""
    if children < 1 or years < 1 or (qaros is not None and qaros < 1):
        raise ValueError("children, years and qaros must be at least 1")
    today = today or clock.today()
    outdir = Path(outdir)
    outdir.mkdir(parents=True, exist_ok=True)
    with ExitStack() as files:
        out = _Out(outdir, files)
        gen = _Generator(out, children, years, seed, today, caseload, qaros)
        gen.officers()
        gen.households_()
        gen.children_()
        gen.lado()
        gen.panels()
    return dict(out.counts)


def name_lado_records(seed: int) -> tuple[int, int]:
    """Give the LADO people and organisations that have no name a made-up one (deterministic for
    a seed; a person also a date of birth; an organisation a name and the sector of its contacts),
    through the models so their name keys are kept for matching. Returns how many of each."""
    from sqlalchemy import func, select

    from tracker.extensions import db
    from tracker.lado.models import LadoContact, LadoOrganisation, LadoPerson

    rng = _stream(seed, "lado_names")
    people = db.session.scalars(select(LadoPerson).where(LadoPerson.name.is_(None)).order_by(LadoPerson.ref)).all()
    for person in people:
        person.name = f"{rng.choice(BOYS + GIRLS)} {rng.choice(SURNAMES)}"
        person.date_of_birth = dt.date(rng.randint(1958, 2002), rng.randint(1, 12), rng.randint(1, 28))
    sectors = dict(
        db.session.execute(
            select(LadoContact.organisation_ref, func.min(LadoContact.employer_sector)).group_by(
                LadoContact.organisation_ref
            )
        )
        .tuples()
        .all()
    )
    organisations = db.session.scalars(
        select(LadoOrganisation).where(LadoOrganisation.name.is_(None)).order_by(LadoOrganisation.ref)
    ).all()
    for organisation in organisations:
        sector = Sector.get(sectors.get(organisation.ref)) or Sector.other
        organisation.name = rng.choice(ORGANISATION_NAMES[sector]).format(rng.choice(PLACES))
        organisation.sector = organisation.sector or sector
    db.session.flush()
    return len(people), len(organisations)


def name_households(seed: int) -> int:
    """Give the foster households that have no name a made-up one ("Smith household") and, where
    none is named, a fostering reviewing officer: the synthetic authority's panel administrators in
    turn (the import format has neither). Deterministic for a seed; returns how many were named."""
    from sqlalchemy import select

    from tracker.extensions import db
    from tracker.panels.models import FosterHousehold

    rng = _stream(seed, "household_names")
    officers = [f"{OFFICER_PREFIXES[Role.panel_admin]}{i}" for i in (1, 2)]
    households = db.session.scalars(
        select(FosterHousehold).where(FosterHousehold.name.is_(None)).order_by(FosterHousehold.household_id)
    ).all()
    for i, household in enumerate(households):
        household.name = f"{rng.choice(SURNAMES)} household"
        if household.reviewing_officer_id is None:
            household.reviewing_officer_id = officers[i % len(officers)]
    db.session.flush()
    return len(households)


def consult_before_reviews(seed: int, as_of: dt.date, qaro: str = "Q1", count: int = 8) -> int:
    """Consultations before the next reviews of the demo QARO's children (the planned date, else
    the due date, from today on): the child, a parent and a carer by email, the social worker on
    paper; some answered (the carers mostly, the parents rarely: 003:L889). Made through the
    consultations' operations; deterministic for a seed; returns how many were started."""
    from sqlalchemy import select

    from tracker.consultations import operations as consultations
    from tracker.consultations.models import ConsultationRound
    from tracker.core import worklist
    from tracker.extensions import db
    from tracker.reviews.models import Child

    rng = _stream(seed, "consultations")
    started = 0
    children = db.session.scalars(
        select(Child)
        .where(
            Child.iro_officer_id == qaro,
            ~select(ConsultationRound.id).where(ConsultationRound.child_pk == Child.id).exists(),
        )
        .order_by(Child.child_id)
    ).all()
    for child in children:
        due = [i.due_date for i in worklist.for_record("child", child.child_id, as_of) if i.kind == "cic_review"]
        review_date = child.planned_review_date or (min(due) if due else None)
        if review_date is None or review_date < as_of or review_date > as_of + dt.timedelta(days=60):
            continue
        round_ = consultations.create_round(child, review_date)
        surname = rng.choice(SURNAMES)
        people = [
            ("child", child.first_name or "The child", f"{(child.first_name or 'child').lower()}@example.net", 0.4),
            ("parent", f"{rng.choice(GIRLS)} {surname}", f"parent.{surname.lower()}@example.net", 0.15),
            ("carer", f"{rng.choice(BOYS)} {rng.choice(SURNAMES)}", f"carer{started}@example.net", 0.7),
            ("social_worker", f"{rng.choice(GIRLS)} {rng.choice(SURNAMES)}", None, 0.5),
        ]
        for kind, name, email, answers in people:
            respondent = consultations.add_respondent(
                round_, respondent_type=kind, name=name, contact_method="email" if email else "paper", email=email
            )
            if rng.chance(answers):
                for question in ("relationships", "wellbeing", "education")[: rng.randint(1, 3)]:
                    consultations.save_answer(respondent, question, DEMO_ANSWERS[question][rng.randint(0, 1)])
                consultations.submit(respondent)
        started += 1
        if started >= count:
            break
    return started


DEMO_ANSWERS = {
    "relationships": ["Gets on well with the other children in the house.", "Misses her brother; they text most days."],
    "wellbeing": ["More settled since the summer.", "Some worries about moving school; talking them through."],
    "education": ["Attending every day; enjoys art.", "Needs the tutoring in maths to carry on."],
}
