"""libdecaf for verification: it must agree with libsodium byte for byte, and its absence must not matter.

The arithmetic tests are skipped where libdecaf is not installed; the fallback tests always run.
"""

from __future__ import annotations

import ctypes
import json
import os
import random
import subprocess
import sys
from pathlib import Path

import pytest

from crypto import ballot as b
from crypto import elgamal as e
from crypto import fastgroup as fg
from crypto import group as g
from crypto import proofs as p
from crypto.verifier import verify_record
from election.cli_verify import allocate_seats

ROOT = Path(__file__).parents[2]
VECTORS = json.loads((ROOT / "tests" / "vectors" / "rfc9496.json").read_text())
RECORDS = ROOT / "tests" / "records"
P = 2**255 - 19

needs_decaf = pytest.mark.skipif(not fg.AVAILABLE, reason="libdecaf is not installed (or STEMBUS_NO_LIBDECAF is set)")


def _sodium_valid(raw: bytes) -> bool:
    return g.is_valid_encoding(raw)


EDGE_SCALARS = [0, 1, 2, 3, 7, 8, 16, 2**64, 2**128 + 1, 2**200, 2**252, g.L - 1, g.L - 2, (g.L - 1) // 2]


def _random_scalars(rng: random.Random, n: int) -> list[g.Scalar]:
    return [g.scalar_from_int(k) for k in EDGE_SCALARS] + [g.scalar_from_int(rng.randrange(g.L)) for _ in range(n)]


def _random_points(rng: random.Random, n: int) -> list[g.Point]:
    edge = [g.IDENTITY, g.BASE, g.neg(g.BASE), g.base_mul(g.scalar_from_int(g.L - 1))]
    return edge + [g.base_mul(g.scalar_from_int(rng.randrange(1, g.L))) for _ in range(n)]


def _enc(x: fg.Element) -> bytes:
    return fg.encode(x)


@needs_decaf
@pytest.mark.parametrize("k", range(16))
def test_rfc9496_multiples_of_the_generator(k: int) -> None:
    expected = bytes.fromhex(VECTORS["multiples_of_generator"][k])
    s = g.scalar_from_int(k)
    base = fg.decode(g.BASE)
    assert _enc(fg.decode(expected)) == expected
    assert _enc(fg.base_combine(s, fg.IDENTITY, g.ZERO)) == expected
    assert _enc(fg.base_combine(g.ZERO, base, s)) == expected
    assert _enc(fg.mul(s, base)) == expected
    assert _enc(fg.Table(base).mul(s)) == expected
    assert _enc(fg.combine(s, base, g.ZERO, fg.IDENTITY)) == expected


@needs_decaf
def test_rfc9496_repeated_addition() -> None:
    acc = fg.IDENTITY
    base = fg.decode(g.BASE)
    for hexenc in VECTORS["multiples_of_generator"]:
        assert _enc(acc).hex() == hexenc
        acc = fg.add(acc, base)


@needs_decaf
@pytest.mark.parametrize("case", VECTORS["invalid_encodings"], ids=lambda c: c["encoding"][:16])
def test_rfc9496_invalid_encodings_are_refused(case: dict[str, str]) -> None:
    raw = bytes.fromhex(case["encoding"])
    assert not _sodium_valid(raw)
    with pytest.raises(g.GroupError):
        fg.decode(raw)
    with pytest.raises(g.GroupError):
        g.point_from_bytes(raw)


@needs_decaf
def test_decoding_agrees_with_libsodium_on_random_and_crafted_bytes() -> None:
    rng = random.Random(9496)
    candidates = [rng.randbytes(32) for _ in range(3000)]
    for point in _random_points(rng, 300):
        s = int.from_bytes(point, "little")
        candidates.append(point)
        candidates.append((s | 1 << 255).to_bytes(32, "little"))  # top bit set
        candidates.append(((P - s) % 2**256).to_bytes(32, "little"))  # the negated field element
        if s + P < 2**256:
            candidates.append((s + P).to_bytes(32, "little"))  # non-canonical field encoding
        candidates.append((s ^ 1).to_bytes(32, "little"))
    for k in range(64):  # small field elements and p + small, valid or not
        candidates.append(k.to_bytes(32, "little"))
        candidates.append((P + k).to_bytes(32, "little"))
    accepted = 0
    for raw in candidates:
        try:
            fg.decode(raw)
            decaf_ok = True
        except g.GroupError:
            decaf_ok = False
        assert decaf_ok == _sodium_valid(raw), raw.hex()
        accepted += decaf_ok
    assert 300 < accepted < len(candidates)


@needs_decaf
def test_arithmetic_agrees_with_libsodium_on_random_inputs() -> None:
    rng = random.Random(25519)
    scalars = _random_scalars(rng, 200)
    points = _random_points(rng, 200)
    y = points[-1]
    table = fg.Table(fg.decode(y))
    for i in range(len(points)):
        s1, s2 = scalars[i % len(scalars)], scalars[(3 * i + 1) % len(scalars)]
        pt, q = points[i], points[(7 * i + 3) % len(points)]
        fp, fq = fg.decode(pt), fg.decode(q)
        assert _enc(fp) == pt
        assert _enc(fg.add(fp, fq)) == g.add(pt, q)
        assert _enc(fg.sub(fp, fq)) == g.sub(pt, q)
        assert _enc(fg.sub(fp, fp)) == g.IDENTITY
        assert _enc(fg.mul(s1, fp)) == g.mul(s1, pt)
        assert _enc(fg.base_combine(s1, fp, s2)) == g.add(g.base_mul(s1), g.mul(s2, pt))
        assert _enc(fg.combine(s1, fp, s2, fq)) == g.add(g.mul(s1, pt), g.mul(s2, q))
        assert _enc(table.mul(s1)) == g.mul(s1, y)
        assert _enc(fg.total([fp, fq, fp])) == g.add(g.add(pt, q), pt)


@needs_decaf
def test_every_pair_of_edge_scalars_agrees_with_libsodium() -> None:
    # libdecaf 1.0.2's variable-time double multiplication alone returns the identity when the second
    # scalar is zero; fastgroup works around it, and this pins every such corner.
    rng = random.Random(1)
    points = _random_points(rng, 2)
    scalars = [g.scalar_from_int(k) for k in EDGE_SCALARS]
    for pt in points:
        fp = fg.decode(pt)
        for s1 in scalars:
            assert _enc(fg.mul(s1, fp)) == g.mul(s1, pt)
            for s2 in scalars:
                expected = g.add(g.base_mul(s1), g.mul(s2, pt))
                assert _enc(fg.base_combine(s1, fp, s2)) == expected, (s1.hex(), s2.hex())
                assert _enc(fg.combine(s1, fg.decode(g.BASE), s2, fp)) == expected


@needs_decaf
def test_identity_results_are_encoded_as_zero() -> None:
    base = fg.decode(g.BASE)
    minus_one = g.scalar_from_int(-1)
    assert _enc(fg.base_combine(g.ONE, base, minus_one)) == g.IDENTITY
    assert _enc(fg.mul(g.ZERO, base)) == g.IDENTITY
    assert _enc(fg.mul(g.ONE, fg.IDENTITY)) == g.IDENTITY
    assert _enc(fg.Table(base).mul(g.ZERO)) == g.IDENTITY
    assert _enc(fg.total([])) == g.IDENTITY


@needs_decaf
def test_non_canonical_scalars_are_refused() -> None:
    base = fg.decode(g.BASE)
    for n in (g.L, g.L + 1, 2**255, 2**256 - 1):
        s = n.to_bytes(32, "little")
        with pytest.raises(g.GroupError, match="canonical"):
            fg.mul(s, base)
        with pytest.raises(g.GroupError, match="canonical"):
            fg.base_combine(g.ONE, base, s)
        with pytest.raises(g.GroupError, match="canonical"):
            fg.Table(base).mul(s)
    with pytest.raises(g.GroupError):
        fg.mul(b"\x01" * 31, base)


@needs_decaf
def test_point_validation_refuses_the_identity_unless_allowed() -> None:
    with pytest.raises(g.GroupError, match="identity"):
        g.point_from_bytes(g.IDENTITY)
    assert g.point_from_bytes(g.IDENTITY, allow_identity=True) == g.IDENTITY
    with pytest.raises(g.GroupError, match="32 bytes"):
        fg.decode(bytes(31))


@needs_decaf
def test_the_decode_cache_stays_bounded() -> None:
    rng = random.Random(7)
    for point in _random_points(rng, 3 * fg._CACHE_LIMIT // 2):
        assert _enc(fg.decode(point)) == point
    assert len(fg._cache) <= fg._CACHE_LIMIT


# --- both paths give the same answers -------------------------------------------------------------

H_E = bytes(range(64))
SECRET, Y = e.keypair()
VOTER = p.VoterContext(H_E, g.base_mul(g.random_scalar()), "G")


def _proof_verdicts() -> list[bool]:
    ct, r = e.encrypt(Y, 1)
    good = p.prove_zero_one(ct, 1, r, Y, VOTER, 0)
    bad = p.DisjunctiveProof(good.challenges, (good.responses[1], good.responses[0]))
    total_ct, total_r = e.encrypt(Y, 1)
    exact = p.prove_exact_sum(total_ct, total_r, Y, VOTER, 2)
    range_proof = p.prove_sum_range(total_ct, 1, total_r, Y, VOTER, 3, 1, 3)
    x = g.random_scalar()
    schnorr = p.prove_schnorr(x, g.base_mul(x), label="stembus/v1/x", context=())
    return [
        p.verify_zero_one(ct, good, Y, VOTER, 0),
        p.verify_zero_one(ct, bad, Y, VOTER, 0),
        p.verify_zero_one(ct, good, Y, VOTER, 1),
        p.verify_exact_sum(total_ct, exact, Y, VOTER, 2),
        p.verify_exact_sum(total_ct, exact, Y, VOTER, 2, expected=0),
        p.verify_sum_range(total_ct, range_proof, Y, VOTER, 3, 1, 3),
        p.verify_sum_range(total_ct, range_proof, Y, VOTER, 4, 1, 3),
        p.verify_schnorr(g.base_mul(x), schnorr, label="stembus/v1/x", context=()),
        p.verify_schnorr(g.BASE, schnorr, label="stembus/v1/x", context=()),
    ]


def test_proofs_give_the_same_verdicts_with_and_without_libdecaf() -> None:
    expected = [True, False, False, True, False, True, False, True, False]
    assert _proof_verdicts() == expected
    with fg.disabled():
        assert not fg.AVAILABLE
        assert _proof_verdicts() == expected


def test_ciphertext_sums_are_the_same_with_and_without_libdecaf() -> None:
    cts = [e.encrypt(Y, m)[0] for m in (0, 1, 1, 0, 3)]
    fast = e.sum_ciphertexts(cts)
    with fg.disabled():
        slow = e.sum_ciphertexts(cts)
    assert fast == slow
    assert e.decrypt(SECRET, fast) == 5


def _strip(report: object) -> list[tuple[str, bool, object]]:
    doc = report.to_dict()  # type: ignore[attr-defined]
    return [(c["name"], c["ok"], c.get("failures")) for c in doc["checks"]]


@pytest.mark.parametrize("name", ["valid", "invalid/tampered-proof", "invalid/two-in-one-slot"])
def test_the_verifier_reports_the_same_with_and_without_libdecaf(name: str) -> None:
    fast = verify_record(RECORDS / name, seat_allocator=allocate_seats, jobs=1)
    with fg.disabled():
        slow = verify_record(RECORDS / name, seat_allocator=allocate_seats, jobs=1)
    assert _strip(fast) == _strip(slow)
    assert fast.valid == (name == "valid")


def test_a_missing_library_falls_back_to_libsodium(monkeypatch: pytest.MonkeyPatch) -> None:
    def missing(name: str, *args: object, **kwargs: object) -> ctypes.CDLL:
        raise OSError(f"{name}: cannot open shared object file")

    monkeypatch.setattr(ctypes, "CDLL", missing)
    assert fg._load() is None


def test_the_environment_switch_disables_libdecaf_and_ballots_still_verify() -> None:
    script = (
        "from crypto import fastgroup as fg, ballot as b, elgamal as e, group as g\n"
        "assert not fg.AVAILABLE\n"
        "_, y = e.keypair(); x = g.random_scalar()\n"
        "bal, _ = b.encrypt_ballot([0, 1, 0], joint_key=y, election_hash=bytes(32), group_id='G',"
        " credential_secret=x, system='list')\n"
        "args = dict(election_hash=bytes(32), group_id='G', n_options=3, k=1, system='list', joint_key=y)\n"
        "assert b.verify_ballot(bal, **args) == []\n"
        "assert b.verify_ballot(bal, **{**args, 'election_hash': bytes(range(32))})\n"
        "print('ok')\n"
    )
    env = {**os.environ, "STEMBUS_NO_LIBDECAF": "1"}
    out = subprocess.run([sys.executable, "-c", script], cwd=ROOT, env=env, capture_output=True, text=True, check=False)
    assert out.returncode == 0, out.stderr
    assert out.stdout.strip() == "ok"


def test_a_ballot_verifies_on_both_paths() -> None:
    x = g.random_scalar()
    bal, _ = b.encrypt_ballot(
        [0, 0, 1], joint_key=Y, election_hash=H_E, group_id="G", credential_secret=x, system="list"
    )
    args = {"election_hash": H_E, "group_id": "G", "n_options": 3, "k": 1, "system": "list", "joint_key": Y}
    assert b.verify_ballot(bal, **args) == []  # type: ignore[arg-type]
    with fg.disabled():
        assert b.verify_ballot(bal, **args) == []  # type: ignore[arg-type]
