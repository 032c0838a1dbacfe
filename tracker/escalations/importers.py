"""escalations.csv and escalation_stages.csv (interchange.md §1).

Each row is checked by the operations' own rules (``operations.check_areas``,
``check_closure``, ``check_stage_start``, ``check_response``) and its references (child,
officer, escalation). The rules across rows are the operations' SQL conditions, run once the
files are written: a stage dated before an earlier stage of the same escalation
(``stages_out_of_order``, on the later stage's line); an escalation without any stage and a
closure before the latest stage start (``after_all``: they need both files, and either may
come alone).
"""

from __future__ import annotations

from sqlalchemy import exists, select

from tracker.core import interchange
from tracker.core.interchange import Importer, RowReader
from tracker.escalations import operations
from tracker.escalations.models import Escalation, EscalationStage, Resolution, Stage
from tracker.extensions import db
from tracker.reviews.models import Child

ESCALATIONS = "escalations.csv"
STAGES_FILE = "escalation_stages.csv"


class EscalationsImporter(Importer):
    filename = ESCALATIONS
    key = "escalation_id"
    reference = "escalation"

    def parse(self, r: RowReader) -> dict | None:
        record = {
            "escalation_id": r.id("escalation_id", required=True),
            "child_id": r.ref("child_id", "child", required=True),
            "raised_by": r.ref("raised_by", "officer"),
            "areas": r.multi("areas", required=True),
            "external_partner": r.text("external_partner"),
            "closed_date": r.date("closed_date"),
            "resolution": r.raw("resolution") or None,
        }
        if r.ok:
            r.check(operations.check_areas, record["areas"])
            r.check(operations.check_closure, record["closed_date"], record["resolution"])
        return record if r.ok else None

    def write(self, records: list[dict], ctx) -> None:
        children = dict(
            db.session.execute(
                select(Child.child_id, Child.id).where(Child.child_id.in_({r["child_id"] for r in records}))
            ).all()
        )
        existing = {
            e.escalation_id: e
            for e in db.session.scalars(
                select(Escalation).where(Escalation.escalation_id.in_([r["escalation_id"] for r in records]))
            )
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
            escalation.resolution = Resolution.get(rec["resolution"])
            operations.set_areas(escalation, rec["areas"])

    def after_all(self, ctx) -> None:
        # An escalation without any stage (interchange.md §1): reported on its escalations.csv line.
        stageless = db.session.scalars(
            select(Escalation.escalation_id).where(~exists().where(EscalationStage.escalation_pk == Escalation.id))
        ).all()
        for escalation_id in sorted(stageless):
            ctx.error(
                ESCALATIONS,
                ctx.line_for(ESCALATIONS, escalation_id),
                "escalation_id",
                f"{escalation_id!r} has no stage: every escalation needs at least one row in {STAGES_FILE}",
            )
        # A closure before the latest stage start (the operations' rule, for every escalation).
        closures = operations.closed_before_latest_stage().subquery()
        rows = db.session.execute(
            select(Escalation.escalation_id, closures.c.closed_date, closures.c.latest)
            .join(closures, closures.c.escalation_pk == Escalation.id)
            .order_by(Escalation.escalation_id)
        ).all()
        for escalation_id, closed, start in rows:
            line = ctx.line_for(ESCALATIONS, escalation_id)
            message = (
                f"{closed.isoformat()} is before the latest stage of {escalation_id!r} started ({start.isoformat()})"
            )
            if line is not None or not ctx.lines.get(STAGES_FILE):
                ctx.error(ESCALATIONS, line, "closed_date", message)
            else:
                stage_lines = [
                    ln for key, ln in ctx.lines[STAGES_FILE].items() if key.split("/", 1)[0] == escalation_id
                ]
                ctx.error(STAGES_FILE, max(stage_lines) if stage_lines else None, "started_date", message)


class EscalationStagesImporter(Importer):
    filename = STAGES_FILE
    key = "escalation_id+stage"  # one row per stage of an escalation

    def record_key(self, record: dict) -> str | None:
        return f"{record['escalation_id']}/{record['stage']}"

    def parse(self, r: RowReader) -> dict | None:
        record = {
            "escalation_id": r.ref("escalation_id", "escalation", required=True),
            "stage": r.code("stage", Stage.codes(), required=True),
            "started_date": r.date("started_date", required=True),
            "response_date": r.date("response_date"),
        }
        if r.ok and r.check(operations.check_stage_start, record["started_date"]):
            r.check(operations.check_response, Stage(record["stage"]), record["started_date"], record["response_date"])
        return record if r.ok else None

    def write(self, records: list[dict], ctx) -> None:
        escalations = dict(
            db.session.execute(
                select(Escalation.escalation_id, Escalation.id).where(
                    Escalation.escalation_id.in_({r["escalation_id"] for r in records})
                )
            ).all()
        )
        existing = {
            (s.escalation_pk, s.stage): s
            for s in db.session.scalars(
                select(EscalationStage).where(EscalationStage.escalation_pk.in_(set(escalations.values())))
            )
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
        # A stage dated before an earlier stage of the same escalation (the operations' rule).
        out_of_order = operations.stages_out_of_order().subquery()
        rows = db.session.execute(
            select(Escalation.escalation_id, out_of_order)
            .join(out_of_order, out_of_order.c.escalation_pk == Escalation.id)
            .order_by(Escalation.escalation_id)
        ).all()
        reported: set[tuple[str, str]] = set()
        for row in rows:
            if (row.escalation_id, row.stage) in reported:
                continue
            reported.add((row.escalation_id, row.stage))
            ctx.error(
                STAGES_FILE,
                ctx.line_for(STAGES_FILE, f"{row.escalation_id}/{row.stage}"),
                "started_date",
                f"{row.stage} starts on {row.started_date.isoformat()}, before the earlier stage {row.earlier_stage} "
                f"of the same escalation ({row.earlier_started.isoformat()})",
            )


interchange.register_ref_kind("escalation", Escalation.escalation_id)
interchange.register_importer(EscalationsImporter())
interchange.register_importer(EscalationStagesImporter())
