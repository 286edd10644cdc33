"""Alembic environment: migrates the database named by the caller or by STEMBUS_DATABASE_URL."""

from __future__ import annotations

import os

from alembic import context

import election.models  # noqa: F401  (registers every table)
from election.db import Base, make_engine

config = context.config
url = config.attributes.get("url") or os.environ.get("STEMBUS_DATABASE_URL")
if not url:
    raise SystemExit("Set STEMBUS_DATABASE_URL to the database to migrate.")


def run_migrations_online() -> None:
    """Apply migrations inside one connection; batch mode lets ALTER TABLE work on SQLite."""
    engine = make_engine(url)
    with engine.connect() as connection:
        context.configure(
            connection=connection,
            target_metadata=Base.metadata,
            render_as_batch=True,
            compare_type=True,
        )
        with context.begin_transaction():
            context.run_migrations()
    engine.dispose()


run_migrations_online()
