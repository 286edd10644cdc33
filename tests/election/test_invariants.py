"""`stembus check` finds every breach of a database invariant, and passes a healthy database.

Most invariants are also enforced by the schema, so each test first loosens exactly that rule with
raw SQL (drops a trigger or constraint, or switches enforcement off for one connection), writes
the bad row, and puts the rule back before the test ends: the PostgreSQL test database is shared
by the whole run.
"""

from __future__ import annotations

import json
import secrets
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import date, datetime, timedelta
from typing import Any

import pytest
from click.testing import CliRunner
from sqlalchemy import text
from sqlalchemy.engine import Connection

from admin.cli import main
from election import audit_log, invariants
from election.invariants import CheckContext, check_database
from election.mail import queue_message
from election.models import ElectoralGroup, PendingAction, RegisterPerson, Role
from tests.helpers import make_member
from tests.web.register_factory import make_election


def run_check(database_url: str, *options: str) -> tuple[int, dict[str, Any], str]:
    """Run `stembus check --json` against ``database_url``; return exit code, document and stderr."""
    runner = CliRunner()
    env = {"STEMBUS_DATABASE_URL": database_url, "STEMBUS_SECRET_KEY": secrets.token_urlsafe(48)}
    result = runner.invoke(main, ["check", "--json", *options], env=env, catch_exceptions=False)
    return result.exit_code, json.loads(result.stdout), result.stderr


def breaches_of(document: dict[str, Any], name: str) -> list[str]:
    """The breach lines ``stembus check`` reported for one invariant."""
    return [b["detail"] for b in document["breaches"] if b["invariant"] == name]


def postgres(app: Any) -> bool:
    return app.extensions["stembus_engine"].dialect.name == "postgresql"


@contextmanager
def raw_connection(app: Any) -> Iterator[Connection]:
    """A connection on which foreign keys and (SQLite) check constraints are not enforced; commits at the end."""
    engine = app.extensions["stembus_engine"]
    with engine.connect() as connection:
        if postgres(app):
            connection.exec_driver_sql("SET session_replication_role = replica")  # skips FK triggers
        else:
            connection.exec_driver_sql("PRAGMA foreign_keys=OFF")
            connection.exec_driver_sql("PRAGMA ignore_check_constraints=ON")
        try:
            yield connection
            connection.commit()
        finally:
            connection.rollback()
            if postgres(app):
                connection.exec_driver_sql("RESET session_replication_role")
            else:
                connection.exec_driver_sql("PRAGMA foreign_keys=ON")
                connection.exec_driver_sql("PRAGMA ignore_check_constraints=OFF")


@contextmanager
def postgres_constraint_dropped(app: Any, table: str, constraint: str) -> Iterator[None]:
    """Drop one PostgreSQL constraint for the test; empty the table and restore it afterwards."""
    engine = app.extensions["stembus_engine"]
    with engine.begin() as connection:
        definition = connection.execute(
            text("SELECT pg_get_constraintdef(oid) FROM pg_constraint WHERE conname = :name"), {"name": constraint}
        ).scalar_one()
        connection.execute(text(f"ALTER TABLE {table} DROP CONSTRAINT {constraint}"))
    try:
        yield
    finally:
        with engine.begin() as connection:
            connection.execute(text(f"TRUNCATE {table} CASCADE"))
            connection.execute(text(f"ALTER TABLE {table} ADD CONSTRAINT {constraint} {definition}"))


def add_person(connection: Connection, person_id: int, election_id: int, number: str, group_id: int | None) -> None:
    connection.execute(
        text(
            "INSERT INTO register_person (id, election_id, employee_number, name, email, department, location,"
            " language, start_date, employment_kind, bestuurder, electoral_group_id, active, passive, reasons,"
            " updated_at) VALUES (:id, :election, :number, 'Test Person', '', '', '', 'nl', :start, 'employee',"
            " :no, :group, :yes, :yes, '', :now)"
        ),
        {
            "id": person_id,
            "election": election_id,
            "number": number,
            "start": date(2020, 1, 1),
            "no": False,
            "yes": True,
            "group": group_id,
            "now": datetime.now().astimezone(),
        },
    )


def group_ids(app: Any, election_id: int) -> list[int]:
    with app.extensions["stembus_sessions"]() as db:
        return [g.id for g in db.query(ElectoralGroup).filter_by(election_id=election_id).order_by(ElectoralGroup.id)]


def healthy_instance(app: Any) -> int:
    """An election with a register, two members, a confirmed two-member step, audit entries and sent mail."""
    chair = make_member(app, Role.CHAIR)
    member = make_member(app, Role.MEMBER)
    election_id = make_election(app)
    first_group = group_ids(app, election_id)[0]
    now = app.config["CLOCK"].now()
    with app.extensions["stembus_sessions"]() as db:
        for number in ("1001", "1002"):
            db.add(
                RegisterPerson(
                    election_id=election_id,
                    employee_number=number,
                    name="Someone",
                    start_date=date(2020, 1, 1),
                    electoral_group_id=first_group,
                    active=True,
                    passive=True,
                    updated_at=now,
                )
            )
        db.add(
            PendingAction(
                election_id=election_id,
                action="announce",
                proposed_by=chair.id,
                proposed_at=now,
                confirmed_by=member.id,
                confirmed_at=now,
                status="confirmed",
            )
        )
        for action in ("announce", "freeze_register"):
            audit_log.record(db, chair.email, action, election_id=election_id)
        message = queue_message(
            db,
            dedupe_key="letter-1",
            recipient="union@example.org",
            subject="Invitation",
            text="Dear union",
            kind="union_invitation",
            election_id=election_id,
        )
        message.status, message.sent_at = "sent", now
        db.commit()
    return election_id


def test_healthy_database_passes_every_invariant(app, database_url):
    healthy_instance(app)
    code, document, _ = run_check(database_url)
    assert code == 0, document["breaches"]
    assert document["ok"] is True
    names = {item["name"] for item in document["invariants"]}
    assert {
        "audit_log.chain_intact",
        "election.phase_known",
        "outbox.sent_rows_dated",
        "outbox.no_stale_claims",
        "register.employee_numbers_unique",
        "register.groups_of_same_election",
        "pending_actions.reference_members",
        "pending_actions.two_distinct_members",
    } <= names
    assert all(item["ok"] for item in document["invariants"])


@contextmanager
def triggers_dropped(app: Any, table: str) -> Iterator[None]:
    """Drop ``table``'s own (append-only) triggers for the block, and put them back afterwards."""
    engine = app.extensions["stembus_engine"]
    with engine.begin() as connection:
        if postgres(app):
            triggers = connection.execute(
                text(
                    "SELECT tgname, pg_get_triggerdef(oid) FROM pg_trigger WHERE tgrelid = CAST(:t AS regclass)"
                    " AND NOT tgisinternal"
                ),
                {"t": table},
            ).all()
            for name, _ in triggers:
                connection.execute(text(f"DROP TRIGGER {name} ON {table}"))
        else:
            triggers = connection.execute(
                text("SELECT name, sql FROM sqlite_master WHERE type = 'trigger' AND tbl_name = :t"), {"t": table}
            ).all()
            for name, _ in triggers:
                connection.execute(text(f"DROP TRIGGER {name}"))
    assert triggers, f"{table} has no append-only trigger to drop"
    try:
        yield
    finally:
        with engine.begin() as connection:
            for _, definition in triggers:
                connection.execute(text(definition))


def test_edited_audit_entry_is_named(app, database_url):
    healthy_instance(app)
    with triggers_dropped(app, "audit_entry"), app.extensions["stembus_engine"].begin() as connection:
        connection.execute(text("UPDATE audit_entry SET actor = 'someone else' WHERE seq = 2"))
    code, document, stderr = run_check(database_url)
    assert code == 1
    assert breaches_of(document, "audit_log.chain_intact") == ["audit entry 2: entry hash does not match its contents"]
    assert "audit_log.chain_intact" in stderr


def test_unknown_phase_is_named(app, database_url):
    election_id = healthy_instance(app)
    with raw_connection(app) as connection:
        connection.execute(text("UPDATE election SET phase = 'halfway' WHERE id = :id"), {"id": election_id})
    code, document, stderr = run_check(database_url)
    assert code == 1
    assert breaches_of(document, "election.phase_known") == [f"election {election_id}: unknown phase 'halfway'"]
    assert "election.phase_known" in stderr


def test_sent_message_without_sending_time_is_named(app, database_url):
    healthy_instance(app)
    with raw_connection(app) as connection:
        connection.execute(text("UPDATE outbox_message SET sent_at = NULL WHERE dedupe_key = 'letter-1'"))
        row_id = connection.execute(text("SELECT id FROM outbox_message")).scalar_one()
    code, document, _ = run_check(database_url)
    assert code == 1
    assert breaches_of(document, "outbox.sent_rows_dated") == [f"outbox message {row_id}: sent without a sending time"]


def test_message_claimed_longer_than_the_claim_timeout_is_named(app, database_url):
    healthy_instance(app)
    long_ago = datetime.now().astimezone() - timedelta(hours=2)
    with raw_connection(app) as connection:
        connection.execute(
            text("UPDATE outbox_message SET status = 'sending', sent_at = NULL, claim_token = 'abc', claimed_at = :at"),
            {"at": long_ago},
        )
        row_id = connection.execute(text("SELECT id FROM outbox_message")).scalar_one()
    code, document, _ = run_check(database_url)
    assert code == 1
    [breach] = breaches_of(document, "outbox.no_stale_claims")
    assert breach.startswith(f"outbox message {row_id}: claimed since ")
    # A fresh claim is a worker at work, not a breach.
    with raw_connection(app) as connection:
        connection.execute(text("UPDATE outbox_message SET claimed_at = :at"), {"at": datetime.now().astimezone()})
    assert run_check(database_url)[0] == 0


def test_duplicate_employee_number_is_named(app, database_url):
    election_id = healthy_instance(app)
    group = group_ids(app, election_id)[0]
    if postgres(app):
        loosened = postgres_constraint_dropped(app, "register_person", "uq_register_person_election_id_employee_number")
    else:
        loosened = _sqlite_register_without_unique(app)
    with loosened:
        with raw_connection(app) as connection:
            add_person(connection, 900, election_id, "1001", group)
        code, document, stderr = run_check(database_url)
    assert code == 1
    assert breaches_of(document, "register.employee_numbers_unique") == [
        f"election {election_id}: employee number 1001 is in the register 2 times"
    ]
    assert "register.employee_numbers_unique" in stderr


@contextmanager
def _sqlite_register_without_unique(app: Any) -> Iterator[None]:
    """Rebuild the (per-test) SQLite register table without its unique constraint."""
    with raw_connection(app) as connection:
        connection.exec_driver_sql("CREATE TABLE register_person_loose AS SELECT * FROM register_person")
        connection.exec_driver_sql("DROP TABLE register_person")
        connection.exec_driver_sql("ALTER TABLE register_person_loose RENAME TO register_person")
    yield


def test_person_in_a_group_of_another_election_is_named(app, database_url):
    election_id = healthy_instance(app)
    other = make_election(app, groups=("Elders",))
    foreign_group = group_ids(app, other)[0]
    with raw_connection(app) as connection:
        add_person(connection, 901, election_id, "2001", foreign_group)
    code, document, _ = run_check(database_url)
    assert code == 1
    assert breaches_of(document, "register.groups_of_same_election") == [
        f"register person 901 of election {election_id}: group of election {other}"
    ]


def test_step_proposed_by_an_unknown_member_is_named(app, database_url):
    election_id = healthy_instance(app)
    with raw_connection(app) as connection:
        connection.execute(
            text(
                "INSERT INTO pending_action (id, election_id, action, params, proposed_by, proposed_at, status)"
                " VALUES (77, :election, 'announce', '{}', 4242, :now, 'pending')"
            ),
            {"election": election_id, "now": datetime.now().astimezone()},
        )
    code, document, _ = run_check(database_url)
    assert code == 1
    assert breaches_of(document, "pending_actions.reference_members") == [
        "pending action 77: proposed by unknown member 4242"
    ]


def test_step_confirmed_by_its_proposer_is_named(app, database_url):
    election_id = healthy_instance(app)
    chair_id = make_member(app, Role.SECRETARY).id

    def insert() -> None:
        with raw_connection(app) as connection:
            connection.execute(
                text(
                    "INSERT INTO pending_action (id, election_id, action, params, proposed_by, proposed_at,"
                    " confirmed_by, confirmed_at, status) VALUES (78, :election, 'open_voting', '{}', :member, :now,"
                    " :member, :now, 'confirmed')"
                ),
                {"election": election_id, "member": chair_id, "now": datetime.now().astimezone()},
            )

    if postgres(app):
        with postgres_constraint_dropped(app, "pending_action", "ck_pending_action_two_distinct_members"):
            insert()
            code, document, stderr = run_check(database_url)
    else:
        insert()
        code, document, stderr = run_check(database_url)
    assert code == 1
    assert breaches_of(document, "pending_actions.two_distinct_members") == [
        f"pending action 78: confirmed by its own proposer (member {chair_id})"
    ]
    assert "pending_actions.two_distinct_members" in stderr


def test_a_check_that_cannot_run_is_a_breach(tmp_path):
    code, document, _ = run_check(f"sqlite:///{tmp_path / 'not-migrated.sqlite3'}", "--only", "election.phase_known")
    assert code == 1
    [breach] = breaches_of(document, "election.phase_known")
    assert breach.startswith("the check could not run: ")


def test_unknown_invariant_name_is_a_usage_error(tmp_path):
    result = CliRunner().invoke(
        main,
        ["check", "--only", "no.such_thing"],
        env={"STEMBUS_DATABASE_URL": f"sqlite:///{tmp_path / 'x.sqlite3'}", "STEMBUS_SECRET_KEY": "k" * 48},
    )
    assert result.exit_code == 2
    assert "no.such_thing" in result.stderr


def test_a_new_invariant_is_one_decorator(app, monkeypatch):
    monkeypatch.setattr(invariants, "_REGISTRY", dict(invariants._REGISTRY))

    @invariants.invariant("ballots.example")
    def example(session, context):
        """An invariant added by a later part of Stembus."""
        yield "ballot 1: example breach"

    context = CheckContext(now=app.config["CLOCK"].now())
    [outcome] = check_database(app.extensions["stembus_sessions"], context, only=["ballots.example"])
    assert outcome.description == "An invariant added by a later part of Stembus."
    assert outcome.breaches == ["ballot 1: example breach"]
    with pytest.raises(ValueError, match="twice"):
        invariants.invariant("ballots.example")(example)
