"""SQL text built from a model's table name or a class attribute bound once to a literal (set 13, mealie)."""

from tasks.triage.constant_names import constant_sink

MIGRATION = '''import sqlalchemy as sa
from alembic import op

from app.models import MultiPurposeLabel


def upgrade(session, label_id):
    session.execute(sa.text(f"DELETE FROM {MultiPurposeLabel.__tablename__} WHERE id=:id").bindparams(id=label_id))
'''

MODEL = '''from typing import ClassVar

from sqlalchemy import text


class SearchModel:
    _fuzzy_similarity_threshold: ClassVar[float] = 0.5
    column = "name"

    @classmethod
    def fuzzy(cls, session):
        session.execute(text(f"set pg_trgm.word_similarity_threshold = {cls._fuzzy_similarity_threshold}"))

    @classmethod
    def loose(cls, session):
        session.execute(text(f"SELECT * FROM t ORDER BY {cls.column}"))


def tune(model, value):
    model.column = value
'''


def test_a_models_table_name_and_a_class_literal_are_constants():
    assert constant_sink(MIGRATION, 8, "alembic/versions/x.py") is not None
    assert constant_sink(MODEL, 12, "app/schema.py") is not None


def test_a_class_attribute_assigned_elsewhere_or_a_parameter_is_not():
    assert constant_sink(MODEL, 16, "app/schema.py") is None  # `model.column = value` rebinds it
    assert constant_sink(MIGRATION.replace("{MultiPurposeLabel.__tablename__}", "{label_id}"), 8, "alembic/versions/x.py") is None
