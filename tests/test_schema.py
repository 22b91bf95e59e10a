"""The SQLModel classes (srs/storage/schema.py) describe exactly the database the migrations build.

Compared both ways with SQLAlchemy's inspector: tables, columns (type, nullability, server default),
primary keys, foreign keys, unique constraints, indexes (columns, uniqueness, partial-index condition)
and AUTOINCREMENT. The second half breaks the models (and the database) on purpose and checks that the
comparison notices each kind of drift.
"""

from __future__ import annotations

import re
import sqlite3
from pathlib import Path

import pytest
from sqlalchemy import Column, ForeignKeyConstraint, Index, MetaData, String, UniqueConstraint, create_engine, inspect
from sqlalchemy.dialects import sqlite as sqlite_dialect
from sqlalchemy.orm import registry
from sqlmodel import Field, SQLModel

from srs.storage import open_store
from srs.storage.schema import metadata

DIALECT = sqlite_dialect.dialect()


def _default(value: str | None) -> str | None:
    """A column default as SQL text, without the parentheses SQLite may keep around it."""
    if value is None:
        return None
    value = str(value).strip()
    while value.startswith("(") and value.endswith(")"):
        value = value[1:-1].strip()
    return value


def _condition(clause) -> str | None:
    return None if clause is None else re.sub(r"\s+", " ", str(clause)).strip().lower()


def describe_models(models: MetaData) -> dict[str, dict]:
    """What ``models`` declare, table by table, in the shape ``describe_database`` gives."""
    ddl = DIALECT.ddl_compiler(DIALECT, None)
    described = {}
    for table in models.tables.values():
        key = [column.name for column in table.primary_key.columns]
        described[table.name] = {
            "columns": {
                column.name: (column.type.compile(dialect=DIALECT), bool(column.nullable) and column.name not in key,
                              _default(ddl.get_column_default_string(column)))
                for column in table.columns
            },
            "primary key": tuple(key),
            "foreign keys": sorted(
                (tuple(fk.column_keys), fk.referred_table.name, tuple(element.column.name for element in fk.elements))
                for fk in table.foreign_key_constraints
            ),
            "unique": sorted(
                {tuple(column.name for column in constraint.columns) for constraint in table.constraints if isinstance(constraint, UniqueConstraint)}
                | {(column.name,) for column in table.columns if column.unique}
            ),
            "indexes": {
                index.name: (tuple(column.name for column in index.columns), bool(index.unique), _condition(index.dialect_options["sqlite"]["where"]))
                for index in table.indexes
            },
            "autoincrement": bool(table.dialect_options["sqlite"]["autoincrement"]),
        }
    return described


def describe_database(path: Path) -> dict[str, dict]:
    """What the SQLite database at ``path`` holds, read with SQLAlchemy's inspector."""
    engine = create_engine("sqlite://", creator=lambda: sqlite3.connect(path))
    try:
        inspector = inspect(engine)
        with engine.connect() as conn:
            table_sql = dict(conn.exec_driver_sql("SELECT name, sql FROM sqlite_master WHERE type = 'table'").all())
        described = {}
        for name in inspector.get_table_names():
            key = inspector.get_pk_constraint(name)["constrained_columns"]
            described[name] = {
                "columns": {
                    column["name"]: (column["type"].compile(dialect=DIALECT), bool(column["nullable"]) and column["name"] not in key,
                                     _default(column["default"]))
                    for column in inspector.get_columns(name)
                },
                "primary key": tuple(key),
                "foreign keys": sorted(
                    (tuple(fk["constrained_columns"]), fk["referred_table"], tuple(fk["referred_columns"])) for fk in inspector.get_foreign_keys(name)
                ),
                "unique": sorted({tuple(constraint["column_names"]) for constraint in inspector.get_unique_constraints(name)}),
                "indexes": {
                    index["name"]: (tuple(index["column_names"]), bool(index["unique"]), _condition(index.get("dialect_options", {}).get("sqlite_where")))
                    for index in inspector.get_indexes(name)
                },
                "autoincrement": "AUTOINCREMENT" in table_sql[name].upper(),
            }
        return described
    finally:
        engine.dispose()


def differences(models: dict[str, dict], database: dict[str, dict]) -> list[str]:
    """Every way ``models`` and ``database`` disagree, one readable line each (empty when they agree)."""
    found = [f"table {name}: in the models, not made by the migrations" for name in sorted(models.keys() - database.keys())]
    found += [f"table {name}: made by the migrations, not in the models" for name in sorted(database.keys() - models.keys())]
    for name in sorted(models.keys() & database.keys()):
        declared, built = models[name], database[name]
        for column in sorted(declared["columns"].keys() | built["columns"].keys()):
            want, have = declared["columns"].get(column), built["columns"].get(column)
            if want != have:
                found.append(f"{name}.{column}: models (type, nullable, default) {want}, migrated DB {have}")
        for index in sorted(declared["indexes"].keys() | built["indexes"].keys()):
            want, have = declared["indexes"].get(index), built["indexes"].get(index)
            if want != have:
                found.append(f"{name} index {index}: models (columns, unique, where) {want}, migrated DB {have}")
        for aspect in ("primary key", "foreign keys", "unique", "autoincrement"):
            if declared[aspect] != built[aspect]:
                found.append(f"{name} {aspect}: models {declared[aspect]}, migrated DB {built[aspect]}")
    return found


@pytest.fixture(scope="module")
def migrated(tmp_path_factory) -> Path:
    path = tmp_path_factory.mktemp("schema") / "srs.db"
    open_store(path).close()
    return path


def test_the_models_are_the_schema_the_migrations_build(migrated) -> None:
    assert differences(describe_models(metadata), describe_database(migrated)) == []


def test_the_models_describe_every_table_and_index(migrated) -> None:
    # Guards the comparison itself: an empty description on either side would agree with anything.
    models, database = describe_models(metadata), describe_database(migrated)
    assert len(models) == len(database) == 15  # with remote: event, sync_state, sync_orphan; export: export_note, export_note_epoch; card_text
    assert sum(len(table["indexes"]) for table in database.values()) == 9  # without ix_card_stats (v14); with remote: ix_review_uid, ix_event_card, ix_sync_orphan_card
    assert models["card"]["indexes"]["ix_card_due"] == (("state", "due"), False, "state > 0")


# --- deliberately broken models: each must be told apart from the migrated database ---


def _copy(**drop: str) -> MetaData:
    broken = MetaData()
    for table in metadata.tables.values():
        if table.name not in drop.values():
            table.to_metadata(broken)
    return broken


def _broken_deck_model() -> MetaData:
    """The models with a Deck class that drifted: ``description`` optional and without its default."""
    broken = _copy(skip="deck")

    class Base(SQLModel, registry=registry(metadata=broken)):
        pass

    class Deck(Base, table=True):
        id: int | None = Field(default=None, primary_key=True)
        name: str = Field(unique=True)
        description: str | None = None

    return broken


def _mutate(change) -> MetaData:
    broken = _copy()
    change(broken)
    return broken


def _drop_index(models: MetaData, table: str, name: str) -> None:
    index = next(index for index in models.tables[table].indexes if index.name == name)
    models.tables[table].indexes.discard(index)


BROKEN = {
    "a model class that drifted": (_broken_deck_model, "deck.description"),
    "a table the migrations do not make": (lambda: _mutate(lambda m: m.tables["deck"].to_metadata(m, name="deck_archive")), "table deck_archive"),
    "a table the models lack": (lambda: _copy(skip="render_cache"), "table render_cache"),
    "a column the migrations do not make": (lambda: _mutate(lambda m: m.tables["card"].append_column(Column("color", String))), "card.color"),
    "a wrong type": (lambda: _mutate(lambda m: setattr(m.tables["review"].c.rating, "type", String())), "review.rating"),
    "a wrong nullability": (lambda: _mutate(lambda m: setattr(m.tables["card"].c.due, "nullable", False)), "card.due"),
    "a missing default": (lambda: _mutate(lambda m: setattr(m.tables["card"].c.reps, "server_default", None)), "card.reps"),
    "an index the models lack": (lambda: _mutate(lambda m: _drop_index(m, "review", "ix_review_stats")), "index ix_review_stats"),
    "an index on other columns": (
        lambda: _mutate(lambda m: (_drop_index(m, "review", "ix_review_card"), Index("ix_review_card", m.tables["review"].c.card_id))),
        "index ix_review_card",
    ),
    "a partial index's condition": (
        lambda: _mutate(lambda m: (_drop_index(m, "card", "ix_card_new"), Index("ix_card_new", m.tables["card"].c.origin, m.tables["card"].c.position))),
        "index ix_card_new",
    ),
    "a unique constraint": (lambda: _mutate(lambda m: m.tables["quiz"].append_constraint(UniqueConstraint("started_at"))), "quiz unique"),
    "a foreign key": (
        lambda: _mutate(lambda m: m.tables["quiz_item"].append_constraint(ForeignKeyConstraint(["review_id"], ["review.id"]))),
        "quiz_item foreign keys",
    ),
}


@pytest.mark.parametrize("case", sorted(BROKEN))
def test_a_broken_model_is_caught(migrated, case) -> None:
    build, expected = BROKEN[case]
    found = differences(describe_models(build()), describe_database(migrated))
    assert found and all(expected in line for line in found), found


def test_a_migration_step_missing_from_the_models_is_caught(tmp_path) -> None:
    path = tmp_path / "srs.db"
    open_store(path).close()
    conn = sqlite3.connect(path)
    conn.execute("ALTER TABLE deck ADD COLUMN color VARCHAR")  # what a new migration step would do
    conn.execute("CREATE INDEX ix_deck_color ON deck(color) WHERE color IS NOT NULL")
    conn.commit()
    conn.close()
    found = differences(describe_models(metadata), describe_database(path))
    assert found == [
        "deck.color: models (type, nullable, default) None, migrated DB ('VARCHAR', True, None)",
        "deck index ix_deck_color: models (columns, unique, where) None, migrated DB (('color',), False, 'color is not null')",
    ]


def test_the_models_build_a_database_the_migrations_agree_with(tmp_path) -> None:
    # The models are complete enough to create a collection's tables by themselves (the remote store's route).
    path = tmp_path / "from-models.db"
    engine = create_engine("sqlite://", creator=lambda: sqlite3.connect(path))
    try:
        metadata.create_all(engine)
    finally:
        engine.dispose()
    built = describe_database(path)
    migrated_path = tmp_path / "migrated.db"
    open_store(migrated_path).close()
    assert differences(built, describe_database(migrated_path)) == []
