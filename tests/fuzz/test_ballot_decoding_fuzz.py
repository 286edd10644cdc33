"""Fuzzing ballot decoding: arbitrary JSON, grafted subtrees and byte mutations of real ballots.

Contract: ``crypto.ballot.ballot_from_dict`` either returns a ballot or raises ``BallotError``;
the server's parser turns every failure into ``CastRefused("malformed", 400)``; a changed ballot that
still parses never verifies; and the booth's cast endpoint answers every posted body with a 4xx
JSON refusal, never a 500.
"""

from __future__ import annotations

import copy
import json
import random
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from crypto import ballot as b
from crypto import credentials as cr
from crypto import elgamal as e
from election.casting import CastRefused, _parse

Y = e.keypair()[1]
H_E = bytes(range(32))
X_SECRET, _X = cr.derive_credential(cr.generate_code(), "3f1d6a52-8a0e-4c49-9d7c-0e6a9f1f5b21", bytes(32))
SHAPES = {"list": (4, 1), "person": (5, 2)}


def _make(system: str) -> b.Ballot:
    k = SHAPES[system][1]
    choices = [0, 1, 0, 0] if system == "list" else [1, 0, 1, 0, 0]
    ballot, _ = b.encrypt_ballot(
        choices, joint_key=Y, election_hash=H_E, group_id="G1", credential_secret=X_SECRET, system=system, k=k
    )
    return ballot


BALLOTS = {system: _make(system) for system in SHAPES}
FUZZ = settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])

json_scalars = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(-(2**70), 2**70),
    st.floats(allow_nan=True, allow_infinity=True),
    st.text(max_size=80),
    st.sampled_from(["", "00" * 32, "ff" * 32, "AB" * 32, "0" * 63, "g" * 64, "1", "list", "person", "G1"]),
)
json_values = st.recursive(
    json_scalars,
    lambda inner: st.one_of(
        st.lists(inner, max_size=5), st.dictionaries(st.text(max_size=12) | st.sampled_from(sorted(b._FIELDS)), inner)
    ),
    max_leaves=25,
)


def _verifies(ballot: b.Ballot, system: str) -> bool:
    n, k = SHAPES[system]
    try:
        failures = b.verify_ballot(
            ballot, election_hash=H_E, group_id="G1", n_options=n, k=k, system=system, joint_key=Y
        )
    except b.BallotError:
        return False
    return not failures


def _decode(raw: object) -> b.Ballot | None:
    """Parse as the crypto core does; None for a refusal (``BallotError`` is the only one allowed)."""
    try:
        return b.ballot_from_dict(raw)
    except b.BallotError as refused:
        assert str(refused)
        return None


def _server_parse(raw: object) -> b.Ballot | None:
    """Parse as the cast endpoint does; every refusal is a 400 'malformed'."""
    try:
        return _parse(raw)
    except CastRefused as refused:
        assert (refused.code, refused.status) == ("malformed", 400)
        return None


def _paths(d: Any, path: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
    """Every path into the JSON tree, inner nodes included."""
    found = [path]
    if isinstance(d, dict):
        found += [p for k in d for p in _paths(d[k], (*path, k))]
    elif isinstance(d, list):
        found += [p for i, v in enumerate(d) for p in _paths(v, (*path, i))]
    return found


def _graft(d: Any, path: tuple[Any, ...], value: Any) -> Any:
    if not path:
        return value
    node = d
    for key in path[:-1]:
        node = node[key]
    node[path[-1]] = value
    return d


def test_the_valid_ballots_verify() -> None:
    for system, ballot in BALLOTS.items():
        assert _verifies(ballot, system)
        assert _decode(json.loads(b.ballot_to_bytes(ballot))) == ballot


@FUZZ
@given(raw=json_values)
def test_any_json_value_is_parsed_or_refused_cleanly(raw: object) -> None:
    parsed = _decode(raw)
    assert (_server_parse(raw) is None) == (parsed is None)


@FUZZ
@given(system=st.sampled_from(sorted(SHAPES)), rnd=st.randoms(use_true_random=False), value=json_values)
def test_a_valid_ballot_with_any_part_replaced_is_refused_or_fails_verification(
    system: str, rnd: random.Random, value: object
) -> None:
    original = BALLOTS[system]
    d = original.to_dict()
    path = rnd.choice(_paths(d))
    mutated = _graft(copy.deepcopy(d), path, copy.deepcopy(value))
    parsed = _decode(mutated)
    _server_parse(mutated)
    if parsed is not None and parsed != original:
        assert not _verifies(parsed, system), f"a ballot changed at {path} still verifies"


@FUZZ
@given(system=st.sampled_from(sorted(SHAPES)), rnd=st.randoms(use_true_random=False), edits=st.integers(1, 3))
def test_byte_mutations_of_a_valid_ballot_never_verify(system: str, rnd: random.Random, edits: int) -> None:
    original = BALLOTS[system]
    data = bytearray(b.ballot_to_bytes(original))
    for _ in range(edits):
        i = rnd.randrange(len(data))
        how = rnd.choice(("flip", "hexdigit", "insert", "cut"))
        if how == "flip":
            data[i] ^= 1 << rnd.randrange(8)
        elif how == "hexdigit":
            data[i] = ord(rnd.choice('0123456789abcdefABCDEF"{}[],:'))
        elif how == "insert":
            data[i:i] = rnd.randbytes(rnd.randint(1, 4))
        else:
            del data[i : i + rnd.randint(1, 8)]
    try:
        raw = json.loads(bytes(data))
    except (ValueError, RecursionError):
        return  # not JSON: the endpoint answers "not_json" before any parsing
    parsed = _decode(raw)
    _server_parse(raw)
    if parsed is not None and parsed != original:
        assert not _verifies(parsed, system)


# --- the cast endpoint, end to end -------------------------------------------------------------


def _mutate(data: bytes, rnd: random.Random, edits: int) -> bytes:
    out = bytearray(data)
    for _ in range(edits):
        i = rnd.randrange(len(out))
        how = rnd.choice(("flip", "char", "insert", "cut"))
        if how == "flip":
            out[i] ^= 1 << rnd.randrange(8)
        elif how == "char":
            out[i] = ord(rnd.choice('0123456789abcdefABCDEF"{}[],: '))
        elif how == "insert":
            out[i:i] = rnd.randbytes(rnd.randint(1, 4))
        else:
            del out[i : i + rnd.randint(1, 8)]
    return bytes(out)


# Bodies for /credential: 64 characters of anything (a NUL byte reached PostgreSQL once), or hex.
credential_bodies = st.one_of(
    st.text(min_size=64, max_size=64).map(lambda t: {"credential": t}),
    st.text("0123456789abcdefABCDEF\x00 ", min_size=60, max_size=68).map(lambda t: {"credential": t}),
)


@pytest.fixture
def booth(app: Any, client: Any) -> tuple[Any, str, dict[str, str], bytes]:
    """An election open for voting, its booth URL, the booth's CSRF header, and a voter's real ballot."""
    import re

    from election.voting_codes import identity_of
    from tests.web.voting_factory import make_ballot, make_voting_election

    ve = make_voting_election(app, people=6, seats=(1, 1))
    with app.extensions["stembus_sessions"]() as db:
        identity = identity_of(db, ve.election_id)
        assert identity is not None
        uuid = identity.uuid
    ballot, _ = make_ballot(app, ve.election_id, ve.codes[0])
    page = client.get(f"/vote/{uuid}").get_data(as_text=True)
    token = re.search(r'data-csrf="([^"]+)"', page)
    assert token
    return client, f"/vote/{uuid}", {"X-CSRFToken": token.group(1)}, json.dumps(ballot).encode()


@pytest.mark.slow
def test_the_booth_endpoints_refuse_any_body_with_a_json_4xx(booth: tuple[Any, str, dict[str, str], bytes]) -> None:
    client, base, headers, real = booth
    original = b.ballot_from_dict(json.loads(real))
    counter = iter(range(10**6))

    @settings(max_examples=80, deadline=None, suppress_health_check=list(HealthCheck))
    @given(
        case=st.one_of(
            st.tuples(
                st.sampled_from(["cast", "challenge", "credential"]),
                st.one_of(json_values.map(lambda v: json.dumps(v).encode()), st.binary(max_size=300)),
            ),
            st.tuples(st.just("credential"), credential_bodies.map(lambda v: json.dumps(v).encode())),
            st.tuples(
                st.just("cast"),
                st.tuples(st.randoms(use_true_random=False), st.integers(1, 3)).map(lambda r: _mutate(real, *r)),
            ),
        )
    )
    def post(case: tuple[str, bytes]) -> None:
        endpoint, body = case
        # A fresh address per example keeps the guessing throttle (tested elsewhere) out of the way.
        n = next(counter)
        answer = client.post(
            f"{base}/{endpoint}",
            data=body,
            headers={**headers, "Content-Type": "application/json"},
            environ_base={"REMOTE_ADDR": f"10.9.{n // 250}.{n % 250 + 1}"},
        )
        try:
            unchanged = _decode(json.loads(body)) == original
        except (ValueError, RecursionError):
            unchanged = False
        if unchanged and endpoint == "cast":
            assert answer.status_code in (200, 201), answer.get_data(as_text=True)[:300]
            return
        assert 400 <= answer.status_code < 500, (answer.status_code, body)
        assert answer.is_json and answer.get_json()["error"], answer.get_data(as_text=True)[:300]

    post()
