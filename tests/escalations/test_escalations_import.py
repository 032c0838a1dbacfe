"""escalations.csv and escalation_stages.csv: one test per validation rule, with its line."""

from __future__ import annotations

import datetime as dt

import pytest
from escalation_factories import app_config, build  # noqa: F401  (fixtures)

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


def _run(app, tmp_path, escalations=ESCALATIONS, stages=STAGES, extra=None):
    from tracker.core import interchange

    folder = tmp_path / "import"
    folder.mkdir(exist_ok=True)
    files = {
        "officers.csv": OFFICERS,
        "children.csv": CHILDREN,
        "escalations.csv": escalations,
        "escalation_stages.csv": stages,
        **(extra or {}),
    }
    for name in list(folder.iterdir()):
        name.unlink()
    for name, text in files.items():
        if text is not None:
            (folder / name).write_text(text)
    with app.app_context():
        result = interchange.run(folder)
        return [str(p) for p in result.problems], result


def test_good_files_import_and_reimport_is_idempotent(app, tmp_path):
    from tracker.escalations import queries
    from tracker.escalations.models import Escalation
    from tracker.extensions import db

    problems, _ = _run(app, tmp_path)
    assert problems == []
    problems, _ = _run(app, tmp_path, escalations=ESCALATIONS.replace("health;education", "safety"))
    assert problems == []
    with app.app_context():
        assert db.session.query(Escalation).count() == 2
        e1 = queries.by_reference("E1")
        assert e1.area_codes == ["safety"]
        assert [s.stage for s in e1.ordered_stages] == ["informal", "stage1"]
        assert (e1.closed_date, e1.resolution) == (dt.date(2023, 3, 20), "resolved")
        assert queries.by_reference("E2").external_partner == "CAMHS"


CASES = [
    # (rule, escalations.csv, escalation_stages.csv, expected problem)
    (
        "unknown area",
        ESCALATIONS.replace("health;education", "health;teeth"),
        STAGES,
        "escalations.csv:2: areas: unknown code(s) 'teeth'",
    ),
    ("areas required", ESCALATIONS.replace("health;education", ""), STAGES, "escalations.csv:2: areas: is required"),
    (
        "unknown resolution",
        ESCALATIONS.replace("resolved", "sorted"),
        STAGES,
        "escalations.csv:2: resolution: 'sorted' is not a known code",
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
        "escalations.csv:2: resolution: is required when closed_date is given",
    ),
    (
        "resolution without closure",
        ESCALATIONS.replace("CAMHS,,", "CAMHS,,withdrawn"),
        STAGES,
        "escalations.csv:3: closed_date: is required when resolution is given",
    ),
    (
        "closure after today",
        ESCALATIONS.replace("2023-03-20", "2023-07-01"),
        STAGES,
        "escalations.csv:2: closed_date: 2023-07-01 is after today (2023-06-30)",
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
        "escalation_stages.csv:3: stage: 'stage9' is not a known code",
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
        "escalation_stages.csv:4: started_date: 2023-07-03 is after today (2023-06-30)",
    ),
    (
        "response after today",
        ESCALATIONS,
        STAGES.replace("2023-03-03", "2023-07-03"),
        "escalation_stages.csv:2: response_date: 2023-07-03 is after today (2023-06-30)",
    ),
    (
        "response before its start",
        ESCALATIONS,
        STAGES.replace("2023-03-03", "2023-02-27"),
        "escalation_stages.csv:2: response_date: 2023-02-27 is before the stage started (2023-03-01)",
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
    from tracker.escalations.models import Escalation
    from tracker.extensions import db

    problems, result = _run(app, tmp_path, escalations, stages)
    assert any(p.startswith(problem) for p in problems), problems
    with app.app_context():
        assert db.session.query(Escalation).count() == 0  # all or nothing


def test_escalation_without_stage_when_the_stages_file_is_absent(app, tmp_path):
    problems, _ = _run(app, tmp_path, stages=None)
    assert problems == [
        "escalations.csv:2: escalation_id: 'E1' has no stage: every escalation needs at least one row in escalation_stages.csv",
        "escalations.csv:3: escalation_id: 'E2' has no stage: every escalation needs at least one row in escalation_stages.csv",
    ]


def test_stages_checked_against_stages_already_in_the_database(app, tmp_path):
    problems, _ = _run(app, tmp_path)
    assert problems == []
    # a later import brings only a stage 3 dated before E1's stage 1 (already in the database)
    problems, _ = _run(
        app,
        tmp_path,
        escalations=None,
        stages="escalation_id,stage,started_date,response_date\nE1,stage3,2023-03-02,\n",
    )
    assert problems[0].startswith(
        "escalation_stages.csv:2: started_date: stage3 starts on 2023-03-02, before the earlier stage stage1"
    )


def test_generated_authority_imports(app, tmp_path):
    """The synthetic generator writes escalations at every stage; its folder imports cleanly."""
    from tracker.demo import synthetic
    from tracker.escalations.models import EscalationStage
    from tracker.extensions import db

    folder = tmp_path / "generated"
    synthetic.generate(folder, children=150, years=3, seed=3, today=dt.date(2023, 6, 30))
    keep = {"officers.csv", "children.csv", "care_periods.csv", "escalations.csv", "escalation_stages.csv"}
    for path in folder.iterdir():
        if path.name not in keep:
            path.unlink()
    with app.app_context():
        from tracker.core import interchange

        result = interchange.run(folder)
        assert [str(p) for p in result.problems][:5] == []
        assert result.counts["escalation_stages.csv"] > 0
        assert db.session.query(EscalationStage.stage).distinct().count() >= 3
