// Whole ballots made with real randomness: they verify, bad votes are refused, and every kind of
// tampering is caught by verification, by parsing or by the Benaloh check.

import assert from "node:assert/strict";
import { describe, test } from "node:test";

import * as S from "../../static/js/stembus-crypto.js";
import { vector } from "./helpers.js";

const V = vector("ballot.json");
const CRED = vector("credential.json");
const cred = S.deriveCredential(CRED.code, CRED.election_uuid, CRED.params_hash);
const GROUP = "kiesgroep-1";

function make(choices, system, k = 1) {
  return S.encryptBallot({
    choices,
    jointKey: V.joint_key,
    electionHash: V.election_hash,
    group: GROUP,
    credentialSecret: cred.secret,
    system,
    k,
  });
}

function verify(ballot, system, k, n = ballot.selections.length) {
  return S.verifyBallot(ballot, { electionHash: V.election_hash, group: GROUP, nOptions: n, k, system, jointKey: V.joint_key });
}

function copy(value) {
  return JSON.parse(JSON.stringify(value));
}

describe("valid votes verify", () => {
  const cases = [
    ["list", 1, [1, 0, 0]],
    ["list", 1, [0, 0, 1]],
    ["person", 1, [0, 1, 0]],
    ["person", 3, [1, 1, 1, 0, 0]],
    ["person", 3, [0, 1, 0, 0, 0]],
    ["person", 3, [0, 0, 0, 0, 1]],
  ];
  for (const [system, k, choices] of cases) {
    test(`${system} k=${k} ${choices.join("")}`, () => {
      const { ballot, secrets } = make(choices, system, k);
      assert.deepEqual(verify(ballot, system, k), []);
      assert.deepEqual(S.checkRevealed(ballot, S.reveal(secrets), V.joint_key), choices);
      assert.equal(ballot.credential, cred.publicHex);
      if (system === "person") {
        assert.equal(ballot.sum_proof.c.length, k);
      } else {
        assert.equal(typeof ballot.sum_proof.c, "string");
      }
    });
  }

  test("two encryptions of one vote differ", () => {
    const a = make([1, 0, 0], "list");
    const b = make([1, 0, 0], "list");
    assert.notEqual(S.trackingCode(a.ballot), S.trackingCode(b.ballot));
  });
});

describe("invalid votes are refused before encryption", () => {
  const refused = [
    ["list", 1, [1, 1, 0], /exactly one/],
    ["list", 1, [0, 0, 0], /exactly one/],
    ["list", 2, [1, 0, 0], /k = 1/],
    ["person", 2, [1, 0, 1], /choose 1..2/],
    ["person", 2, [1, 1, 1, 0], /choose 1..2/],
    ["person", 2, [0, 0, 0, 0], /choose 1..2/],
    ["person", 3, [1, 0, 0], /k must lie/],
    ["person", 0, [1, 0, 0], /k must lie/],
    ["list", 1, [1], /at least one candidate/],
    ["list", 1, [2, 0], /chosen \(1\) or not \(0\)/],
    ["other", 1, [1, 0], /unknown electoral system/],
  ];
  for (const [system, k, choices, pattern] of refused) {
    test(`${system} k=${k} ${choices.join(",")}`, () => {
      assert.throws(() => make(choices, system, k), (err) => err instanceof S.BallotError && pattern.test(err.message));
    });
  }

  test("an empty group id and a zero key are refused", () => {
    assert.throws(
      () => S.encryptBallot({ choices: [1, 0], jointKey: V.joint_key, electionHash: V.election_hash, group: "", credentialSecret: cred.secret, system: "list" }),
      S.BallotError,
    );
    assert.throws(
      () => S.encryptBallot({ choices: [1, 0], jointKey: "00".repeat(32), electionHash: V.election_hash, group: GROUP, credentialSecret: cred.secret, system: "list" }),
      S.GroupError,
    );
  });
});

describe("tampering is caught", () => {
  const { ballot, secrets } = make([0, 1, 0, 0], "list");
  const person = make([1, 0, 1, 0], "person", 2).ballot;

  test("swapping two options' ciphertexts breaks their proofs and the signature", () => {
    const t = copy(ballot);
    [t.selections[0].ciphertext, t.selections[1].ciphertext] = [t.selections[1].ciphertext, t.selections[0].ciphertext];
    const failures = verify(t, "list", 1);
    assert.ok(failures.includes("selections[0].proof: not a proof that the option holds 0 or 1"));
    assert.ok(failures.includes("selections[1].proof: not a proof that the option holds 0 or 1"));
    assert.ok(failures.includes("signature: not a signature by the ballot's credential"));
  });

  test("swapping whole selections breaks the option-bound proofs", () => {
    const t = copy(ballot);
    [t.selections[0], t.selections[1]] = [t.selections[1], t.selections[0]];
    assert.ok(verify(t, "list", 1).some((f) => f.startsWith("selections[0].proof")));
  });

  test("a changed sum proof or signature is caught", () => {
    const t = copy(ballot);
    t.sum_proof.v = S.scalarToHex((S.scalarFromHex(t.sum_proof.v) + 1n) % S.L);
    assert.deepEqual(verify(t, "list", 1), [
      "sum_proof: not a proof that exactly one option is chosen",
      "signature: not a signature by the ballot's credential",
    ]);
    const u = copy(ballot);
    u.signature.c = S.scalarToHex((S.scalarFromHex(u.signature.c) + 1n) % S.L);
    assert.deepEqual(verify(u, "list", 1), ["signature: not a signature by the ballot's credential"]);
  });

  test("another credential, group, option count or system is refused", () => {
    const other = S.deriveCredential(S.generateCode(), CRED.election_uuid, CRED.params_hash);
    const t = copy(ballot);
    t.credential = other.publicHex;
    assert.equal(verify(t, "list", 1).length, 6);
    const u = copy(ballot);
    u.group = "kiesgroep-2";
    assert.match(verify(u, "list", 1)[0], /^group: ballot is for "kiesgroep-2"/);
    assert.deepEqual(verify(ballot, "list", 1, 5), ["selections: 4 options, expected 5"]);
    assert.deepEqual(verify(person, "list", 1), [
      "sum_proof: the list system needs an exact-sum proof {c, v}",
      "signature: not a signature by the ballot's credential",
    ]);
    assert.deepEqual(verify(ballot, "person", 2), [
      "sum_proof: the person system needs a range proof with 2 branches",
      "signature: not a signature by the ballot's credential",
    ]);
    assert.deepEqual(verify(person, "person", 3).slice(0, 1), ["sum_proof: the person system needs a range proof with 3 branches"]);
  });

  test("another election hash or joint key is refused", () => {
    const failures = S.verifyBallot(ballot, {
      electionHash: "11".repeat(64),
      group: GROUP,
      nOptions: 4,
      k: 1,
      system: "list",
      jointKey: V.joint_key,
    });
    assert.equal(failures.length, 6);
    const otherKey = S.pointToHex(S.baseMul(S.randomScalar()));
    const f2 = S.verifyBallot(ballot, { electionHash: V.election_hash, group: GROUP, nOptions: 4, k: 1, system: "list", jointKey: otherKey });
    assert.equal(f2.length, 5);
  });

  test("malformed ballots are refused when parsed", () => {
    const bad = [
      [(t) => (t.extra = 1), /exactly the fields/],
      [(t) => delete t.signature, /exactly the fields/],
      [(t) => (t.version = 2), /version/],
      [(t) => (t.version = "1"), /version/],
      [(t) => (t.group = ""), /group/],
      [(t) => (t.credential = "00".repeat(32)), /credential: the identity/],
      [(t) => (t.credential = t.credential.toUpperCase()), /credential: a group element is 64 lower-case/],
      [(t) => (t.selections = t.selections.slice(0, 1)), /at least one candidate/],
      [(t) => (t.selections[2].ciphertext.beta = "00".repeat(32)), /selections\[2\]\.ciphertext\.beta: the identity/],
      [(t) => (t.selections[1].ciphertext.extra = "x"), /selections\[1\]\.ciphertext/],
      [(t) => (t.selections[1].proof.c = t.selections[1].proof.c.slice(0, 1)), /same length/],
      [(t) => (t.selections[1].proof = { c: [t.selections[1].proof.c[0]], v: [t.selections[1].proof.v[0]] }), /exactly two branches/],
      [(t) => (t.selections[0].proof.v[1] = S.L.toString(16).padStart(64, "0").match(/../g).reverse().join("")), /not canonical/],
      [(t) => (t.sum_proof = { c: t.sum_proof.c }), /sum_proof/],
      [(t) => (t.signature.v = "ff".repeat(32)), /signature\.v: scalar is not canonical/],
    ];
    for (const [change, pattern] of bad) {
      const t = copy(ballot);
      change(t);
      assert.throws(() => S.parseBallot(t), (err) => err instanceof S.BallotError && pattern.test(err.message), pattern.source);
    }
  });

  test("a wrong disclosure is named by option", () => {
    const revealed = S.reveal(secrets);
    const flipped = copy(revealed);
    flipped.choices = [1, 0, 0, 0];
    assert.throws(() => S.checkRevealed(ballot, flipped, V.joint_key), /selections\[0\]: the revealed choice and randomness do not match/);
    const shifted = copy(revealed);
    shifted.randomness[3] = shifted.randomness[2];
    assert.throws(() => S.checkRevealed(ballot, shifted, V.joint_key), /selections\[3\]/);
    assert.throws(() => S.checkRevealed(ballot, { ...revealed, extra: 1 }, V.joint_key), /exactly 'choices' and 'randomness'/);
    assert.throws(() => S.checkRevealed(ballot, { choices: revealed.choices.slice(1), randomness: revealed.randomness }, V.joint_key), /every option/);
    assert.throws(() => S.checkRevealed(ballot, { choices: [0, 2, 0, 0], randomness: revealed.randomness }, V.joint_key), /choices\[1\]/);
    assert.throws(() => S.checkRevealed(ballot, { choices: revealed.choices, randomness: ["00".repeat(32), ...revealed.randomness.slice(1)] }, V.joint_key), /randomness\[0\]: zero/);
  });
});

test("the tracking code depends on the canonical bytes only", () => {
  const { ballot } = make([0, 1], "list");
  const reordered = { signature: ballot.signature, sum_proof: ballot.sum_proof, selections: ballot.selections, credential: ballot.credential, group: ballot.group, version: 1 };
  assert.equal(S.trackingCode(reordered), S.trackingCode(ballot));
  assert.equal(S.trackingCode(S.ballotToBytes(ballot)), S.trackingCode(ballot));
  assert.match(S.trackingCode(ballot), /^[0-9A-HJKMNP-TV-Z]{4}(-[0-9A-HJKMNP-TV-Z]{4}){4}$/);
  assert.equal(S.fullTrackingCode(ballot).replace(/-/g, "").length, 52);
  assert.ok(S.fullTrackingCode(ballot).startsWith(S.trackingCode(ballot)));
});
