"""escalations.csv and escalation_stages.csv: one test per validation rule, with its line and
the message the operations give for the same rule."""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import func, select

from tracker.core import interchange
from tracker.escalations.models import Escalation, EscalationStage
from tracker.extensions import db
from tracker.web.records import find

OFFICERS = "officer_id,name,roles,team\nQ1,Officer One,qaro,North\n"
CHILDREN = "child_id,date_of_birth\nC1,2010-01-01\nC2,2011-01-01\n"
ESCALATIONS = (
    "escalation_id,child_id,raised_by,areas,external_partner,closed_date,resolution\n"
    "E1,C1,Q1,health;education,,2023-03-20,resolved\n"
    "E2,C2,Q1,other,CAMHS,,\n"
)
STAGES = (
    "escalation_id,stage,started_date,response_date\n"
    "E1,informal,2023-03-01,2023-03-03\n"
    "E1,stage1,2023-03-06,\n"
    "E2,stage2,2023-04-03,\n"
)


def _folder(tmp_path, escalations=ESCALATIONS, stages=STAGES, **extra):
    """A folder of import files (a file given as None is left out)."""
    folder = tmp_path / "import"
    folder.mkdir(exist_ok=True)
    for old in folder.iterdir():
        old.unlink()
    files = {
        "officers.csv": OFFICERS,
        "children.csv": CHILDREN,
        "escalations.csv": escalations,
        "escalation_stages.csv": stages,
        **extra,
    }
    for name, text in files.items():
        if text is not None:
            (folder / name).write_text(text)
    return folder


def _run(app, folder) -> list[str]:
    """The import engine itself, then a commit (as the ``import-data`` command commits): what
    a failed import leaves behind would be saved. Returns the problems."""
    with app.app_context():
        result = interchange.run(folder)
        db.session.commit()
        return [str(p) for p in result.problems]


def _count(app, model) -> int:
    with app.app_context():
        return db.session.scalar(select(func.count()).select_from(model))


def test_good_files_import_and_reimport_is_idempotent(app, tmp_path, import_folder):
    import_folder(_folder(tmp_path))
    import_folder(_folder(tmp_path, escalations=ESCALATIONS.replace("health;education", "safety")))
    assert _count(app, Escalation) == 2
    assert _count(app, EscalationStage) == 3
    with app.app_context():
        e1 = find(Escalation, escalation_id="E1")
        assert e1.area_codes == ["safety"]
        assert [(s.stage, s.started_date, s.response_date) for s in e1.ordered_stages] == [
            ("informal", dt.date(2023, 3, 1), dt.date(2023, 3, 3)),
            ("stage1", dt.date(2023, 3, 6), None),
        ]
        assert (e1.closed_date, e1.resolution) == (dt.date(2023, 3, 20), "resolved")
        assert e1.raised_by == "Q1" and e1.child.child_id == "C1"
        assert find(Escalation, escalation_id="E2").external_partner == "CAMHS"


CASES = [
    # (rule, escalations.csv, escalation_stages.csv, the problem reported: the operation's message where
    # the operations have the rule)
    (
        "unknown area",
        ESCALATIONS.replace("health;education", "health;teeth"),
        STAGES,
        "escalations.csv:2: areas: Unknown area of concern: teeth",
    ),
    (
        "areas required",
        ESCALATIONS.replace("health;education", ""),
        STAGES,
        "escalations.csv:2: areas: is required (one or more values separated by ;)",
    ),
    (
        "unknown resolution",
        ESCALATIONS.replace("resolved", "sorted"),
        STAGES,
        "escalations.csv:2: resolution: 'sorted' is not a known code (expected one of: resolved, withdrawn, referred_to_cafcass)",
    ),
    (
        "unknown child",
        ESCALATIONS.replace("E2,C2", "E2,C9"),
        STAGES,
        "escalations.csv:3: child_id: 'C9' does not exist in the import files or the database",
    ),
    (
        "unknown officer",
        ESCALATIONS.replace("E2,C2,Q1", "E2,C2,Q7"),
        STAGES,
        "escalations.csv:3: raised_by: 'Q7' does not exist in the import files or the database",
    ),
    (
        "closed without resolution",
        ESCALATIONS.replace("2023-03-20,resolved", "2023-03-20,"),
        STAGES,
        "escalations.csv:2: resolution: Select how the escalation was resolved as well as the date it closed",
    ),
    (
        "resolution without closure",
        ESCALATIONS.replace("CAMHS,,", "CAMHS,,withdrawn"),
        STAGES,
        "escalations.csv:3: closed_date: Enter the date the escalation closed",
    ),
    (
        "closure after today",
        ESCALATIONS.replace("2023-03-20", "2023-07-01"),
        STAGES,
        "escalations.csv:2: closed_date: The date the escalation closed must be today or in the past",
    ),
    (
        "bad date",
        ESCALATIONS.replace("2023-03-20", "20/03/2023"),
        STAGES,
        "escalations.csv:2: closed_date: '20/03/2023' is not a date in the form YYYY-MM-DD",
    ),
    (
        "unknown stage",
        ESCALATIONS,
        STAGES.replace("E1,stage1", "E1,stage9"),
        "escalation_stages.csv:3: stage: 'stage9' is not a known code "
        "(expected one of: informal, stage1, stage2, stage3, stage4, stage5, cafcass)",
    ),
    (
        "unknown escalation",
        ESCALATIONS,
        STAGES + "E9,informal,2023-03-01,\n",
        "escalation_stages.csv:5: escalation_id: 'E9' does not exist in the import files or the database",
    ),
    (
        "stage start after today",
        ESCALATIONS,
        STAGES.replace("2023-04-03", "2023-07-03"),
        "escalation_stages.csv:4: started_date: The date the stage started must be today or in the past",
    ),
    (
        "response after today",
        ESCALATIONS,
        STAGES.replace("2023-03-03", "2023-07-03"),
        "escalation_stages.csv:2: response_date: The response date must be today or in the past",
    ),
    (
        "response before its start",
        ESCALATIONS,
        STAGES.replace("2023-03-03", "2023-02-27"),
        "escalation_stages.csv:2: response_date: The response date must be on or after the day Informal started "
        "(1 March 2023)",
    ),
    (
        "stage twice",
        ESCALATIONS,
        STAGES + "E1,stage1,2023-03-07,\n",
        "escalation_stages.csv:5: escalation_id+stage: 'E1/stage1' appears twice in the file (first on line 3)",
    ),
    (
        "stage before an earlier stage",
        ESCALATIONS,
        STAGES.replace("E1,stage1,2023-03-06", "E1,stage1,2023-02-27"),
        "escalation_stages.csv:3: started_date: stage1 starts on 2023-02-27, before the earlier stage informal of the same escalation (2023-03-01)",
    ),
    (
        "escalation without any stage",
        ESCALATIONS,
        STAGES.replace("E2,stage2,2023-04-03,\n", ""),
        "escalations.csv:3: escalation_id: 'E2' has no stage: every escalation needs at least one row in escalation_stages.csv",
    ),
    (
        "closure before the latest stage start",
        ESCALATIONS.replace("2023-03-20", "2023-03-05"),
        STAGES,
        "escalations.csv:2: closed_date: 2023-03-05 is before the latest stage of 'E1' started (2023-03-06)",
    ),
]


@pytest.mark.parametrize("rule,escalations,stages,problem", CASES, ids=[c[0] for c in CASES])
def test_validation(app, tmp_path, rule, escalations, stages, problem):
    problems = _run(app, _folder(tmp_path, escalations, stages))
    assert problem in problems
    assert _count(app, Escalation) == 0  # all or nothing
    assert _count(app, EscalationStage) == 0


def test_escalation_without_stage_when_the_stages_file_is_absent(app, tmp_path):
    assert _run(app, _folder(tmp_path, stages=None)) == [
        "escalations.csv:2: escalation_id: 'E1' has no stage: every escalation needs at least one row in escalation_stages.csv",
        "escalations.csv:3: escalation_id: 'E2' has no stage: every escalation needs at least one row in escalation_stages.csv",
    ]
    assert _count(app, Escalation) == 0


def test_stages_checked_against_stages_already_in_the_database(app, tmp_path, import_folder):
    import_folder(_folder(tmp_path))
    # a later import brings only a stage 3 dated before E1's stage 1 (already in the database)
    later = "escalation_id,stage,started_date,response_date\nE1,stage3,2023-03-02,\n"
    assert _run(app, _folder(tmp_path, escalations=None, stages=later)) == [
        "escalation_stages.csv:2: started_date: stage3 starts on 2023-03-02, before the earlier stage stage1 "
        "of the same escalation (2023-03-06)"
    ]
    assert _count(app, EscalationStage) == 3  # the earlier import only


def test_generated_authority_imports(app, tmp_path):
    """The synthetic generator writes escalations at every stage; its folder imports cleanly."""
    from tracker.demo import synthetic

    folder = tmp_path / "generated"
    synthetic.generate(folder, children=150, years=3, seed=3, today=dt.date(2023, 6, 30))
    keep = {"officers.csv", "children.csv", "care_periods.csv", "escalations.csv", "escalation_stages.csv"}
    for path in folder.iterdir():
        if path.name not in keep:
            path.unlink()
    with app.app_context():
        result = interchange.run(folder)
        assert [str(p) for p in result.problems][:5] == []
        assert result.counts["escalation_stages.csv"] > 0
        db.session.commit()
    with app.app_context():
        assert db.session.scalar(select(func.count(func.distinct(EscalationStage.stage)))) >= 3
