// The independent checker page's logic (static/checker/checker.js) against the booth module.

import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, test } from "node:test";

import { ChallengeError, checkChallenge, documentFromFragment, trackingCode } from "../../static/checker/checker.js";
import * as S from "../../static/js/stembus-crypto.js";
import { ROOT, vector } from "./helpers.js";

const V = vector("ballot.json");
const CRED = vector("credential.json");
const cred = S.deriveCredential(CRED.code, CRED.election_uuid, CRED.params_hash);
const OPTIONS = [
  { id: "c1", name: "Anna de Vries" },
  { id: "c2", name: "Bram Jansen" },
  { id: "c3", name: "Chantal Bakker" },
  { id: "blank", name: "Blanco" },
];

function challenge(choices, system = "list", k = 1) {
  const { ballot, secrets } = S.encryptBallot({
    choices,
    jointKey: V.joint_key,
    electionHash: V.election_hash,
    group: "kiesgroep-1",
    credentialSecret: cred.secret,
    system,
    k,
  });
  return { format: "stembus-challenge", version: 1, joint_key: V.joint_key, options: OPTIONS, ballot, reveal: S.reveal(secrets) };
}

function rejects(doc, key, args = undefined, jointKey = undefined) {
  assert.throws(
    () => checkChallenge(doc, jointKey),
    (err) => err instanceof ChallengeError && err.key === key && (args === undefined || JSON.stringify(err.args) === JSON.stringify(args)),
  );
}

describe("a correct challenge shows the choice", () => {
  test("list system", () => {
    const doc = challenge([0, 0, 1, 0]);
    const out = checkChallenge(doc);
    assert.deepEqual(out.chosen, [2]);
    assert.equal(out.options[2].name, "Chantal Bakker");
    assert.equal(out.trackingCode, S.trackingCode(doc.ballot));
    assert.equal(out.group, "kiesgroep-1");
  });

  test("person system, two picks; blank", () => {
    assert.deepEqual(checkChallenge(challenge([1, 0, 1, 0], "person", 2)).chosen, [0, 2]);
    const blank = checkChallenge(challenge([0, 0, 0, 1], "person", 2));
    assert.deepEqual(blank.chosen, [3]);
    assert.ok(blank.options[3].blank);
  });

  test("the vectors' ballots, and the board's payload with the key given apart", () => {
    for (const c of V.ballots) {
      const out = checkChallenge({ ballot: c.ballot, reveal: { choices: c.choices, randomness: c.randomness } }, V.joint_key);
      assert.deepEqual(out.options.map((o) => (o.chosen ? 1 : 0)), c.choices);
      assert.equal(out.options[3].name, null);
      assert.equal(trackingCode(c.ballot), S.trackingCode(c.ballot));
    }
  });

  test("the URL fragment form", () => {
    const doc = challenge([1, 0, 0, 0]);
    const b64 = Buffer.from(JSON.stringify(doc), "utf8").toString("base64url");
    assert.deepEqual(documentFromFragment(`#c=${b64}`), doc);
    assert.equal(documentFromFragment("#other"), null);
    assert.throws(() => documentFromFragment("#c=AAAA"), ChallengeError);
  });
});

describe("a wrong or unreadable challenge is refused", () => {
  test("a choice that the ballot does not encrypt", () => {
    const doc = challenge([0, 1, 0, 0]);
    doc.reveal.choices = [0, 0, 1, 0];
    rejects(doc, "mismatch", { option: 2 });
  });

  test("randomness of another option", () => {
    const doc = challenge([0, 1, 0, 0]);
    doc.reveal.randomness[3] = doc.reveal.randomness[0];
    rejects(doc, "mismatch", { option: 4 });
  });

  test("another joint key", () => {
    const doc = challenge([0, 1, 0, 0]);
    doc.joint_key = S.pointToHex(S.baseMul(S.randomScalar()));
    rejects(doc, "mismatch", { option: 1 });
  });

  test("missing or malformed parts", () => {
    const doc = challenge([0, 1, 0, 0]);
    rejects({ ...doc, joint_key: undefined }, "no_key");
    rejects({ ...doc, ballot: undefined }, "no_ballot");
    rejects({ ...doc, reveal: { choices: [] } }, "no_reveal");
    rejects({ ...doc, reveal: { ...doc.reveal, choices: [0, 1, 0] } }, "count_mismatch");
    rejects({ ...doc, reveal: { ...doc.reveal, choices: [0, 1, 0, true] } }, "bad_choice", { option: 4 });
    rejects({ ...doc, reveal: { ...doc.reveal, randomness: ["00".repeat(32), ...doc.reveal.randomness.slice(1)] } }, "bad_scalar");
    rejects({ ...doc, reveal: { ...doc.reveal, randomness: ["ff".repeat(32), ...doc.reveal.randomness.slice(1)] } }, "bad_scalar");
    rejects({ ...doc, joint_key: doc.joint_key.toUpperCase() }, "bad_hex");
    rejects({ ...doc, joint_key: "00".repeat(32) }, "bad_element");
    rejects(null, "bad_json");
  });
});

describe("the page works under a strict CSP and shares no script with the booth", () => {
  const html = readFileSync(join(ROOT, "static", "checker", "index.html"), "utf8");
  const js = readFileSync(join(ROOT, "static", "checker", "checker.js"), "utf8");

  test("no inline script, style or event handler", () => {
    for (const m of html.matchAll(/<script\b([^>]*)>([\s\S]*?)<\/script>/g)) {
      assert.match(m[1], /\bsrc="/);
      assert.equal(m[2].trim(), "");
    }
    assert.doesNotMatch(html, /<style\b/);
    assert.doesNotMatch(html, /\sstyle="/);
    assert.doesNotMatch(html, /\son[a-z]+="/);
    assert.doesNotMatch(js, /innerHTML|eval\(|new Function|setAttribute\("style"/);
  });

  test("imports only the vendored @noble modules", () => {
    const imports = [...js.matchAll(/^import .* from "([^"]+)";$/gm)].map((m) => m[1]);
    assert.deepEqual(imports, ["../vendor/noble/curves/ed25519.js", "../vendor/noble/hashes/sha2.js"]);
  });
});
