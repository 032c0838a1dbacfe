"""Declarative base, constraint naming convention and column types shared by every model:
``UTCDateTime`` for timestamps, ``Code`` for code lists (``tracker.core.enums.CodeEnum``) and
``check_in`` for the CHECK constraint that keeps a code column to its list."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import DateTime, ForeignKey, Integer, MetaData, String, Text, TypeDecorator, event
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.orm import DeclarativeBase, Mapped, Mapper, declared_attr, mapped_column
from sqlalchemy.sql.functions import FunctionElement

# Alembic needs deterministic names to drop or alter constraints later (especially on SQLite).
NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class UTCDateTime(TypeDecorator):
    """A timestamp stored in UTC and always returned timezone-aware, on SQLite too.

    SQLite has no time zone type, so values are normalised to UTC on the way in and tagged
    as UTC on the way out. Naive datetimes are refused: they are a bug waiting to happen.
    """

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value, dialect):
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime given to a UTCDateTime column")
        value = value.astimezone(dt.UTC)
        if dialect.name == "sqlite":
            return value.replace(tzinfo=None)
        return value

    def process_result_value(self, value, dialect):
        if value is None:
            return None
        if value.tzinfo is None:
            return value.replace(tzinfo=dt.UTC)
        return value.astimezone(dt.UTC)


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING_CONVENTION)


class Versioned:
    """An editable record: ``version`` goes up by one on every change (SQLAlchemy's optimistic
    lock), so a save made from a page opened before a colleague's save is refused instead of
    silently overwriting it (``tracker.web.forms``)."""

    version: Mapped[int] = mapped_column(Integer, nullable=False, default=1, server_default="1")

    @declared_attr.directive
    def __mapper_args__(cls):
        return {"version_id_col": cls.__table__.c.version}


class Removable:
    """A record that can be removed when it was recorded by mistake: kept, with when, by whom
    (``users.id``) and why, but no part of anything any more — its parent's page and relationships
    (whose ``primaryjoin`` leaves it out), due items, figures and exports (every query on the model
    keeps ``removed_at IS NULL``); the managers still see it (``tracker.core.removal``)."""

    removed_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)
    removed_by: Mapped[int | None] = mapped_column(Integer, ForeignKey("users.id"))
    removed_reason: Mapped[str | None] = mapped_column(Text)


class Code(TypeDecorator):
    """A code column: stored as its string, read back as the ``CodeEnum`` member, so a page
    shows ``record.stage.label`` without a lookup. Unknown stored values (there should be none:
    each code column has a CHECK constraint) come back as plain strings rather than failing."""

    impl = String
    cache_ok = True

    def __init__(self, enum_class, length: int = 30):
        super().__init__(length)
        self.enum_class = enum_class

    def process_bind_param(self, value, dialect):
        if value is None or value == "":
            return None
        return str(self.enum_class(value).value)

    def process_result_value(self, value, dialect):
        if value is None:
            return None
        return self.enum_class.get(value) or value

    @property
    def python_type(self):
        return self.enum_class


@event.listens_for(Mapper, "mapper_configured")
def _codes_as_members(mapper, cls) -> None:
    """A code assigned as a plain string reads back as its member at once (``record.stage.label``
    works in the request that set it, before any reload); an unknown code is refused here."""
    for prop in mapper.column_attrs:
        column_type = getattr(prop.columns[0], "type", None)
        if isinstance(column_type, Code):
            enum_class = column_type.enum_class

            def to_member(target, value, oldvalue, initiator, enum_class=enum_class):
                return None if value is None or value == "" else enum_class(value)

            event.listen(getattr(cls, prop.key), "set", to_member, retval=True)


def check_in(column: str, codes, nullable: bool = False) -> str:
    """The SQL of a CHECK constraint keeping ``column`` to ``codes`` (an iterable or a CodeEnum)."""
    values = codes.codes() if hasattr(codes, "codes") else tuple(codes)
    listed = ", ".join(f"'{c}'" for c in values)
    return f"{column} IS NULL OR {column} IN ({listed})" if nullable else f"{column} IN ({listed})"


def like_pattern(text: str) -> str:
    """A case-insensitive ``LIKE`` pattern matching ``text`` anywhere (``%`` and ``_`` typed by a
    user match themselves); use with ``escape="\\"`` on a lowered column."""
    escaped = text.strip().lower().replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return f"%{escaped}%"


class bytewise(FunctionElement):
    """A text column ordered by its characters' code points on every database (PostgreSQL's
    ``COLLATE "C"``; SQLite's default): the order Python's ``sorted`` gives, so a list sorted in
    SQL and one sorted in Python agree whatever the server's locale."""

    type = String()
    inherit_cache = True
    name = "bytewise"


@compiles(bytewise)
def _bytewise_default(element, compiler, **kw) -> str:
    return compiler.process(element.clauses, **kw)


@compiles(bytewise, "postgresql")
def _bytewise_postgresql(element, compiler, **kw) -> str:
    return f'({compiler.process(element.clauses, **kw)}) COLLATE "C"'
