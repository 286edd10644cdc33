"""The verifier's quick paths must be the slow paths, byte for byte and verdict for verdict.

``fast_ballot_from_dict`` (one pass over a ballot's hex), ``_range_challenge`` (the 0/1 proofs'
transcript built with a kept prefix) and fastgroup's ``*_encoded`` functions (scratch buffers per
thread) only make the common case quicker: these tests pin that they accept and compute exactly what
``ballot_from_dict``, ``hash_to_scalar`` and libsodium do, and that a bad ballot among many good ones is
still named.
"""

from __future__ import annotations

import copy
import json
import random
import threading
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from crypto import ballot as b
from crypto import board as bd
from crypto import elgamal as e
from crypto import fastgroup as fg
from crypto import group as g
from crypto import proofs as p
from crypto import verify_ballots as vb
from crypto.transcript import hash_to_scalar

SECRET, Y = e.keypair()
H_E = bytes(range(64))
X_SECRET = g.random_scalar()
GROUP = "G1"

needs_decaf = pytest.mark.skipif(not fg.AVAILABLE, reason="libdecaf is not installed (or STEMBUS_NO_LIBDECAF is set)")


def _ballot(choices: list[int], system: str = b.LIST_SYSTEM, k: int = 1, group: str = GROUP) -> b.Ballot:
    ballot, _ = b.encrypt_ballot(
        choices, joint_key=Y, election_hash=H_E, group_id=group, credential_secret=X_SECRET, system=system, k=k
    )
    return ballot


def _json(ballot: b.Ballot) -> Any:
    """The ballot as the verifier reads it from a board line."""
    return json.loads(b.ballot_to_bytes(ballot))


LIST_JSON = _json(_ballot([0, 0, 1, 0]))
PERSON_JSON = _json(_ballot([1, 0, 1, 0, 0], b.PERSON_SYSTEM, 3))
ODD_GROUP_JSON = _json(_ballot([1, 0], group='gr\u00f8ep "A"\\\n'))


def _slow(d: Any) -> b.Ballot | str:
    try:
        return b.ballot_from_dict(d)
    except b.BallotError as exc:
        return f"error: {exc}"


def _agrees(d: Any) -> None:
    """The quick reader gives up or gives exactly what ``ballot_from_dict`` gives, and then ``d`` is the
    ballot's canonical JSON form."""
    fast = vb.fast_ballot_from_dict(d)
    if fast is None:
        return
    assert fast == _slow(d)
    assert fast.to_dict() == d
    assert bd.canonical_json_decoded(d) == b.ballot_to_bytes(fast) == vb.fast_canonical_bytes(d)


@pytest.mark.parametrize("doc", [LIST_JSON, PERSON_JSON, ODD_GROUP_JSON], ids=["list", "person", "odd-group"])
def test_a_well_formed_ballot_is_read_exactly_as_ballot_from_dict_reads_it(doc: Any) -> None:
    fast = vb.fast_ballot_from_dict(copy.deepcopy(doc))
    assert fast is not None
    assert fast == b.ballot_from_dict(doc)
    assert b.ballot_to_bytes(fast) == bd.canonical_json_decoded(doc) == vb.fast_canonical_bytes(doc)


@settings(max_examples=200, deadline=None)
@given(group=st.text(min_size=1, max_size=12))
def test_the_canonical_bytes_are_written_as_the_canonical_encoder_writes_them(group: str) -> None:
    # Any group name, escapes and non-ASCII included, for both kinds of sum proof.
    for doc in (LIST_JSON, PERSON_JSON):
        changed = {**doc, "group": group}
        assert vb.fast_ballot_from_dict(changed) is not None
        try:
            expected = bd.canonical_json_decoded(changed)
        except UnicodeEncodeError:
            with pytest.raises(UnicodeEncodeError):
                vb.fast_canonical_bytes(changed)
            continue
        assert vb.fast_canonical_bytes(changed) == expected


def _set(path: tuple[Any, ...], value: Any) -> Any:
    def change(d: Any) -> Any:
        d = copy.deepcopy(d)
        target = d
        for key in path[:-1]:
            target = target[key]
        target[path[-1]] = value
        return d

    return change


def _hex_of(n: int) -> str:
    return n.to_bytes(32, "little").hex()


ALPHA = ("selections", 1, "ciphertext", "alpha")
C0 = ("selections", 0, "proof", "c", 0)
MUTATIONS: dict[str, Any] = {
    "upper-case hex": lambda d: _set(ALPHA, d["selections"][1]["ciphertext"]["alpha"].upper())(d),
    "space inside hex": lambda d: _set(
        C0, d["selections"][0]["proof"]["c"][0][:2] + " " + d["selections"][0]["proof"]["c"][0][3:]
    )(d),
    "63 characters": lambda d: _set(("credential",), d["credential"][:63])(d),
    "non-hex": lambda d: _set(ALPHA, "zz" + d["selections"][1]["ciphertext"]["alpha"][2:])(d),
    "arabic digit": lambda d: _set(ALPHA, "\u0661" + d["selections"][1]["ciphertext"]["alpha"][1:])(d),
    "identity ciphertext": _set(ALPHA, "00" * 32),
    "identity credential": _set(("credential",), "00" * 32),
    "top bit set": lambda d: _set(ALPHA, d["selections"][1]["ciphertext"]["alpha"][:62] + "ff")(d),
    "not a point": _set(ALPHA, "01" * 32),
    "scalar L": _set(C0, _hex_of(g.L)),
    "scalar all ones": _set(C0, "ff" * 32),
    "scalar L-1": _set(C0, _hex_of(g.L - 1)),
    "scalar 2**252": _set(C0, _hex_of(2**252)),
    "scalar as a number": _set(C0, 7),
    "version true": _set(("version",), True),
    "version 2": _set(("version",), 2),
    "version text": _set(("version",), "1"),
    "empty group": _set(("group",), ""),
    "group a number": _set(("group",), 1),
    "extra field": _set(("extra",), 1),
    "one selection": lambda d: _set(("selections",), d["selections"][:1])(d),
    "three branches": lambda d: _set(("selections", 0, "proof", "c"), d["selections"][0]["proof"]["c"] * 2)(d),
    "selection extra key": _set(("selections", 0, "x"), 1),
    "ciphertext a list": _set(("selections", 0, "ciphertext"), [1, 2]),
    "sum proof lists": lambda d: _set(("sum_proof",), {"c": [d["sum_proof"]["c"]], "v": [d["sum_proof"]["v"]]})(d),
    "sum proof mixed": lambda d: _set(("sum_proof", "v"), [d["sum_proof"]["v"]])(d),
    "sum proof empty lists": _set(("sum_proof",), {"c": [], "v": []}),
    "signature missing field": _set(("signature",), {"c": "00" * 32}),
    "not an object": lambda d: [d],
}


@pytest.mark.parametrize("name", sorted(MUTATIONS))
def test_every_malformation_goes_to_the_slow_reader_or_reads_the_same(name: str) -> None:
    for doc in (LIST_JSON, PERSON_JSON):
        changed = MUTATIONS[name](doc)
        _agrees(changed)
        if isinstance(_slow(changed), str):
            assert vb.fast_ballot_from_dict(changed) is None


_HEX = st.text(alphabet="0123456789abcdefABCDEF \u0661", min_size=60, max_size=66)
_VALUES = st.one_of(_HEX, st.integers(-1, 3), st.booleans(), st.none(), st.lists(_HEX, max_size=3), st.just(""))


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(data=st.data())
def test_random_damage_never_makes_the_readers_disagree(data: st.DataObject) -> None:
    doc = copy.deepcopy(data.draw(st.sampled_from([LIST_JSON, PERSON_JSON])))
    for _ in range(data.draw(st.integers(1, 3))):
        # Walk to a random place and replace, drop or add something there.
        target = doc
        while True:
            keys = list(target) if isinstance(target, dict) else list(range(len(target)))
            key = data.draw(st.sampled_from(keys))
            child = target[key]
            if isinstance(child, dict | list) and child and data.draw(st.booleans()):
                target = child
                continue
            break
        action = data.draw(st.sampled_from(["replace", "drop", "add"]))
        if action == "replace":
            target[key] = data.draw(_VALUES)
        elif action == "drop":
            del target[key]
        elif isinstance(target, dict):
            target[data.draw(st.sampled_from(["c", "v", "x", "alpha", "version"]))] = data.draw(_VALUES)
        else:
            target.append(data.draw(_VALUES))
    _agrees(doc)


def test_the_challenge_hash_is_hash_to_scalar_whatever_the_shape() -> None:
    rng = random.Random(5)
    credential = g.base_mul(g.random_scalar())
    contexts: list[tuple[Any, ...]] = [
        (H_E, credential, GROUP, 3),
        (H_E, credential, "gr\u00f8ep", 0),
        (H_E, credential, GROUP, 2**64 - 1),
        (H_E, credential, GROUP),  # last part not an option number: the plain path
        (H_E, credential, GROUP, "x"),
        (),
    ]
    for i in range(60):
        ctx = contexts[i % len(contexts)]  # alternate, so a kept prefix is never reused wrongly
        ct, _ = e.encrypt(Y, i % 2)
        lo = rng.randrange(3)
        hi = lo + rng.randrange(3)
        commitments: list[p.Part] = [g.base_mul(g.random_scalar()) for _ in range(2 * (hi - lo + 1))]
        label = p.LABEL_ZERO_ONE if i % 4 else p.LABEL_SUM_RANGE
        got = p._range_challenge(label, ctx, Y, ct, lo, hi, commitments)
        assert got == hash_to_scalar(label, *ctx, Y, ct.alpha, ct.beta, lo, hi, *commitments)


@needs_decaf
def test_encoded_combinations_agree_with_libsodium_including_zero_scalars() -> None:
    rng = random.Random(9)
    table = fg.table(Y)
    scalars = [g.ZERO, g.ONE, g.scalar_from_int(-1), g.scalar_from_int(2**252)]
    scalars += [g.scalar_from_int(rng.randrange(g.L)) for _ in range(6)]
    points = [g.BASE, g.base_mul(g.random_scalar()), g.base_mul(g.random_scalar())]
    for pt in points:
        fp = fg.decode(pt)
        for s0 in scalars[:3] + scalars[-2:]:
            for s1 in scalars:
                for s2 in scalars:
                    two = g.add(g.base_mul(s1), g.mul(s2, pt))
                    assert fg.base_combine_encoded(s1, fp, s2) == two
                    assert fg.table_base_combine_encoded(table, s0, s1, fp, s2) == g.add(g.mul(s0, Y), two)


@needs_decaf
def test_encoded_combinations_refuse_non_canonical_scalars() -> None:
    fp = fg.decode(g.BASE)
    table = fg.table(Y)
    for n in (g.L, 2**253, 2**256 - 1):
        bad = n.to_bytes(32, "little")
        with pytest.raises(g.GroupError, match="canonical"):
            fg.base_combine_encoded(g.ONE, fp, bad)
        with pytest.raises(g.GroupError, match="canonical"):
            fg.table_base_combine_encoded(table, bad, g.ONE, fp, g.ONE)
    with pytest.raises(g.GroupError):
        fg.base_combine_encoded(b"\x01" * 31, fp, g.ONE)


def test_proofs_checked_on_many_threads_at_once_keep_their_verdicts() -> None:
    # The web service verifies ballots on several threads; scratch space must never be shared.
    voter = p.VoterContext(H_E, g.base_mul(X_SECRET), GROUP)
    cases = []
    for i in range(6):
        m = i % 2
        ct, r = e.encrypt(Y, m)
        proof = p.prove_zero_one(ct, m, r, Y, voter, i)
        cases.append((ct, proof, i, True))
        bad = p.DisjunctiveProof(proof.challenges, (proof.responses[1], proof.responses[0]))
        cases.append((ct, bad, i, False))
    errors: list[str] = []

    def work() -> None:
        for _ in range(8):
            for ct, proof, option, expected in cases:
                if p.verify_zero_one(ct, proof, Y, voter, option) != expected:
                    errors.append(f"option {option}: expected {expected}")

    threads = [threading.Thread(target=work) for _ in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []


def _line(seq: int, ballot_doc: Any) -> tuple[int, bytes]:
    payload_hash = bd.ballot_hash(bd.canonical_json(ballot_doc))
    entry = bd.Entry(seq, bytes(32), bd.BALLOT, payload_hash, "2026-03-02T09:00:00Z")
    line = {**entry.to_dict(), "payload": ballot_doc}
    return seq + 1, bd.canonical_json(line) + b"\n"


def test_one_bad_proof_among_many_ballots_is_named_and_the_rest_pass() -> None:
    docs = []
    for i in range(12):
        choices = [0] * 5
        choices[i % 5] = 1
        docs.append(_json(_ballot(choices)))
    # Ballot 7: swap the responses of option 2's proof (still well-formed, no longer a proof).
    bad = copy.deepcopy(docs[7])
    proof = bad["selections"][2]["proof"]
    proof["v"] = proof["v"][::-1]
    docs[7] = bad
    items = [_line(seq, doc) for seq, doc in enumerate(docs, start=1)]
    vb.init_worker(vb.WorkerContext(H_E, Y, {GROUP: vb.GroupParams(5, b.LIST_SYSTEM, 1)}))
    result = vb.verify_chunk(items)
    assert result.checked == 12
    assert len(result.failures) == 2  # the 0/1 proof, and the signature over the changed bytes
    for check, message in result.failures:
        assert check == "ballots"
        assert message.startswith("ballot seq 8 (line 9), tracking code ")
    assert "selections[2].proof" in result.failures[0][1]
    assert "signature" in result.failures[1][1]
    code = bd.tracking_code(bd.canonical_json(bad))
    assert code in result.failures[0][1]
    assert result.sums[GROUP] == vb.add_sums(
        None,
        [
            (ct.alpha, ct.beta)
            for ct in (
                e.sum_ciphertexts([b.ballot_from_dict(d).selections[i].ciphertext for d in docs]) for i in range(5)
            )
        ],
    )
