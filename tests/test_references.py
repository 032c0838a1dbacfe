"""Record references (README → Record references): every record type the tracker numbers has
one scheme, documented, and a record made on screen gets the next number past the imported ones."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from tracker.core import references

README = Path(__file__).resolve().parent.parent / "README.md"
LABELS = {
    "review": "Review",
    "iro_contact": "IRO contact",
    "escalation": "Escalation",
    "lado_contact": "LADO contact",
    "lado_referral": "LADO referral",
    "lado_meeting": "LADO meeting",
    "lado_action": "LADO action",
    "lado_person": "LADO person",
    "lado_organisation": "LADO organisation",
    "panel_meeting": "Panel meeting",
    "panel_case": "Panel case",
    "foster_household": "Foster household",
    "carer_review": "Foster carer review",
    "consultation_round": "Consultation before a review",
}


def documented() -> dict[str, tuple[str, int, str]]:
    section = README.read_text().split("### Record references", 1)[1].split("\n## ", 1)[0]
    rows = re.findall(r"^\| ([^|]+) \| `(\w+)` \+ (\d) digits \| `(\w+)` \|$", section, re.M)
    return {label: (prefix, int(width), example) for label, prefix, width, example in rows}


def test_every_scheme_is_documented_as_it_is_made(app):
    table = documented()
    assert set(LABELS) == set(references.SCHEMES), "a new scheme needs its README row and label here"
    for kind, scheme in references.SCHEMES.items():
        prefix, width, example = table[LABELS[kind]]
        assert (scheme.prefix, scheme.width) == (prefix, width), kind
        assert scheme.format(scheme.number(example)) == example


@pytest.mark.parametrize("kind", sorted(LABELS))
def test_a_new_reference_follows_the_imported_ones_of_its_shape(app, kind):
    from tracker.extensions import db

    scheme = references.SCHEMES[kind]
    with app.app_context():
        first = references.new_ref(kind)
        assert first == scheme.format(1)
        references.observe(kind, [scheme.format(41), "X-OLD-7", scheme.prefix + "-12"])
        assert references.new_ref(kind) == scheme.format(42)
        db.session.rollback()
