"""`stembus check` re-checks the bulletin board: one entry per credential, listed credentials, chain, close counts.

A closed vote with real ballots passes; then each test loosens exactly the rule the schema enforces
(the append-only triggers, the unique counted credential), writes the bad row with raw SQL, and
expects the breach to be named by election and board position.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from sqlalchemy import text

from tests.election.test_invariants import (
    breaches_of,
    postgres,
    postgres_constraint_dropped,
    raw_connection,
    run_check,
    triggers_dropped,
)
from tests.web.count_factory import after_voting, cast, close_vote, make_count_election

BOARD_CHECKS = (
    "ballots.one_per_credential",
    "ballots.listed_credential",
    "board.chain_intact",
    "turnout.close_counts_match_board",
    "tally.running_matches_board",
)


def closed_vote(app: Any) -> int:
    """A vote with three real ballots (two groups), closed by two members; returns the election id."""
    ce = make_count_election(app)
    groups = sorted({c.group_name for c in ce.codes})
    first = [c for c in ce.codes if c.group_name == groups[0]]
    second = [c for c in ce.codes if c.group_name == groups[1]]
    cast(app, ce, first[0], 0)
    cast(app, ce, first[1], 1)
    cast(app, ce, second[0], 0)
    after_voting(app, ce.election_id)
    close_vote(app, ce.election_id, ce.trustees[0], ce.trustees[1])
    return ce.election_id


def board_rows(app: Any, election_id: int) -> list[tuple[int, str, str | None]]:
    with app.extensions["stembus_engine"].connect() as connection:
        rows = connection.execute(
            text("SELECT seq, type, counted_credential FROM board_entry WHERE election_id = :e ORDER BY seq"),
            {"e": election_id},
        )
        return [(int(seq), str(kind), credential) for seq, kind, credential in rows]


def test_a_closed_vote_passes_every_board_check(app, database_url):
    closed_vote(app)
    code, document, _ = run_check(database_url)
    assert code == 0, document["breaches"]
    names = {item["name"] for item in document["invariants"]}
    assert set(BOARD_CHECKS) <= names


def test_an_edited_ballot_payload_is_named(app, database_url):
    election_id = closed_vote(app)
    seq = next(seq for seq, kind, _ in board_rows(app, election_id) if kind == "ballot")
    with triggers_dropped(app, "board_entry"), raw_connection(app) as connection:
        connection.execute(
            text("UPDATE board_entry SET payload = :p WHERE election_id = :e AND seq = :s"),
            {"p": '{"tampered":true}', "e": election_id, "s": seq},
        )
    code, document, stderr = run_check(database_url)
    assert code == 1
    assert breaches_of(document, "board.chain_intact") == [
        f"election {election_id}: entry {seq}: the payload does not match its payload hash"
    ]
    assert "board.chain_intact" in stderr


def test_a_dropped_ballot_breaks_the_chain_and_the_close_count(app, database_url):
    election_id = closed_vote(app)
    rows = board_rows(app, election_id)
    seq = next(seq for seq, kind, _ in rows if kind == "ballot")
    close_seq = next(seq for seq, kind, _ in rows if kind == "close")
    with triggers_dropped(app, "board_entry"), raw_connection(app) as connection:
        group = connection.execute(
            text("SELECT group_key FROM board_entry WHERE election_id = :e AND seq = :s"), {"e": election_id, "s": seq}
        ).scalar_one()
        connection.execute(
            text("DELETE FROM board_entry WHERE election_id = :e AND seq = :s"), {"e": election_id, "s": seq}
        )
    code, document, _ = run_check(database_url)
    assert code == 1
    [chain] = breaches_of(document, "board.chain_intact")
    assert chain.startswith(f"election {election_id}: ")
    assert breaches_of(document, "turnout.close_counts_match_board") == [
        f"election {election_id}: the close entry {close_seq} states 2 ballots for group {group}, the board holds 1"
    ]


def test_a_ballot_under_an_unlisted_credential_is_named(app, database_url):
    election_id = closed_vote(app)
    seq, _, credential = next(row for row in board_rows(app, election_id) if row[1] == "ballot")
    with raw_connection(app) as connection:
        connection.execute(
            text("UPDATE voting_credential SET credential = :other WHERE election_id = :e AND credential = :c"),
            {"other": "00" * 32, "e": election_id, "c": credential},
        )
    code, document, _ = run_check(database_url)
    assert code == 1
    assert breaches_of(document, "ballots.listed_credential") == [
        f"election {election_id}: board entry {seq} is a ballot under a credential that is not listed"
    ]


def test_a_ballot_under_a_credential_of_another_group_is_named(app, database_url):
    election_id = closed_vote(app)
    seq, _, credential = next(row for row in board_rows(app, election_id) if row[1] == "ballot")
    with raw_connection(app) as connection:
        own, other = connection.execute(
            text(
                "SELECT c.electoral_group_id, (SELECT min(g.id) FROM electoral_group g WHERE g.election_id = :e"
                " AND g.id <> c.electoral_group_id) FROM voting_credential c WHERE c.election_id = :e"
                " AND c.credential = :c"
            ),
            {"e": election_id, "c": credential},
        ).one()
        connection.execute(
            text("UPDATE voting_credential SET electoral_group_id = :g WHERE election_id = :e AND credential = :c"),
            {"g": other, "e": election_id, "c": credential},
        )
    code, document, _ = run_check(database_url)
    assert code == 1
    assert breaches_of(document, "ballots.listed_credential") == [
        f"election {election_id}: board entry {seq} is a ballot for group G{own} under a credential of group G{other}"
    ]


def test_two_counted_entries_under_one_credential_are_named(app, database_url):
    election_id = closed_vote(app)
    rows = board_rows(app, election_id)
    _, _, credential = next(row for row in rows if row[1] == "ballot")
    second = [seq for seq, kind, _ in rows if kind == "ballot"][1]
    if postgres(app):
        loosened = postgres_constraint_dropped(app, "board_entry", "one_ballot_per_credential")
    else:
        loosened = _sqlite_board_without_unique(app)
    with triggers_dropped(app, "board_entry"), loosened, raw_connection(app) as connection:
        connection.execute(
            text("UPDATE board_entry SET counted_credential = :c WHERE election_id = :e AND seq = :s"),
            {"c": credential, "e": election_id, "s": second},
        )
        connection.commit()
        code, document, _ = run_check(database_url)
    assert code == 1
    assert breaches_of(document, "ballots.one_per_credential") == [
        f"election {election_id}: credential {credential} counts 2 times on the board"
    ]


@contextmanager
def _sqlite_board_without_unique(app: Any) -> Iterator[None]:
    """Rebuild the (per-test) SQLite board table without its unique constraints or triggers."""
    with raw_connection(app) as connection:
        connection.exec_driver_sql("CREATE TABLE board_entry_loose AS SELECT * FROM board_entry")
        connection.exec_driver_sql("DROP TABLE board_entry")
        connection.exec_driver_sql("ALTER TABLE board_entry_loose RENAME TO board_entry")
    yield
