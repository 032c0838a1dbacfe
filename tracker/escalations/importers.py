"""escalations.csv and escalation_stages.csv (interchange.md §1).

Row checks: codes, dates (a stage start, a response and a closure must already have
happened), references (child, officer, escalation), a closure date and a resolution together
or not at all, a response not before its stage's start.
Set-based checks once the files are written: a stage dated before an earlier stage of the same
escalation (``finish`` of the stages file, on the later stage's line); an escalation without
any stage and a closure before the latest stage start (``after_all``: they need both files,
and either may come alone).
"""
from __future__ import annotations

from sqlalchemy import and_, exists, func, select
from sqlalchemy.orm import aliased

from tracker.core import interchange
from tracker.core.interchange import Column, Importer, RowReader
from tracker.escalations.models import AREAS, RESOLUTIONS, STAGES, Escalation, EscalationArea, EscalationStage, stage_rank_sql
from tracker.extensions import db
from tracker.reviews.models import Child

ESCALATIONS = "escalations.csv"
STAGES_FILE = "escalation_stages.csv"


def _chunks(values: list, size: int = 500):
    for i in range(0, len(values), size):
        yield values[i : i + size]


class EscalationsImporter(Importer):
    filename = ESCALATIONS
    columns = (
        Column("escalation_id", True),
        Column("child_id", True),
        Column("raised_by"),
        Column("areas", True),
        Column("external_partner"),
        Column("closed_date"),
        Column("resolution"),
    )
    key = "escalation_id"

    def parse(self, r: RowReader) -> dict | None:
        record = {
            "escalation_id": r.text("escalation_id", required=True, max_len=40),
            "child_id": r.ref("child_id", "child", required=True),
            "raised_by": r.ref("raised_by", "officer"),
            "areas": r.multi("areas", AREAS, required=True),
            "external_partner": r.text("external_partner"),
            "closed_date": r.date("closed_date", not_future=True),
            "resolution": r.code("resolution", RESOLUTIONS),
        }
        # a closure has both its date and its resolution, or neither (interchange.md §1)
        if r.raw("closed_date") and not r.raw("resolution"):
            r.error("resolution", "is required when closed_date is given")
        if r.raw("resolution") and not r.raw("closed_date"):
            r.error("closed_date", "is required when resolution is given")
        return record if r.ok else None

    def write(self, records: list[dict], ctx) -> None:
        children = dict(
            db.session.execute(select(Child.child_id, Child.id).where(Child.child_id.in_({r["child_id"] for r in records}))).all()
        )
        existing = {
            e.escalation_id: e
            for e in db.session.scalars(select(Escalation).where(Escalation.escalation_id.in_([r["escalation_id"] for r in records])))
        }
        for rec in records:
            escalation = existing.get(rec["escalation_id"])
            if escalation is None:
                escalation = Escalation(escalation_id=rec["escalation_id"])
                db.session.add(escalation)
            escalation.child_pk = children[rec["child_id"]]
            escalation.raised_by = rec["raised_by"]
            escalation.external_partner = rec["external_partner"]
            escalation.closed_date = rec["closed_date"]
            escalation.resolution = rec["resolution"]
            current = {a.area: a for a in escalation.areas}
            escalation.areas = [current.get(a) or EscalationArea(area=a) for a in rec["areas"]]

    def after_all(self, ctx) -> None:
        # An escalation without any stage (interchange.md §1): reported on its escalations.csv line.
        stageless = db.session.scalars(
            select(Escalation.escalation_id).where(~exists().where(EscalationStage.escalation_pk == Escalation.id))
        ).all()
        for escalation_id in sorted(stageless):
            ctx.error(
                ESCALATIONS, ctx.line_for(ESCALATIONS, escalation_id), "escalation_id",
                f"{escalation_id!r} has no stage: every escalation needs at least one row in {STAGES_FILE}",
            )
        # A closure before the latest stage start.
        latest = (
            select(EscalationStage.escalation_pk, func.max(EscalationStage.started_date).label("latest"))
            .group_by(EscalationStage.escalation_pk)
            .subquery()
        )
        rows = db.session.execute(
            select(Escalation.escalation_id, Escalation.closed_date, latest.c.latest)
            .join(latest, latest.c.escalation_pk == Escalation.id)
            .where(Escalation.closed_date.is_not(None), Escalation.closed_date < latest.c.latest)
            .order_by(Escalation.escalation_id)
        ).all()
        for escalation_id, closed, start in rows:
            line = ctx.line_for(ESCALATIONS, escalation_id)
            message = f"{closed.isoformat()} is before the latest stage of {escalation_id!r} started ({start.isoformat()})"
            if line is not None or not ctx.lines.get(STAGES_FILE):
                ctx.error(ESCALATIONS, line, "closed_date", message)
            else:
                stage_lines = [
                    ln for key, ln in ctx.lines[STAGES_FILE].items() if key.split("/", 1)[0] == escalation_id
                ]
                ctx.error(STAGES_FILE, max(stage_lines) if stage_lines else None, "started_date", message)


class EscalationStagesImporter(Importer):
    filename = STAGES_FILE
    columns = (Column("escalation_id", True), Column("stage", True), Column("started_date", True), Column("response_date"))
    key = "escalation_id+stage"  # one row per stage of an escalation

    def record_key(self, record: dict) -> str | None:
        return f"{record['escalation_id']}/{record['stage']}"

    def parse(self, r: RowReader) -> dict | None:
        record = {
            "escalation_id": r.ref("escalation_id", "escalation", required=True),
            "stage": r.code("stage", STAGES, required=True),
            "started_date": r.date("started_date", required=True, not_future=True),
            "response_date": r.date("response_date", not_future=True),
        }
        if record["started_date"] and record["response_date"] and record["response_date"] < record["started_date"]:
            r.error("response_date", f"{record['response_date'].isoformat()} is before the stage started ({record['started_date'].isoformat()})")
        return record if r.ok else None

    def write(self, records: list[dict], ctx) -> None:
        escalations = dict(
            db.session.execute(
                select(Escalation.escalation_id, Escalation.id).where(Escalation.escalation_id.in_({r["escalation_id"] for r in records}))
            ).all()
        )
        pks = set(escalations.values())
        existing = {
            (s.escalation_pk, s.stage): s
            for s in db.session.scalars(select(EscalationStage).where(EscalationStage.escalation_pk.in_(pks)))
        }
        for rec in records:
            pk = escalations[rec["escalation_id"]]
            stage = existing.get((pk, rec["stage"]))
            if stage is None:
                stage = EscalationStage(escalation_pk=pk, stage=rec["stage"])
                db.session.add(stage)
            stage.started_date = rec["started_date"]
            stage.response_date = rec["response_date"]

    def finish(self, ctx) -> None:
        # A stage dated before an earlier stage of the same escalation (interchange.md §1).
        later, earlier = aliased(EscalationStage), aliased(EscalationStage)
        rows = db.session.execute(
            select(Escalation.escalation_id, later.stage, later.started_date, earlier.stage, earlier.started_date)
            .join(later, later.escalation_pk == Escalation.id)
            .join(
                earlier,
                and_(
                    earlier.escalation_pk == later.escalation_pk,
                    stage_rank_sql(earlier.stage) < stage_rank_sql(later.stage),
                    earlier.started_date > later.started_date,
                ),
            )
            .order_by(Escalation.escalation_id, later.stage, earlier.stage)
        ).all()
        reported: set[tuple[str, str]] = set()
        for escalation_id, stage, started, earlier_stage, earlier_started in rows:
            if (escalation_id, stage) in reported:
                continue
            reported.add((escalation_id, stage))
            ctx.error(
                STAGES_FILE, ctx.line_for(STAGES_FILE, f"{escalation_id}/{stage}"), "started_date",
                f"{stage} starts on {started.isoformat()}, before the earlier stage {earlier_stage} "
                f"of the same escalation ({earlier_started.isoformat()})",
            )


interchange.register_ref_kind("escalation", Escalation.escalation_id)
if "child" not in interchange.REF_KINDS:  # the reviews feature registers it with children.csv
    interchange.register_ref_kind("child", Child.child_id)
interchange.register_importer(EscalationsImporter())
interchange.register_importer(EscalationStagesImporter())
