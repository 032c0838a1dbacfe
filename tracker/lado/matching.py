"""Who a LADO contact is about (domain.md §6, repeat concerns, 003:L1445): people and
organisations as entities.

- **The name key** (``name_key``): a name lower-cased, without accents or punctuation, its
  words sorted ("Smith, JOHN" = "John Smith" → ``john smith``). It is set on every insert and
  update of a person or organisation, whatever the path (operations, the import, the demo
  data, a test adding a row): the mapper events at the end of this module recompute it from
  ``name``. A row saved before this module existed gets its key the next time it is saved.
- **Possible matches** (``candidates``): the people a name (with a date of birth and the
  organisations of the contact) may be. The database narrows them by what it can compare
  the same way on SQLite and PostgreSQL — the same date of birth; every word of the name
  starting as a word of their name key does (its first two letters); an other name they are
  known by containing those letters; a contact about them at the same organisation — and
  the similarity of the names is scored here, in Python (rapidfuzz), over that bounded set.
  A person merged into another is never offered: the person kept is, instead.
- **The same person** across merges (``same_person``): a duplicate merged by a LADO manager
  keeps its row, pointing at the person kept (``merged_into_ref``); contacts about the
  duplicate (an import's file may still name it) count as contacts about the person kept.
- **Repeat concerns** (``contacts_in_two_years``): how many contacts about the same person, or
  the same organisation, in the 2 years up to a contact's date (one query).

Names are compared here and shown on LADO pages only; they never go to a URL, a log line or
an audit summary.
"""

from __future__ import annotations

import datetime as dt
import re
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass, field

from rapidfuzz import fuzz
from sqlalchemy import and_, case, event, func, literal, or_, select
from sqlalchemy.orm import aliased, joinedload

from tracker.core import calendar
from tracker.core.enums import CodeEnum
from tracker.core.errors import DomainError
from tracker.extensions import db
from tracker.lado.models import LadoContact, LadoOrganisation, LadoPerson, LadoReferral

KEY_LENGTH = 200  # lado_persons.name_key, lado_organisations.name_key
REPEAT_MONTHS = 24  # "Nth contact about this person in 2 years"
NEW_PERSON = "new"  # the choice "This is a new person" on the contact forms
NARROWED_LIMIT = 500  # people the database hands over for scoring, at most
OFFERED_LIMIT = 10  # possible matches shown, at most

# scores (0–100, ``similarity``) from which a name is "similar", by what else agrees
SIMILAR_WITH_DOB = 75  # the same date of birth
SIMILAR_AT_ORGANISATION = 80  # a contact about them at the same organisation
SIMILAR_NAME_ONLY = 90  # a date of birth not recorded for one of them
SIMILAR_OTHER_NAME = 90  # one of the other names they are known by

# letters that Unicode does not decompose into a base letter and an accent
_LETTERS = str.maketrans({"ø": "o", "æ": "ae", "œ": "oe", "ł": "l", "đ": "d", "ð": "d", "þ": "th", "ı": "i"})
_APOSTROPHES = re.compile(r"['’‘`´]")
_NOT_WORD = re.compile(r"[\W_]+")


# --- the name key ------------------------------------------------------------------------------


def normalise(name: str | None) -> str:
    """A name lower-cased (``casefold``: ß → ss), without accents, apostrophes (O'Brien →
    obrien) or other punctuation (a hyphen separates words), single-spaced, in its own order."""
    text = unicodedata.normalize("NFKD", (name or "").casefold())
    text = "".join(ch for ch in text if not unicodedata.combining(ch)).translate(_LETTERS)
    text = _APOSTROPHES.sub("", text)
    return " ".join(_NOT_WORD.sub(" ", text).split())


def name_key(name: str | None) -> str | None:
    """The normalised name with its words sorted ("Smith John" = "John Smith"), or None for a
    blank name: what ``lado_persons.name_key`` and ``lado_organisations.name_key`` hold."""
    key = " ".join(sorted(normalise(name).split()))[:KEY_LENGTH].strip()
    return key or None


def similarity(a: str | None, b: str | None) -> float:
    """How alike two names are, 0 to 100 (100: the same name key). The better of the two names
    compared word-sorted and in their own order (rapidfuzz's normalised Indel similarity); a
    name whose words are all in the other, with two words at least, scores 95 (a middle name
    left out: "John Smith" and "John Paul Smith")."""
    ka, kb = name_key(a), name_key(b)
    if ka is None or kb is None:
        return 0.0
    if ka == kb:
        return 100.0
    score = max(fuzz.ratio(ka, kb), fuzz.ratio(normalise(a), normalise(b)))
    shorter, longer = sorted((set(ka.split()), set(kb.split())), key=len)
    if len(shorter) >= 2 and shorter < longer:
        score = max(score, 95.0)
    return round(score, 1)


def name_lines(text: str | None) -> list[str]:
    """The names of ``other_names`` (one a line), stripped, without blank lines."""
    return [line.strip() for line in (text or "").splitlines() if line.strip()]


def with_name(other_names: str | None, *names: str | None) -> str:
    """``other_names`` with each of ``names`` added as a line, unless it is blank or its key is
    there already."""
    lines = name_lines(other_names)
    keys = {name_key(line) for line in lines}
    for name in names:
        key = name_key(name)
        if key is not None and key not in keys:
            lines.append(name.strip())
            keys.add(key)
    return "\n".join(lines)


def known_by(person: LadoPerson, name: str | None) -> bool:
    """``name`` is the person's name or one of their other names (by name key)."""
    key = name_key(name)
    return key is not None and key in {name_key(n) for n in [person.name, *name_lines(person.other_names)]}


# --- possible matches ----------------------------------------------------------------------------


class MatchReason(CodeEnum):
    """Why a person is offered as a possible match, strongest first."""

    same_name_and_dob = "same_name_and_dob", "Same name and date of birth", "red"
    similar_name_and_dob = "similar_name_and_dob", "Similar name and the same date of birth", "orange"
    other_name = "other_name", "Matches another name they are known by", "orange"
    same_organisation = "same_organisation", "Similar name, and a contact about them at the same organisation", "yellow"
    similar_name = "similar_name", "Same or similar name (a date of birth is not recorded for both)", "yellow"


_RANK = {reason: rank for rank, reason in enumerate(MatchReason)}


@dataclass(frozen=True)
class Candidate:
    """A person the subject of a contact may be, and why."""

    person: LadoPerson
    reason: MatchReason
    score: float  # the name's similarity to theirs (or to another name they are known by)


@dataclass(frozen=True)
class Offer:
    """A candidate as the contact forms and the person page show them: with the contacts (and
    referrals) about them, oldest first."""

    person: LadoPerson
    reason: MatchReason
    score: float
    history: list = field(default_factory=list)  # (LadoContact, LadoReferral | None)


class PossibleMatches(DomainError):
    """A new person would be created, but people already known may be them: the LADO chooses
    (``SubjectChoice``) before the contact is saved."""

    def __init__(self, candidates: list[Candidate]):
        super().__init__(
            "Select whether the contact is about one of the people already known, or a new person", "person_match"
        )
        self.candidates = candidates


@dataclass(frozen=True)
class SubjectChoice:
    """What the LADO chose on a contact form that offered possible matches: ``chosen`` is the
    public id of a person offered, ``NEW_PERSON``, or None (not chosen yet); ``offered`` the
    public ids of the people the form showed. A new person is created only once every
    current candidate has been offered."""

    chosen: str | None = None
    offered: frozenset[str] = frozenset()

    @classmethod
    def of(cls, chosen: str | None, offered: str | None) -> SubjectChoice:
        return cls((chosen or "").strip() or None, frozenset((offered or "").split()))

    def links_to(self) -> str | None:
        """The public id of the person chosen, when they were offered."""
        return self.chosen if self.chosen not in (None, NEW_PERSON) and self.chosen in self.offered else None

    def new_person_for(self, candidates: list[Candidate]) -> bool:
        """A new person was chosen, after every one of ``candidates`` had been offered."""
        return self.chosen == NEW_PERSON and {c.person.public_id for c in candidates} <= self.offered


def _dob_agrees(a: dt.date | None, b: dt.date | None) -> bool | None:
    """True: the same date of birth; False: two different ones; None: one is not recorded."""
    if a is None or b is None:
        return None
    return a == b


def _judge(names: list[str], date_of_birth: dt.date | None, person: LadoPerson, at_organisation: bool):
    """(reason, score) when ``person`` may be the one known by ``names``, else None."""
    dob = _dob_agrees(date_of_birth, person.date_of_birth)
    if dob is False:
        return None
    own = max(similarity(name, person.name) for name in names)
    other = max((similarity(name, n) for name in names for n in name_lines(person.other_names)), default=0.0)
    score = max(own, other)
    if dob and score == 100:
        return MatchReason.same_name_and_dob, score
    if dob and score >= SIMILAR_WITH_DOB:
        return MatchReason.similar_name_and_dob, score
    if other >= SIMILAR_OTHER_NAME and other > own:
        return MatchReason.other_name, other
    if at_organisation and score >= SIMILAR_AT_ORGANISATION:
        return MatchReason.same_organisation, score
    if score >= SIMILAR_NAME_ONLY:
        return MatchReason.similar_name, score
    return None


def _narrowed(keys: list[str], date_of_birth: dt.date | None, organisation_refs: list[str]):
    """The people the database hands over for scoring: one query, the same on both backends."""
    spaced = literal(" ") + LadoPerson.name_key  # every word of the key follows a space
    other_names = func.lower(LadoPerson.other_names)
    narrowing = []
    for key in keys:
        prefixes = sorted({word[:2] for word in key.split()})
        narrowing.append(and_(*(spaced.like(f"% {p}%") for p in prefixes)))
        narrowing.append(and_(LadoPerson.other_names != "", *(other_names.like(f"%{p}%") for p in prefixes)))
    if date_of_birth is not None:
        narrowing.append(LadoPerson.date_of_birth == date_of_birth)
    flag = literal(0)
    if organisation_refs:
        at_organisation = LadoPerson.ref.in_(
            select(LadoContact.person_ref).where(
                LadoContact.organisation_ref.in_(sorted(set(organisation_refs))), LadoContact.person_ref.is_not(None)
            )
        )
        narrowing.append(at_organisation)
        flag = case((at_organisation, 1), else_=0)
    likeliest = [case((LadoPerson.name_key.in_(keys), 0), else_=1)]  # if ever more than the limit: these first
    if date_of_birth is not None:
        likeliest.append(case((LadoPerson.date_of_birth == date_of_birth, 0), else_=1))
    query = (
        select(LadoPerson, flag.label("at_organisation"))
        .where(or_(*narrowing))
        .order_by(*likeliest, LadoPerson.ref)
        .limit(NARROWED_LIMIT)
    )
    return [(person, bool(at)) for person, at in db.session.execute(query)]


def _strongest(candidate: Candidate) -> tuple:
    return _RANK[candidate.reason], -candidate.score, candidate.person.ref


def candidates(
    names: str | None | Iterable[str | None],
    date_of_birth: dt.date | None = None,
    organisation_refs: Iterable[str] = (),
    *,
    exclude: LadoPerson | None = None,
    limit: int = OFFERED_LIMIT,
) -> list[Candidate]:
    """The people already known whom a person named ``names`` (a name, or a name and the other
    names they are known by), born ``date_of_birth``, the subject of a contact at
    ``organisation_refs``, may be — strongest first. A person merged into another stands for the
    person kept; ``exclude`` (and whoever was merged into them) is left out. One query to narrow,
    and one more only when a merged person has to be replaced by the person kept."""
    names = [names] if names is None or isinstance(names, str) else list(names)
    names = [name for name in names if name_key(name) is not None]
    if not names:
        return []
    keys = sorted({name_key(name) for name in names})
    best: dict[str, tuple[MatchReason, float]] = {}
    loaded: dict[str, LadoPerson] = {}
    for person, at_organisation in _narrowed(keys, date_of_birth, list(organisation_refs)):
        loaded[person.ref] = person
        judged = _judge(names, date_of_birth, person, at_organisation)
        if judged is None:
            continue
        ref = person.merged_into_ref or person.ref  # a merged person stands for the person kept
        if ref not in best or (_RANK[judged[0]], -judged[1]) < (_RANK[best[ref][0]], -best[ref][1]):
            best[ref] = judged
    if exclude is not None:
        best.pop(exclude.ref, None)
        best.pop(exclude.merged_into_ref or "", None)
    missing = sorted(set(best) - set(loaded))
    if missing:
        loaded.update((p.ref, p) for p in db.session.scalars(select(LadoPerson).where(LadoPerson.ref.in_(missing))))
    found = [
        Candidate(loaded[ref], reason, score)
        for ref, (reason, score) in best.items()
        if ref in loaded and loaded[ref].merged_into_ref is None
    ]
    return sorted(found, key=_strongest)[:limit]


def organisation_refs_for(organisation_ref: str | None, organisation_name: str | None) -> list[str]:
    """The organisations a contact's employer fields name: the reference when it is known, else
    those whose name key is the name's (one query)."""
    ref = (organisation_ref or "").strip()
    key = name_key(organisation_name)
    conditions = [LadoOrganisation.ref == ref] if ref else ([LadoOrganisation.name_key == key] if key else [])
    if not conditions:
        return []
    return list(db.session.scalars(select(LadoOrganisation.ref).where(or_(*conditions))))


def candidates_for_subject(
    person_ref: str | None,
    person_name: str | None,
    person_dob: dt.date | None,
    organisation_ref: str | None = None,
    organisation_name: str | None = None,
) -> list[Candidate]:
    """The possible matches of a contact's subject as typed on a contact form: none when the
    subject is a person already known by reference (chosen), anonymous or without a name."""
    ref = (person_ref or "").strip()
    if name_key(person_name) is None or (ref and db.session.get(LadoPerson, ref) is not None):
        return []
    return candidates(person_name, person_dob, organisation_refs_for(organisation_ref, organisation_name))


def offers(found: list[Candidate]) -> list[Offer]:
    """The candidates with the contacts (and referrals) about each of them — and about whoever
    was merged into them — in one query."""
    if not found:
        return []
    refs = [c.person.ref for c in found]
    owner = func.coalesce(LadoPerson.merged_into_ref, LadoPerson.ref)
    group = select(LadoPerson.ref).where(or_(LadoPerson.ref.in_(refs), LadoPerson.merged_into_ref.in_(refs)))
    rows = db.session.execute(
        select(LadoContact, LadoReferral, owner.label("owner"))
        .join(LadoPerson, LadoPerson.ref == LadoContact.person_ref)
        .outerjoin(LadoReferral, LadoReferral.contact_id == LadoContact.contact_id)
        .options(joinedload(LadoContact.organisation))
        .where(LadoContact.person_ref.in_(group))
        .order_by(LadoContact.contact_date, LadoContact.contact_id)
    )
    history: dict[str, list] = {}
    for contact, referral, ref in rows:
        history.setdefault(ref, []).append((contact, referral))
    return [Offer(c.person, c.reason, c.score, history.get(c.person.ref, [])) for c in found]


def duplicates_of(person: LadoPerson) -> list[Candidate]:
    """The people who may be the same as ``person`` (by their name and each other name, their
    date of birth and the organisations of the contacts about them): the possible duplicates
    a LADO manager may merge. None for a merged person or one without a name."""
    if person.merged_into_ref is not None or name_key(person.name) is None:
        return []
    organisations = db.session.scalars(
        select(LadoContact.organisation_ref)
        .where(LadoContact.person_ref.in_(same_person(person.ref)), LadoContact.organisation_ref.is_not(None))
        .distinct()
    ).all()
    names = [person.name, *name_lines(person.other_names)]
    return candidates(names, person.date_of_birth, organisations, exclude=person)


def count_possible_duplicates(refs: Iterable[str]) -> int:
    """How many of the people ``refs`` (not merged) share their name key and date of birth with
    another person not merged: the import's count of possible duplicates (chunked queries)."""
    refs = sorted(set(refs))
    other = aliased(LadoPerson)
    found = 0
    for start in range(0, len(refs), 500):
        found += db.session.scalar(
            select(func.count())
            .select_from(LadoPerson)
            .where(
                LadoPerson.ref.in_(refs[start : start + 500]),
                LadoPerson.merged_into_ref.is_(None),
                LadoPerson.name_key.is_not(None),
                LadoPerson.date_of_birth.is_not(None),
                select(other.ref)
                .where(
                    other.ref != LadoPerson.ref,
                    other.merged_into_ref.is_(None),
                    other.name_key == LadoPerson.name_key,
                    other.date_of_birth == LadoPerson.date_of_birth,
                )
                .exists(),
            )
        )
    return found


# --- the same person, and repeat concerns --------------------------------------------------------


def kept_ref(person_ref: str):
    """SQL: the reference of the person kept for ``person_ref`` (itself unless it was merged)."""
    merged_into = select(LadoPerson.merged_into_ref).where(LadoPerson.ref == person_ref).scalar_subquery()
    return func.coalesce(merged_into, person_ref)


def same_person(person_ref: str):
    """SQL: the references of the person kept for ``person_ref`` and of everyone merged into them."""
    kept = kept_ref(person_ref)
    return select(LadoPerson.ref).where(or_(LadoPerson.ref == kept, LadoPerson.merged_into_ref == kept))


def kept_person(person: LadoPerson | None) -> LadoPerson | None:
    """The person kept for ``person`` (itself unless it was merged; merges are one step deep)."""
    if person is None or person.merged_into_ref is None:
        return person
    return db.session.get(LadoPerson, person.merged_into_ref)


def window_start(day: dt.date) -> dt.date:
    """The first day of the 2 years up to ``day``."""
    return calendar.add_months(day, -REPEAT_MONTHS)


def contacts_in_two_years(
    *,
    day: dt.date,
    person_ref: str | None = None,
    organisation_ref: str | None = None,
    contact_id: str | None = None,
) -> int:
    """How many contacts about the same person (``person_ref``, following merges) or the same
    organisation are dated in the 2 years up to ``day`` — with ``contact_id``, up to that
    contact (on its own day, those with a lower id before it): its place in the count, so "the
    3rd contact about this person in 2 years". One query."""
    query = (
        select(func.count())
        .select_from(LadoContact)
        .where(LadoContact.contact_date >= window_start(day), LadoContact.contact_date <= day)
    )
    if contact_id is not None:
        query = query.where(or_(LadoContact.contact_date < day, LadoContact.contact_id <= contact_id))
    if person_ref is not None:
        query = query.where(LadoContact.person_ref.in_(same_person(person_ref)))
    if organisation_ref is not None:
        query = query.where(LadoContact.organisation_ref == organisation_ref)
    return db.session.scalar(query) or 0


def ordinal(n: int) -> str:
    """1st, 2nd, 3rd, 4th, 11th, 12th, 13th, 21st…"""
    suffix = "th" if 10 <= n % 100 <= 20 else {1: "st", 2: "nd", 3: "rd"}.get(n % 10, "th")
    return f"{n}{suffix}"


# --- the key kept on every save, whatever the path ----------------------------------------------


@event.listens_for(LadoPerson, "before_insert")
@event.listens_for(LadoPerson, "before_update")
@event.listens_for(LadoOrganisation, "before_insert")
@event.listens_for(LadoOrganisation, "before_update")
def _keep_name_key(_mapper, _connection, target) -> None:
    target.name_key = name_key(target.name)
