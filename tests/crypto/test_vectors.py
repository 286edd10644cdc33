"""Cross-language test vectors: fixed inputs and seeded randomness give exactly the bytes in tests/vectors.

Run ``python -m tests.crypto.test_vectors`` to rewrite the files after a reviewed format change.
Randomness comes from ``crypto.transcript.seeded_scalars(seed)``: the n-th scalar drawn (from 0) is
``H2S("stembus/v1/test-nonce", seed, n)``, and each vector lists the order in which it draws them.
"""

from __future__ import annotations

import hashlib
import json
from pathlib import Path
from typing import Any

import pytest

from crypto import ballot as b
from crypto import credentials as cr
from crypto import elgamal as e
from crypto import group as g
from crypto import proofs as p
from crypto import threshold as th
from crypto import transcript as tr

DIR = Path(__file__).parents[1] / "vectors"
ELECTION_UUID = "3f1d6a52-8a0e-4c49-9d7c-0e6a9f1f5b21"
H_P = hashlib.sha512(b"stembus test vector parameters").digest()
H_E = hashlib.sha512(b"stembus test vector election").digest()
CODE = "2345-6789-ABCD-EFGH-JKMN-PQRS"  # payload of 23 symbols, then its check character


def _code() -> str:
    payload = CODE.replace("-", "")[:23]
    return cr.format_code(payload + cr.check_character(payload))


def transcript_vector() -> dict[str, Any]:
    parts: list[tr.Part] = [bytes.fromhex("00ff10"), "kiesgroep Noord", 42, b""]
    return {
        "description": "transcript hash: label and parts (bytes as hex, str as UTF-8, int as u64)",
        "label": "stembus/v1/example",
        "parts": [{"bytes": "00ff10"}, {"str": "kiesgroep Noord"}, {"int": 42}, {"bytes": ""}],
        "transcript_bytes": tr.transcript_bytes("stembus/v1/example", *parts).hex(),
        "digest": tr.digest("stembus/v1/example", *parts).hex(),
        "hash_to_scalar": tr.hash_to_scalar("stembus/v1/example", *parts).hex(),
        "seeded_scalars_seed": "73656564",
        "seeded_scalars_first_three": [s.hex() for s in _draw(b"seed", 3)],
    }


def _draw(seed: bytes, n: int) -> list[g.Scalar]:
    rng = tr.seeded_scalars(seed)
    return [rng() for _ in range(n)]


def credential_vector() -> dict[str, Any]:
    code = _code()
    x, pub = cr.derive_credential(code, ELECTION_UUID, H_P)
    typo = code[:-1] + ("Z" if code[-1] != "Z" else "Y")
    sig = cr.sign(x, H_E, "example message", rng=tr.seeded_scalars(b"signature"))
    return {
        "description": "voting code, its check character and the credential it derives; a signature",
        "code": code,
        "normalised": cr.normalise_code(code),
        "code_with_wrong_check_character": typo,
        "election_uuid": ELECTION_UUID,
        "params_hash": H_P.hex(),
        "secret": x.hex(),
        "public": pub.hex(),
        "signature": {
            "election_hash": H_E.hex(),
            "parts": [{"str": "example message"}],
            "nonce_seed": b"signature".hex(),
            "value": sig.to_dict(),
        },
    }


def _keys() -> tuple[g.Scalar, g.Point]:
    return e.keypair(tr.seeded_scalars(b"joint key"))


def proof01_vector() -> dict[str, Any]:
    _s, y = _keys()
    _x, pub = cr.derive_credential(_code(), ELECTION_UUID, H_P)
    voter = p.VoterContext(H_E, pub, "kiesgroep-1")
    rng = tr.seeded_scalars(b"proof01")
    ct, r = e.encrypt(y, 1, rng=rng)
    proof = p.prove_zero_one(ct, 1, r, y, voter, 2, rng=rng)
    return {
        "description": "encryption of 1 for option 2 and its 0/1 proof",
        "nonce_seed": b"proof01".hex(),
        "nonce_order": "r; then branch 0 (simulated): c_0, v_0; then branch 1 (real): w",
        "joint_key_secret_seed": b"joint key".hex(),
        "joint_key": y.hex(),
        "election_hash": H_E.hex(),
        "credential": pub.hex(),
        "group": "kiesgroep-1",
        "option": 2,
        "m": 1,
        "r": r.hex(),
        "ciphertext": ct.to_dict(),
        "proof": proof.to_dict(),
    }


def ballot_vector() -> dict[str, Any]:
    _s, y = _keys()
    x, _pub = cr.derive_credential(_code(), ELECTION_UUID, H_P)
    out: dict[str, Any] = {
        "description": "whole ballots; options are candidates then blank (last)",
        "nonce_order": (
            "per option i: r_i, then its 0/1 proof draws in branch order (simulated branch: c_j, v_j;"
            " real branch: w); then the sum proof (exact: w; range 1..k: per branch as above);"
            " then the signature nonce w"
        ),
        "joint_key": y.hex(),
        "election_hash": H_E.hex(),
        "credential_code": _code(),
        "ballots": [],
    }
    for system, k, choices, seed in (
        (b.LIST_SYSTEM, 1, [0, 1, 0, 0], b"ballot list"),
        (b.PERSON_SYSTEM, 2, [1, 0, 1, 0], b"ballot person"),
    ):
        ballot, secrets = b.encrypt_ballot(
            choices,
            joint_key=y,
            election_hash=H_E,
            group_id="kiesgroep-1",
            credential_secret=x,
            system=system,
            k=k,
            rng=tr.seeded_scalars(seed),
        )
        raw = b.ballot_to_bytes(ballot)
        out["ballots"].append(
            {
                "system": system,
                "k": k,
                "group": "kiesgroep-1",
                "choices": choices,
                "nonce_seed": seed.hex(),
                "randomness": [r.hex() for r in secrets.randomness],
                "ballot": ballot.to_dict(),
                "canonical_bytes_sha256": hashlib.sha256(raw).hexdigest(),
            }
        )
    return out


def decryption_vector() -> dict[str, Any]:
    s, y = _keys()
    rng = tr.seeded_scalars(b"decryption")
    ct, _ = e.encrypt(y, 5, rng=rng)
    share = th.make_decryption_share(H_E, 1, s, ct, rng=rng)
    return {
        "description": "decryption share of a single-member key (t = n = 1) and the count it yields",
        "nonce_seed": b"decryption".hex(),
        "nonce_order": "r of the encryption, then w of the proof",
        "election_hash": H_E.hex(),
        "verification_key": y.hex(),
        "ciphertext": ct.to_dict(),
        "share": share.to_dict(),
        "count": 5,
    }


VECTORS = {
    "transcript.json": transcript_vector,
    "credential.json": credential_vector,
    "proof01.json": proof01_vector,
    "ballot.json": ballot_vector,
    "decryption.json": decryption_vector,
}


def _dump(obj: Any) -> str:
    return json.dumps(obj, indent=2, ensure_ascii=False) + "\n"


@pytest.mark.parametrize("name", sorted(VECTORS))
def test_vector_file_matches_a_fresh_computation(name: str) -> None:
    assert json.loads((DIR / name).read_text()) == json.loads(_dump(VECTORS[name]()))


def test_vectors_verify_with_the_public_api() -> None:
    cred = json.loads((DIR / "credential.json").read_text())
    with pytest.raises(cr.CodeError, match="check character"):
        cr.normalise_code(cred["code_with_wrong_check_character"])
    pub = g.point_from_hex(cred["public"])
    sig = cr.Signature.from_dict(cred["signature"]["value"])
    assert cr.verify_signature(pub, sig, bytes.fromhex(cred["signature"]["election_hash"]), "example message")

    v = json.loads((DIR / "proof01.json").read_text())
    voter = p.VoterContext(bytes.fromhex(v["election_hash"]), g.point_from_hex(v["credential"]), v["group"])
    ct = e.Ciphertext.from_dict(v["ciphertext"])
    proof = p.DisjunctiveProof.from_dict(v["proof"])
    assert p.verify_zero_one(ct, proof, g.point_from_hex(v["joint_key"]), voter, v["option"])

    bv = json.loads((DIR / "ballot.json").read_text())
    for case in bv["ballots"]:
        ballot = b.ballot_from_dict(case["ballot"])
        failures = b.verify_ballot(
            ballot,
            election_hash=bytes.fromhex(bv["election_hash"]),
            group_id=case["group"],
            n_options=len(case["choices"]),
            k=case["k"],
            system=case["system"],
            joint_key=g.point_from_hex(bv["joint_key"]),
        )
        assert failures == []
        assert hashlib.sha256(b.ballot_to_bytes(ballot)).hexdigest() == case["canonical_bytes_sha256"]

    d = json.loads((DIR / "decryption.json").read_text())
    ct = e.Ciphertext.from_dict(d["ciphertext"])
    share = th.DecryptionShare.from_dict(d["share"])
    assert th.verify_decryption_share(
        share, ct, g.point_from_hex(d["verification_key"]), bytes.fromhex(d["election_hash"])
    )
    assert th.decrypt_with_shares(ct, [share], 1) == d["count"]


if __name__ == "__main__":
    for filename, make in VECTORS.items():
        (DIR / filename).write_text(_dump(make()))
        print("wrote", DIR / filename)
