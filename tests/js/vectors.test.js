// Every file in tests/vectors/ reproduced byte for byte by the booth module, with the vector's
// deterministic randomness (docs/protocol.md, section 17).

import assert from "node:assert/strict";
import { createHash } from "node:crypto";
import { describe, test } from "node:test";

import * as S from "../../static/js/stembus-crypto.js";
import { vector, vectorFiles, vectorPart } from "./helpers.js";

const COVERED = ["ballot.json", "credential.json", "decryption.json", "proof01.json", "rfc9496.json", "transcript.json"];

test("every vector file is covered by a JavaScript test", () => {
  assert.deepEqual(vectorFiles(), COVERED);
});

describe("transcript.json", () => {
  const v = vector("transcript.json");
  const parts = v.parts.map((p) => vectorPart(p, S.fromHex));

  test("transcript bytes, digest and scalar", () => {
    assert.equal(S.toHex(S.transcriptBytes(v.label, ...parts)), v.transcript_bytes);
    assert.equal(S.toHex(S.digest(v.label, ...parts)), v.digest);
    assert.equal(S.scalarToHex(S.hashToScalar(v.label, ...parts)), v.hash_to_scalar);
  });

  test("BigInt and Number integer parts encode alike", () => {
    const asBig = parts.map((p) => (typeof p === "number" ? BigInt(p) : p));
    assert.equal(S.toHex(S.transcriptBytes(v.label, ...asBig)), v.transcript_bytes);
  });

  test("seeded scalars", () => {
    const rng = S.seededScalars(S.fromHex(v.seeded_scalars_seed));
    assert.deepEqual([rng(), rng(), rng()].map(S.scalarToHex), v.seeded_scalars_first_three);
  });
});

describe("credential.json", () => {
  const v = vector("credential.json");

  test("normalised code and check character", () => {
    assert.equal(S.normaliseCode(v.code), v.normalised);
    assert.equal(S.formatCode(v.normalised), v.code);
    assert.throws(() => S.normaliseCode(v.code_with_wrong_check_character), (err) => err.reason === "check");
  });

  test("credential derivation", () => {
    const cred = S.deriveCredential(v.code, v.election_uuid, S.fromHex(v.params_hash));
    assert.equal(S.scalarToHex(cred.secret), v.secret);
    assert.equal(cred.publicHex, v.public);
    assert.equal(S.pointToHex(S.baseMul(S.scalarFromHex(v.secret))), v.public);
  });

  test("signature", () => {
    const sig = v.signature;
    const parts = sig.parts.map((p) => vectorPart(p, S.fromHex));
    const made = S.sign(S.scalarFromHex(v.secret), S.fromHex(sig.election_hash), parts, {
      rng: S.seededScalars(S.fromHex(sig.nonce_seed)),
    });
    assert.deepEqual({ c: S.scalarToHex(made.c), v: S.scalarToHex(made.v) }, sig.value);
    const pub = S.pointFromHex(v.public);
    assert.ok(S.verifySignature(pub, made, S.fromHex(sig.election_hash), parts));
    assert.ok(!S.verifySignature(pub, made, S.fromHex(sig.election_hash), ["another message"]));
  });
});

describe("proof01.json", () => {
  const v = vector("proof01.json");

  test("joint key from its seed", () => {
    const s = S.seededScalars(S.fromHex(v.joint_key_secret_seed))();
    assert.equal(S.pointToHex(S.baseMul(s)), v.joint_key);
  });

  test("encryption and 0/1 proof", () => {
    const y = S.pointFromHex(v.joint_key);
    const rng = S.seededScalars(S.fromHex(v.nonce_seed));
    const { ciphertext, r } = S.encrypt(y, v.m, undefined, { rng });
    assert.equal(S.scalarToHex(r), v.r);
    assert.deepEqual({ alpha: S.pointToHex(ciphertext.alpha), beta: S.pointToHex(ciphertext.beta) }, v.ciphertext);
    const voter = S.voterContext(S.fromHex(v.election_hash), S.pointFromHex(v.credential), v.group);
    const proof = S.proveZeroOne(ciphertext, v.m, r, y, voter, v.option, { rng });
    assert.deepEqual({ c: proof.c.map(S.scalarToHex), v: proof.v.map(S.scalarToHex) }, v.proof);
    assert.ok(S.verifyZeroOne(ciphertext, proof, y, voter, v.option));
    assert.ok(!S.verifyZeroOne(ciphertext, proof, y, voter, v.option + 1));
  });
});

describe("ballot.json", () => {
  const v = vector("ballot.json");
  const cred = S.deriveCredential(v.credential_code, vector("credential.json").election_uuid, vector("credential.json").params_hash);

  for (const c of v.ballots) {
    test(`${c.system} ballot, k = ${c.k}, reproduced byte for byte`, () => {
      const { ballot, secrets } = S.encryptBallot({
        choices: c.choices,
        jointKey: v.joint_key,
        electionHash: v.election_hash,
        group: c.group,
        credentialSecret: cred.secret,
        system: c.system,
        k: c.k,
        rng: S.seededScalars(S.fromHex(c.nonce_seed)),
      });
      // Same fields in the same order as Python's to_dict: the indented dumps are identical too.
      assert.equal(JSON.stringify(ballot, null, 2), JSON.stringify(c.ballot, null, 2));
      assert.deepEqual(secrets.randomness.map(S.scalarToHex), c.randomness);
      const raw = S.ballotToBytes(ballot);
      assert.equal(createHash("sha256").update(raw).digest("hex"), c.canonical_bytes_sha256);
      assert.deepEqual(S.reveal(secrets), { choices: c.choices, randomness: c.randomness });
    });

    test(`${c.system} ballot of the vector verifies and its disclosure checks`, () => {
      const failures = S.verifyBallot(c.ballot, {
        electionHash: v.election_hash,
        group: c.group,
        nOptions: c.choices.length,
        k: c.k,
        system: c.system,
        jointKey: v.joint_key,
      });
      assert.deepEqual(failures, []);
      assert.deepEqual(S.checkRevealed(c.ballot, { choices: c.choices, randomness: c.randomness }, v.joint_key), c.choices);
    });
  }
});

describe("decryption.json", () => {
  const v = vector("decryption.json");

  test("ciphertext, decryption factor and its Chaum-Pedersen proof", () => {
    const s = S.seededScalars("joint key")();
    const y = S.baseMul(s);
    assert.equal(S.pointToHex(y), v.verification_key);
    const rng = S.seededScalars(S.fromHex(v.nonce_seed));
    const { ciphertext } = S.encrypt(y, v.count, undefined, { rng });
    assert.deepEqual({ alpha: S.pointToHex(ciphertext.alpha), beta: S.pointToHex(ciphertext.beta) }, v.ciphertext);
    const factor = S.mul(s, ciphertext.alpha);
    const hE = S.fromHex(v.election_hash);
    const context = [hE, v.share.member];
    const proof = S.proveEqualDlog(s, S.BASE, y, ciphertext.alpha, factor, { label: "stembus/v1/dec", context, rng });
    assert.deepEqual(
      { member: v.share.member, factor: S.pointToHex(factor), proof: { c: S.scalarToHex(proof.c), v: S.scalarToHex(proof.v) } },
      v.share,
    );
    assert.ok(S.verifyEqualDlog(S.BASE, y, ciphertext.alpha, factor, proof, { label: "stembus/v1/dec", context }));
    // beta − factor = count·B.
    assert.ok(ciphertext.beta.subtract(factor).equals(S.encodeCount(v.count)));
  });
});

describe("rfc9496.json", () => {
  const v = vector("rfc9496.json");

  test("multiples of the generator encode and decode", () => {
    let p = S.IDENTITY;
    v.multiples_of_generator.forEach((hex, i) => {
      assert.equal(S.pointToHex(p), hex, `${i}·B`);
      assert.equal(S.pointToHex(S.baseMul(BigInt(i))), hex, `${i}·B by multiplication`);
      const decoded = S.pointFromHex(hex, { allowIdentity: true });
      assert.ok(decoded.equals(p));
      p = p.add(S.BASE);
    });
  });

  test("all invalid encodings are refused", () => {
    assert.equal(v.invalid_encodings.length, 29);
    for (const { encoding } of v.invalid_encodings) {
      assert.throws(() => S.pointFromHex(encoding, { allowIdentity: true }), S.GroupError, encoding);
    }
  });

  test("element derivation", () => {
    for (const { input, output } of v.element_derivation) {
      assert.equal(S.pointToHex(S.pointFromUniform(S.fromHex(input))), output);
    }
  });
});
