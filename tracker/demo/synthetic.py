"""A deterministic synthetic authority in the import format (interchange.md §1).

``generate(outdir, children=200, years=3, seed=1, today=None)`` writes the 15 CSV files that
``flask --app tracker import-data DIR`` reads, and returns the number of data rows written per
file. The same arguments (including ``today``) always give byte-identical files.

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
- The data passes the validation rules of interchange.md §1: no overlapping care periods,
  reviews inside a care period, escalation stages in date order, a referral row for exactly
  the contacts with disposition ``referral``, outcomes/decisions paired with their dates, and
  every reference resolvable inside the file set.

Generation is streamed per child / per contact / per meeting, so ``children=20000, years=5``
runs in well under a minute without holding the whole authority in memory. Pure standard
library plus ``holidays`` (working days are England and Wales bank holidays only, no council
closure days, so the module needs no application context).
"""

from __future__ import annotations

import calendar as _stdcal
import csv
import datetime as dt
import random
from bisect import bisect_left
from pathlib import Path

import holidays

__all__ = ["HEADERS", "generate"]

HEADERS: dict[str, list[str]] = {
    "officers.csv": ["officer_id", "name", "email", "roles", "team"],
    "children.csv": [
        "child_id",
        "first_name",
        "last_name",
        "date_of_birth",
        "gender",
        "ethnicity",
        "uasc",
        "iro_officer_id",
        "iro_contact_expected",
    ],
    "care_periods.csv": ["child_id", "start_date", "end_date", "legal_status"],
    "reviews.csv": [
        "review_id",
        "child_id",
        "review_date",
        "participation_code",
        "recommendations_date",
        "minutes_date",
        "officer_id",
        "advocate",
    ],
    "iro_contacts.csv": ["contact_id", "child_id", "contact_date", "contact_type", "officer_id"],
    "escalations.csv": [
        "escalation_id",
        "child_id",
        "raised_by",
        "areas",
        "external_partner",
        "closed_date",
        "resolution",
    ],
    "escalation_stages.csv": ["escalation_id", "stage", "started_date", "response_date"],
    "lado_contacts.csv": [
        "contact_id",
        "contact_date",
        "referrer_agency",
        "employer_sector",
        "subject_role",
        "subject_ref",
        "employer_ref",
        "categories",
        "disposition",
        "foster_carer_type",
        "foster_carer_agency",
    ],
    "lado_referrals.csv": [
        "referral_id",
        "contact_id",
        "referral_date",
        "police_investigation",
        "outcome",
        "outcome_date",
        "dbs_referral_date",
        "returned_to_panel",
        "child_informed",
        "closed_date",
    ],
    "lado_meetings.csv": ["meeting_id", "referral_id", "meeting_type", "meeting_date"],
    "lado_actions.csv": ["action_id", "referral_id", "description", "owner", "due_date", "completed_date"],
    "panel_meetings.csv": [
        "meeting_id",
        "panel",
        "meeting_date",
        "status",
        "members_present",
        "chair_present",
        "social_worker_present",
        "independent_present",
    ],
    "panel_cases.csv": [
        "case_id",
        "meeting_id",
        "case_type",
        "subject_ref",
        "carer_type",
        "papers_sent_date",
        "recommendation",
        "minutes_final_date",
        "adm_decision",
        "adm_decision_date",
        "lado_referral_id",
    ],
    "foster_households.csv": ["household_id", "carer_type", "approval_date", "end_date"],
    "carer_reviews.csv": ["review_id", "household_id", "review_date", "to_panel"],
}

# --------------------------------------------------------------------------- reference data

TEAMS = ["North", "South", "East", "West"]
BOYS = [
    "Oliver",
    "George",
    "Harry",
    "Noah",
    "Jack",
    "Leo",
    "Arthur",
    "Muhammad",
    "Oscar",
    "Charlie",
    "Jacob",
    "Thomas",
    "Henry",
    "Freddie",
    "Alfie",
    "Theo",
    "William",
    "Theodore",
    "Archie",
    "Joshua",
    "Alexander",
    "James",
    "Isaac",
    "Edward",
    "Lucas",
    "Tommy",
    "Finley",
    "Max",
    "Logan",
    "Ethan",
    "Mason",
    "Harrison",
    "Reggie",
    "Teddy",
    "Riley",
    "Dylan",
    "Jayden",
    "Kai",
    "Tyler",
    "Callum",
    "Ahmed",
    "Omar",
    "Yusuf",
    "Dawit",
    "Kwame",
    "Tomasz",
    "Filip",
    "Liam",
    "Jamal",
    "Reece",
]
GIRLS = [
    "Olivia",
    "Amelia",
    "Isla",
    "Ava",
    "Ivy",
    "Freya",
    "Lily",
    "Florence",
    "Mia",
    "Willow",
    "Rosie",
    "Sophia",
    "Isabella",
    "Grace",
    "Daisy",
    "Sienna",
    "Poppy",
    "Elsie",
    "Emily",
    "Ella",
    "Evelyn",
    "Phoebe",
    "Sofia",
    "Evie",
    "Charlotte",
    "Harper",
    "Millie",
    "Matilda",
    "Maya",
    "Ruby",
    "Chloe",
    "Jessica",
    "Leah",
    "Megan",
    "Holly",
    "Amber",
    "Courtney",
    "Paige",
    "Aaliyah",
    "Zara",
    "Amira",
    "Hana",
    "Precious",
    "Zuzanna",
    "Maja",
    "Niamh",
    "Kayla",
    "Demi",
    "Jade",
    "Tia",
]
SURNAMES = [
    "Smith",
    "Jones",
    "Williams",
    "Taylor",
    "Brown",
    "Davies",
    "Evans",
    "Wilson",
    "Thomas",
    "Johnson",
    "Roberts",
    "Robinson",
    "Thompson",
    "Wright",
    "Walker",
    "White",
    "Edwards",
    "Hughes",
    "Green",
    "Hall",
    "Lewis",
    "Harris",
    "Clarke",
    "Patel",
    "Jackson",
    "Wood",
    "Turner",
    "Martin",
    "Cooper",
    "Hill",
    "Ward",
    "Morris",
    "Moore",
    "Clark",
    "Lee",
    "King",
    "Baker",
    "Harrison",
    "Morgan",
    "Allen",
    "James",
    "Scott",
    "Phillips",
    "Watson",
    "Davis",
    "Parker",
    "Price",
    "Bennett",
    "Young",
    "Griffiths",
    "Mitchell",
    "Kelly",
    "Cook",
    "Carter",
    "Richardson",
    "Bailey",
    "Collins",
    "Bell",
    "Shaw",
    "Murphy",
    "Miller",
    "Cox",
    "Richards",
    "Khan",
    "Marshall",
    "Anderson",
    "Simpson",
    "Ellis",
    "Adams",
    "Singh",
    "Begum",
    "Wilkinson",
    "Foster",
    "Chapman",
    "Powell",
    "Webb",
    "Rogers",
    "Gray",
    "Mason",
    "Ali",
    "Hunt",
    "Hussain",
    "Campbell",
    "Matthews",
    "Owen",
    "Palmer",
    "Holmes",
    "Mills",
    "Barnes",
    "Knight",
    "Lloyd",
    "Butler",
    "Russell",
    "Barker",
    "Fisher",
    "Stevens",
    "Jenkins",
    "Murray",
    "Dixon",
    "Harvey",
    "Reid",
    "Okafor",
    "Mensah",
    "Nowak",
    "Kowalski",
    "Haile",
    "Ahmadi",
    "Rahimi",
]
ETHNICITIES = [
    ("White British", 68),
    ("White Irish", 1),
    ("Traveller of Irish heritage", 1),
    ("Gypsy/Roma", 1),
    ("Any other White background", 5),
    ("White and Black Caribbean", 4),
    ("White and Black African", 1),
    ("White and Asian", 2),
    ("Any other mixed background", 3),
    ("Indian", 1),
    ("Pakistani", 2),
    ("Bangladeshi", 1),
    ("Any other Asian background", 1),
    ("Caribbean", 2),
    ("African", 3),
    ("Any other Black background", 1),
    ("Chinese", 1),
    ("Any other ethnic group", 2),
]
UASC_ETHNICITIES = [
    ("Any other ethnic group", 30),
    ("African", 30),
    ("Any other Asian background", 25),
    ("Any other White background", 5),
    ("Any other Black background", 10),
]
LEGAL_STATUS = [("C2", 45), ("C1", 18), ("V2", 22), ("E1", 12), ("J2", 3)]
PARTICIPATION = [("PN1", 44), ("PN5", 14), ("PN6", 24), ("PN2", 3), ("PN3", 3), ("PN4", 3), ("PN7", 6), ("", 3)]
CONTACT_TYPES = [("visit", 45), ("phone", 14), ("video", 14), ("text", 10), ("letter_card", 9), ("other", 8)]
AREAS = [
    "statutory_requirements",
    "care_plan",
    "review_decisions",
    "services",
    "voice_of_child",
    "health",
    "education",
    "transitions",
    "living_arrangements",
    "family_time",
    "safety",
    "life_story",
    "staff_turnover",
    "other",
]
AREA_WEIGHTS = [14, 16, 10, 9, 5, 7, 8, 6, 9, 7, 5, 5, 4, 3]
EXTERNAL_PARTNERS = ["health", "CAMHS", "education", "dentistry", "provider"]
SECTORS = [
    ("education", 28),
    ("early_years", 8),
    ("foster_care", 12),
    ("residential_care", 8),
    ("social_care", 6),
    ("health", 7),
    ("police", 4),
    ("armed_forces", 1),
    ("sport", 5),
    ("faith", 3),
    ("voluntary", 5),
    ("transport", 5),
    ("self_employed", 2),
    ("other", 6),
]
SUBJECT_ROLES = {
    "education": ["Teacher", "Teaching assistant", "Headteacher", "Lunchtime supervisor", "Supply teacher", "Tutor"],
    "early_years": ["Nursery practitioner", "Childminder", "Nursery manager"],
    "foster_care": ["Foster carer", "Foster carer's adult child", "Connected carer"],
    "residential_care": ["Residential worker", "Home manager", "Night worker"],
    "social_care": ["Social worker", "Family support worker", "Personal assistant"],
    "health": ["Nurse", "Doctor", "Health care assistant", "Therapist"],
    "police": ["Police officer", "PCSO"],
    "armed_forces": ["Cadet instructor", "Service member"],
    "sport": ["Coach", "Swimming instructor", "Club volunteer"],
    "faith": ["Faith leader", "Youth leader"],
    "voluntary": ["Youth worker", "Volunteer", "Scout leader"],
    "transport": ["Taxi driver", "Bus escort", "School transport driver"],
    "self_employed": ["Private tutor", "Music teacher", "Photographer"],
    "other": ["Worker", "Volunteer", "Contractor"],
}
REFERRER_AGENCIES = [
    ("Employer", 35),
    ("Police", 15),
    ("Children's social care", 15),
    ("Parent/carer", 10),
    ("Ofsted", 5),
    ("Health", 7),
    ("School", 8),
    ("Other local authority", 3),
    ("Anonymous", 2),
]
CATEGORIES = [
    ("physical", 35),
    ("sexual", 18),
    ("emotional", 12),
    ("neglect", 8),
    ("transferable_risk", 12),
    ("conduct", 15),
]
OUTCOMES = [("substantiated", 30), ("unsubstantiated", 25), ("unfounded", 18), ("false", 22), ("malicious", 5)]
ACTION_DESCRIPTIONS = [
    "Safeguarding training for staff",
    "Review of safer recruitment practice",
    "Risk assessment to be completed",
    "Disciplinary investigation",
    "Update code of conduct",
    "Supervision arrangements reviewed",
    "Referral to regulator",
    "Letter of outcome to subject",
    "Review of safeguarding policy",
    "Support plan for the child",
]
ACTION_OWNERS = ["Employer", "LADO", "HR", "Headteacher", "Fostering team", "Designated safeguarding lead", "Police"]
CARER_TYPES = [("mainstream", 64), ("connected", 26), ("foster_to_adopt", 4), ("temporary", 6)]
FOSTERING_CASES = [
    ("approval", 20),
    ("reg25_extension", 5),
    ("resignation", 8),
    ("deregistration", 3),
    ("first_review", 15),
    ("third_year_review", 8),
    ("change_of_terms", 10),
    ("long_term_match", 15),
    ("other", 5),
]
ADOPTION_CASES = [
    ("adopter_approval", 35),
    ("match", 40),
    ("adopter_deregistration", 8),
    ("relinquished_child", 5),
    ("other", 12),
]


def _table(pairs):
    values = [v for v, _ in pairs]
    cum, total = [], 0
    for _, w in pairs:
        total += w
        cum.append(total)
    return values, cum, total


class _Rng(random.Random):
    """``random.Random`` with a fast weighted choice over pre-built tables."""

    def pick(self, table):
        values, cum, total = table
        return values[bisect_left(cum, self.random() * total + 1e-12)] if total else values[0]

    def chance(self, p: float) -> bool:
        return self.random() < p


def _stream(seed: int, name: str) -> _Rng:
    # A string seed is hashed with SHA-512 (deterministic across processes), and a separate
    # stream per section keeps one section's changes from reshuffling the others.
    return _Rng(f"tracker-synthetic:{seed}:{name}")


T_ETH, T_UASC_ETH, T_LEGAL, T_PART, T_CONTACT = map(
    _table, (ETHNICITIES, UASC_ETHNICITIES, LEGAL_STATUS, PARTICIPATION, CONTACT_TYPES)
)
T_AREA = _table(list(zip(AREAS, AREA_WEIGHTS)))
T_SECTOR, T_REFERRER, T_CATEGORY, T_OUTCOME, T_CARER, T_FOST, T_ADOPT = map(
    _table, (SECTORS, REFERRER_AGENCIES, CATEGORIES, OUTCOMES, CARER_TYPES, FOSTERING_CASES, ADOPTION_CASES)
)
# Age on entering care (DfE looked-after statistics: many babies, a bulge at 10-17).
T_ENTRY_AGE = _table([(a, w) for a, w in enumerate([19, 4, 4, 4, 4, 3, 3, 3, 3, 3, 5, 5, 5, 6, 6, 6, 9, 8])])
T_REC_WD = _table([(1, 18), (2, 20), (3, 20), (4, 16), (5, 13), (6, 7), (7, 6)])

# --------------------------------------------------------------------------- dates


def _add_months(d: dt.date, n: int) -> dt.date:
    index = d.year * 12 + d.month - 1 + n
    year, month = divmod(index, 12)
    return dt.date(year, month + 1, min(d.day, _stdcal.monthrange(year, month + 1)[1]))


def _days(d: dt.date, n: int) -> dt.date:
    return d + dt.timedelta(days=n)


class _WorkingDays:
    """Working days (Mon–Fri, not an England and Wales bank holiday) by table look-up."""

    def __init__(self, first: dt.date, last: dt.date):
        bank = holidays.UK(subdiv="ENG", years=range(first.year, last.year + 1))
        self.lo = first.toordinal()
        self.cum: list[int] = []  # working days up to and including each date
        self.days: list[int] = []  # ordinals of the working days
        count = 0
        for o in range(self.lo, last.toordinal() + 1):
            day = dt.date.fromordinal(o)
            if day.weekday() < 5 and day not in bank:
                self.days.append(o)
                count += 1
            self.cum.append(count)

    def is_working(self, d: dt.date) -> bool:
        i = d.toordinal() - self.lo
        return self.cum[i] != (self.cum[i - 1] if i else 0)

    def add(self, d: dt.date, n: int) -> dt.date:
        """The n-th working day strictly after ``d`` (n < 0: strictly before; 0: ``d``)."""
        if n == 0:
            return d
        i = d.toordinal() - self.lo
        if n > 0:
            return dt.date.fromordinal(self.days[self.cum[i] + n - 1])
        before = self.cum[i] - (1 if self.is_working(d) else 0)
        return dt.date.fromordinal(self.days[before + n])

    def on_or_before(self, d: dt.date) -> dt.date:
        return d if self.is_working(d) else self.add(d, -1)

    def on_or_after(self, d: dt.date) -> dt.date:
        return d if self.is_working(d) else self.add(d, 1)


def _iso(d: dt.date | None) -> str:
    return d.isoformat() if d else ""


def _yn(flag: bool) -> str:
    return "Y" if flag else "N"


# --------------------------------------------------------------------------- output


class _Out:
    """One open csv.writer per file; counts data rows."""

    def __init__(self, outdir: Path):
        self.files = {}
        self.writers = {}
        self.counts = {}
        for name, header in HEADERS.items():
            fh = open(outdir / name, "w", newline="", encoding="utf-8")
            self.files[name] = fh
            self.writers[name] = csv.writer(fh, lineterminator="\n")
            self.writers[name].writerow(header)
            self.counts[name] = 0

    def row(self, name: str, values) -> None:
        self.writers[name].writerow(values)
        self.counts[name] += 1

    def close(self) -> None:
        for fh in self.files.values():
            fh.close()


# --------------------------------------------------------------------------- generator


class _Generator:
    def __init__(self, out: _Out, children: int, years: int, seed: int, today: dt.date):
        self.out = out
        self.n_children = children
        self.years = years
        self.seed = seed
        self.today = today
        self.window_start = _add_months(today, -12 * years)
        self.wd = _WorkingDays(dt.date(self.window_start.year - 12, 1, 1), dt.date(today.year + 4, 12, 31))
        self.qaros: list[str] = []
        self.households: list[tuple[str, str, dt.date, dt.date | None]] = []
        self.returned_referrals: list[tuple[dt.date, str]] = []

    # ---------------------------------------------------------------- officers
    def officers(self) -> None:
        n_qaro = max(3, round(self.n_children / 12))
        n_mgr = 1 if n_qaro <= 12 else 2
        rng = _stream(self.seed, "officers")
        rows = []
        for i in range(1, n_qaro + 1):
            rows.append((f"Q{i}", "qaro", TEAMS[(i - 1) % len(TEAMS)]))
        for i in range(1, n_mgr + 1):
            rows.append((f"M{i}", "iro_manager", TEAMS[(i - 1) % len(TEAMS)]))
        rows += [
            ("L1", "lado", ""),
            ("L2", "lado", ""),
            ("LM1", "lado_manager", ""),
            ("PA1", "panel_admin", ""),
            ("PA2", "panel_admin", ""),
            ("ADM1", "adm", ""),
        ]
        for officer_id, role, team in rows:
            name = f"{rng.choice(BOYS + GIRLS)} {rng.choice(SURNAMES)}"
            self.out.row("officers.csv", [officer_id, name, f"{officer_id.lower()}@example.org", role, team])
        self.qaros = [f"Q{i}" for i in range(1, n_qaro + 1)]

    # ---------------------------------------------------------------- foster households
    def households_(self) -> None:
        rng = _stream(self.seed, "households")
        n = max(20, round(self.n_children * 0.3))
        earliest = _add_months(self.window_start, -96)
        span = (self.today - earliest).days
        drafts = []
        for _ in range(n):
            carer = rng.pick(T_CARER)
            approval = self.wd.on_or_before(_days(earliest, rng.randrange(span)))
            if approval < earliest:
                approval = earliest
            if carer == "temporary":
                end = _days(approval, rng.randint(100, 170))
            elif rng.chance(0.45):
                end = _days(approval, rng.randint(180, 365 * 10))
            else:
                end = None
            if end is not None and end > self.today:
                end = None
            drafts.append((approval, carer, end))
        drafts.sort(key=lambda x: x[0])
        width = max(3, len(str(n)))
        for i, (approval, carer, end) in enumerate(drafts, 1):
            hid = f"H{i:0{width}d}"
            self.households.append((hid, carer, approval, end))
            self.out.row("foster_households.csv", [hid, carer, _iso(approval), _iso(end)])
            if carer == "temporary":
                continue
            last_day = min(end or self.today, self.today)
            prev, k = approval, 0
            while True:
                due = _add_months(prev, 12)
                r = rng.random()
                if r < 0.55:
                    held = _days(due, -rng.randint(0, 40))  # local target is 11 months
                elif r < 0.88:
                    held = _days(due, -rng.randint(0, 10))
                else:
                    held = _days(due, rng.randint(1, 50))
                held = self.wd.on_or_before(held)
                if held <= prev:
                    held = _days(prev, 300)
                if held > last_day:
                    break
                k += 1
                self.out.row("carer_reviews.csv", [f"{hid}r{k}", hid, _iso(held), _yn(k == 1 or k % 3 == 0)])
                prev = held

    # ---------------------------------------------------------------- children
    @staticmethod
    def _stay(rng: _Rng) -> int:
        """Length of a care period in days (ends at 18 at the latest)."""
        r = rng.random()
        return rng.randint(20, 365) if r < 0.32 else rng.randint(365, 4 * 365) if r < 0.72 else 20 * 365

    def children_(self) -> None:
        rng = _stream(self.seed, "children")
        today, wd = self.today, self.wd
        earliest_start = _add_months(self.window_start, -8 * 12)
        width = max(5, len(str(self.n_children)))
        review_no = contact_no = esc_no = 0
        rw, cw = "reviews.csv", "iro_contacts.csv"
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
                lo = max(_days(self.window_start, -length), earliest_start)
                start = _days(lo, rng.randint(0, (today - lo).days))
                entry_days = (
                    rng.randint(14 * 365 + 4, 17 * 365 + 200)
                    if uasc
                    else rng.pick(T_ENTRY_AGE) * 365 + rng.randint(0, 364)
                )
                dob = _days(start, -entry_days)
                if min(_days(start, length), _add_months(dob, 18 * 12)) >= self.window_start:
                    break
            first = rng.choice(BOYS if gender == "Male" else GIRLS)
            qaro = rng.choice(self.qaros)
            expected = not rng.chance(0.04)
            self.out.row(
                "children.csv",
                [child_id, first, rng.choice(SURNAMES), _iso(dob), gender, ethnicity, _yn(uasc), qaro, _yn(expected)],
            )

            # care periods: one, sometimes left and returned; looked after only until 18
            leaves_at_18 = _days(_add_months(dob, 18 * 12), -1)
            periods: list[tuple[dt.date, dt.date | None, str]] = []
            for n_period in range(2):
                end = min(_days(start, length), leaves_at_18)
                if end > today:
                    end = None
                periods.append((start, end, rng.pick(T_LEGAL)))
                if end is None or n_period == 1 or not rng.chance(0.24):
                    break
                start = _days(end, rng.randint(30, 500))
                if start > today or start >= leaves_at_18:
                    break
                length = self._stay(rng)
            for start, end, legal in periods:
                self.out.row("care_periods.csv", [child_id, _iso(start), _iso(end), legal])

            for start, end, legal in periods:
                last_day = min(end or today, today)
                # reviews, reg 33 chain
                prev = None
                n_review = 0
                while True:
                    n_review += 1
                    if prev is None:
                        due = wd.add(start, 20)
                        early_max = 14
                    elif n_review == 2:
                        due = _add_months(prev, 3)
                        early_max = 30
                    else:
                        due = _add_months(prev, 6)
                        early_max = 60
                    r = rng.random()
                    if r < 0.62:
                        held = _days(due, -rng.randint(0, 7))
                    elif r < 0.87:
                        held = _days(due, -rng.randint(8, early_max))
                    elif r < 0.95:
                        held = _days(due, rng.randint(1, 14))
                    else:
                        held = _days(due, rng.randint(15, 60))
                    floor = start if prev is None else _days(prev, 14)
                    if held < floor:
                        held = floor
                    adjusted = wd.on_or_before(held)
                    if adjusted >= floor:
                        held = adjusted
                    if held > last_day:
                        break
                    age_years = (held - dob).days / 365.25
                    code = "PN0" if age_years < 4 else rng.pick(T_PART)
                    recent = (today - held).days
                    rec = wd.add(held, rng.pick(T_REC_WD))
                    if rec > today or (recent < 20 and rng.chance(0.1)) or rng.chance(0.005):
                        rec = None
                    minutes = _days(held, rng.randint(5, 30) if rng.chance(0.9) else rng.randint(31, 60))
                    if minutes > today or (recent < 45 and rng.chance(0.2)):
                        minutes = None
                    officer = qaro if rng.chance(0.92) else rng.choice(self.qaros)
                    advocate = rng.chance(0.8) if code in ("PN2", "PN5") else rng.chance(0.08)
                    review_no += 1
                    self.out.row(
                        rw,
                        [
                            f"R{review_no:06d}",
                            child_id,
                            _iso(held),
                            code,
                            _iso(rec),
                            _iso(minutes),
                            officer,
                            _yn(advocate),
                        ],
                    )
                    prev = held

                # IRO contacts between reviews
                if expected or rng.chance(0.3):
                    contact = _days(start, rng.randint(7, 60))
                    while contact <= last_day:
                        contact_no += 1
                        officer = qaro if rng.chance(0.95) else rng.choice(self.qaros)
                        self.out.row(cw, [f"K{contact_no:06d}", child_id, _iso(contact), rng.pick(T_CONTACT), officer])
                        r = rng.random()
                        gap = (
                            rng.randint(30, 120)
                            if r < 0.7
                            else rng.randint(121, 182)
                            if r < 0.94
                            else rng.randint(183, 260)
                        )
                        contact = _days(contact, gap)

            # escalations: ~15% of children over the window
            n_esc = (2 if rng.chance(0.1) else 1) if rng.chance(0.15) else 0
            for _ in range(n_esc):
                spans = []
                for start, end, _legal in periods:
                    a, b = max(start, self.window_start), min(end or today, _days(today, -1))
                    if (b - a).days >= 5:
                        spans.append((a, b))
                if not spans:
                    break
                a, b = rng.choice(spans)
                esc_no += 1
                self._escalation(rng, f"E{esc_no:06d}", child_id, qaro, _days(a, rng.randint(0, (b - a).days)))

    def _escalation(self, rng: _Rng, esc_id: str, child_id: str, qaro: str, day: dt.date) -> None:
        wd, today = self.wd, self.today
        stage = "informal" if rng.chance(0.78) else "stage1"
        stages = []
        started = wd.on_or_before(day)
        while True:
            if stage == "cafcass":
                response = None
            else:
                response = wd.add(started, rng.randint(2, 14) if stage == "informal" else rng.randint(1, 8))
                if response > today or rng.chance(0.12):
                    response = None
            stages.append((stage, started, response))
            if stage == "cafcass":
                break
            if rng.chance(0.015):
                nxt = "cafcass"
            elif stage == "informal":
                nxt = "stage1" if rng.chance(0.35) else None
            elif stage == "stage5":
                nxt = None
            else:
                level = int(stage[-1])
                nxt = f"stage{level + 1}" if rng.chance(0.3 if level < 4 else 0.12) else None
            if nxt is None:
                break
            following = _days(response or started, rng.randint(1, 15))
            following = wd.on_or_after(following)
            if following > today:
                break
            stage, started = nxt, following
        last_stage, last_start, last_response = stages[-1]
        if last_stage == "cafcass":
            closed = _days(last_start, rng.randint(0, 10))
            resolution = "referred_to_cafcass"
        else:
            closed = _days(last_response or last_start, rng.randint(0, 30))
            resolution = "resolved" if rng.chance(0.8) else "withdrawn"
        latest = max([s for _, s, _ in stages] + [r for _, _, r in stages if r])
        if closed < latest:
            closed = latest
        if closed > today or ((today - last_start).days < 60 and rng.chance(0.3)):
            closed, resolution = None, ""
        n_areas = 1 if rng.chance(0.55) else 2 if rng.chance(0.7) else 3
        areas: list[str] = []
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
        wd, today, w0 = self.wd, self.today, self.window_start
        span = (today - w0).days
        total = max(30, round(self.n_children * 0.25)) * self.years
        dates = []
        for _ in range(total):
            d = _days(w0, rng.randint(0, span))
            adjusted = wd.on_or_before(d)
            dates.append(adjusted if adjusted >= w0 else d)
        dates.sort()
        subjects: list[tuple[str, str, str, str, str, str]] = []  # ref, sector, role, employer, type, agency
        orgs: dict[str, list[str]] = {}
        n_person = n_org = n_ref = 0
        width = max(5, len(str(total)))
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
                if sector == "foster_care":
                    ftype = "mainstream" if rng.chance(0.7) else "connected"
                    fagency = "own" if rng.chance(0.55) else "other_la" if rng.chance(0.35) else "ifa"
                else:
                    ftype = fagency = ""
                n_person += 1
                subject_ref = f"P{n_person:04d}"
                subjects.append((subject_ref, sector, role, employer, ftype, fagency))
            n_cat = 1 if rng.chance(0.7) else 2
            cats: list[str] = []
            while len(cats) < n_cat:
                cat = rng.pick(T_CATEGORY)
                if cat not in cats:
                    cats.append(cat)
            r = rng.random()
            if sector == "foster_care":
                disposition = (
                    "referral"
                    if r < 0.36
                    else "standards_of_care"
                    if r < 0.62
                    else "advice"
                    if r < 0.82
                    else "no_further_action"
                    if r < 0.95
                    else "internal_investigation"
                )
            else:
                disposition = (
                    "referral"
                    if r < 0.33
                    else "advice"
                    if r < 0.72
                    else "internal_investigation"
                    if r < 0.86
                    else "no_further_action"
                )
            shown_ref = subject_ref
            if disposition in ("advice", "no_further_action") and rng.chance(0.12):
                shown_ref = ""  # anonymous consultation
            self.out.row(
                "lado_contacts.csv",
                [
                    contact_id,
                    _iso(contact_date),
                    rng.pick(T_REFERRER),
                    sector,
                    role,
                    shown_ref,
                    employer,
                    ";".join(cats),
                    disposition,
                    ftype,
                    fagency,
                ],
            )
            if disposition == "referral":
                n_ref += 1
                self._referral(
                    rng,
                    f"LR{n_ref:0{width}d}",
                    contact_id,
                    contact_date,
                    cats,
                    sector == "foster_care" and fagency == "own",
                )

    def _referral(
        self, rng: _Rng, ref_id: str, contact_id: str, contact_date: dt.date, cats: list[str], own_carer: bool
    ) -> None:
        wd, today = self.wd, self.today
        r = rng.random()
        referral = wd.add(contact_date, 0 if r < 0.6 else 1 if r < 0.9 else 2)
        if referral > today:
            referral = contact_date
        police = rng.chance(0.55 if ("sexual" in cats or "physical" in cats) else 0.15)
        meetings: list[tuple[str, str, dt.date]] = []
        outcome_date = None
        iem = wd.add(referral, rng.randint(1, 5) if rng.chance(0.8) else rng.randint(6, 12))
        if iem <= today:
            if rng.chance(0.25 + (0.25 if police else 0)):
                strategy = wd.add(referral, rng.randint(0, 3))
                if strategy <= today:
                    meetings.append(("s", "strategy", strategy))
            meetings.append(("i", "iem", iem))
            if rng.chance(0.3):
                outcome_date = iem  # concluded at the IEM
            else:
                paim = _days(iem, rng.randint(7, 28) if rng.chance(0.85) else rng.randint(29, 60))
                if police and rng.chance(0.35):  # waits for the police investigation
                    paim = _days(paim, rng.randint(14, 90))
                    if rng.chance(0.5):
                        review = wd.on_or_after(_days(iem, rng.randint(14, 28)))
                        if review <= today and review < paim:
                            meetings.append(("r", "review", review))
                elif rng.chance(0.05):
                    review = wd.on_or_after(_days(paim, rng.randint(14, 42)))
                    if review <= today:
                        meetings.append(("r", "review", review))
                paim = wd.on_or_after(paim)
                if paim <= today:
                    meetings.append(("p", "paim", paim))
                    outcome_date = paim if rng.chance(0.85) else _days(paim, rng.randint(7, 60))
        if outcome_date is not None and outcome_date > today:
            outcome_date = None
        outcome = rng.pick(T_OUTCOME) if outcome_date else ""
        closed = dbs = None
        if outcome_date:
            closed = outcome_date if rng.chance(0.5) else _days(outcome_date, rng.randint(1, 30))
            if closed > today:
                closed = None
            if outcome == "substantiated" and rng.chance(0.5):
                dbs = _days(outcome_date, rng.randint(0, 30))
                if dbs > today:
                    dbs = None
        returned = own_carer and closed is not None and rng.chance(0.9)
        informed = bool(outcome) and rng.chance(0.8)
        self.out.row(
            "lado_referrals.csv",
            [
                ref_id,
                contact_id,
                _iso(referral),
                _yn(police),
                outcome,
                _iso(outcome_date),
                _iso(dbs),
                _yn(returned),
                _yn(informed),
                _iso(closed),
            ],
        )
        for suffix, kind, day in sorted(meetings, key=lambda m: m[2]):
            self.out.row("lado_meetings.csv", [f"{ref_id}{suffix}", ref_id, kind, _iso(day)])
        if returned:
            self.returned_referrals.append((closed, ref_id))
        anchor = outcome_date or (iem if iem <= today else None)
        if anchor is None:
            return
        n_actions = rng.choice((0, 0, 0, 1, 1, 1, 2, 2, 3)) if outcome_date else (1 if rng.chance(0.3) else 0)
        for k in range(1, n_actions + 1):
            due = _days(anchor, rng.randint(14, 120))
            done = None
            if rng.chance(0.7):
                done = _days(anchor, rng.randint(1, (due - anchor).days + 30))
                if done > today:
                    done = None
            self.out.row(
                "lado_actions.csv",
                [
                    f"{ref_id}a{k}",
                    ref_id,
                    rng.choice(ACTION_DESCRIPTIONS),
                    rng.choice(ACTION_OWNERS),
                    _iso(due),
                    _iso(done),
                ],
            )

    # ---------------------------------------------------------------- panels
    def _panel_dates(self) -> list[tuple[dt.date, str]]:
        last = _days(self.today, 42)
        out = []
        year, month = self.window_start.year, self.window_start.month
        while dt.date(year, month, 1) <= last:
            tuesdays = [
                d for d in range(1, _stdcal.monthrange(year, month)[1] + 1) if dt.date(year, month, d).weekday() == 1
            ]
            thursdays = [
                d for d in range(1, _stdcal.monthrange(year, month)[1] + 1) if dt.date(year, month, d).weekday() == 3
            ]
            for d, panel in ((tuesdays[1], "fostering"), (tuesdays[3], "fostering"), (thursdays[2], "adoption")):
                day = self.wd.on_or_after(dt.date(year, month, d))
                if self.window_start <= day <= last:
                    out.append((day, panel))
            month += 1
            if month == 13:
                year, month = year + 1, 1
        out.sort()
        return out

    def panels(self) -> None:
        rng = _stream(self.seed, "panels")
        wd, today = self.wd, self.today
        pending = sorted(self.returned_referrals)  # (closed_date, referral_id)
        case_no = 0
        for m, (day, panel) in enumerate(self._panel_dates(), 1):
            meeting_id = f"PM{m:04d}"
            if day > today:
                status = "booked"
            else:
                status = "cancelled" if rng.chance(0.05) else "held"
            if status == "held":
                members = rng.choice((4, 5, 5, 5, 6, 6, 6, 6, 7, 7, 7, 8, 8))
                flags = [_yn(rng.chance(0.97)), _yn(rng.chance(0.95)), _yn(rng.chance(0.9))]
                self.out.row("panel_meetings.csv", [meeting_id, panel, _iso(day), status, members, *flags])
            else:
                self.out.row("panel_meetings.csv", [meeting_id, panel, _iso(day), status, "", "", "", ""])
            if status == "cancelled":
                continue
            if status == "booked" and rng.chance(0.5):
                continue
            active = [h for h in self.households if h[2] < day and (h[3] is None or h[3] >= day)] or self.households
            cases: list[tuple[str, tuple, str]] = []
            for _ in range(rng.randint(2, 5) if status == "held" else rng.randint(1, 4)):
                case_type = rng.pick(T_FOST if panel == "fostering" else T_ADOPT)
                cases.append((case_type, rng.choice(active), ""))
            if panel == "fostering":
                own = [h for h in active if h[1] in ("mainstream", "connected")] or active
                while pending and _days(pending[0][0], 14) <= day:
                    _closed, ref_id = pending.pop(0)
                    cases.append(("review_after_allegation", rng.choice(own), ref_id))
            for case_type, household, ref_id in cases:
                case_no += 1
                hid, carer = household[0], household[1]
                papers = wd.add(day, -(rng.randint(5, 10) if rng.chance(0.88) else rng.randint(1, 4)))
                if papers > today:
                    papers = None
                rec = minutes = adm = None
                decision = ""
                recent = (today - day).days
                if status == "held" and not (recent < 7 and rng.chance(0.3)):
                    if case_type in ("resignation", "adopter_deregistration"):
                        rec = "not_applicable"
                    else:
                        r = rng.random()
                        rec = "positive" if r < 0.88 else "deferred" if r < 0.96 else "negative"
                    minutes = _days(day, rng.randint(3, 12) if rng.chance(0.85) else rng.randint(13, 30))
                    if minutes > today:
                        minutes = None
                    if minutes and rec != "not_applicable":
                        adm = wd.add(minutes, rng.randint(1, 7) if rng.chance(0.85) else rng.randint(8, 15))
                        if adm > today or (recent < 30 and rng.chance(0.1)):
                            adm = None
                        else:
                            decision = "agreed" if rng.chance(0.95) else "not_agreed"
                self.out.row(
                    "panel_cases.csv",
                    [
                        f"PC{case_no:05d}",
                        meeting_id,
                        case_type,
                        hid,
                        carer,
                        _iso(papers),
                        rec or "",
                        _iso(minutes),
                        decision,
                        _iso(adm),
                        ref_id,
                    ],
                )


def generate(
    outdir: Path, children: int = 200, years: int = 3, seed: int = 1, today: dt.date | None = None
) -> dict[str, int]:
    """Write the 15 CSV files of a synthetic authority into ``outdir``; rows written per file."""
    if children < 1 or years < 1:
        raise ValueError("children and years must be at least 1")
    today = today or dt.date.today()
    outdir = Path(outdir)
    outdir.mkdir(parents=True, exist_ok=True)
    out = _Out(outdir)
    try:
        gen = _Generator(out, children, years, seed, today)
        gen.officers()
        gen.households_()
        gen.children_()
        gen.lado()
        gen.panels()
    finally:
        out.close()
    return dict(out.counts)
