// Voting codes: reading what a voter types, the check symbol, and the credential it derives.

import assert from "node:assert/strict";
import { test } from "node:test";

import * as S from "../../static/js/stembus-crypto.js";
import { vector } from "./helpers.js";

const V = vector("credential.json");

test("spaces, dashes, line breaks and lower case are accepted", () => {
  const messy = ` ${V.normalised.slice(0, 10).toLowerCase()}\t-\r\n${V.normalised.slice(10)} `;
  assert.equal(S.normaliseCode(messy), V.normalised);
});

test("a symbol outside the alphabet is named by its position", () => {
  for (const bad of ["0", "O", "1", "I", "L", "é", "€"]) {
    const typed = `${V.normalised.slice(0, 5)}${bad}${V.normalised.slice(6)}`;
    assert.throws(
      () => S.normaliseCode(typed),
      (err) => err instanceof S.CodeError && err.reason === "character" && err.position === 6,
    );
  }
  // Non-ASCII letters are not upper-cased (as in Python): a lower-case ß stays refused.
  assert.throws(() => S.normaliseCode(`ß${V.normalised.slice(1)}`), (err) => err.position === 1);
});

test("a wrong length is refused", () => {
  assert.throws(() => S.normaliseCode(V.normalised.slice(1)), (err) => err.reason === "length" && err.length === 23);
  assert.throws(() => S.normaliseCode(`${V.normalised}2`), (err) => err.reason === "length" && err.length === 25);
  assert.throws(() => S.normaliseCode(""), (err) => err.reason === "length");
});

test("every single substitution and every adjacent swap is detected", () => {
  const code = V.normalised;
  for (let i = 0; i < code.length; i += 1) {
    for (const ch of S.CODE_ALPHABET) {
      if (ch !== code[i]) {
        const typo = code.slice(0, i) + ch + code.slice(i + 1);
        assert.throws(() => S.normaliseCode(typo), (err) => err.reason === "check", `${i}:${ch}`);
      }
    }
  }
  for (let i = 0; i + 1 < code.length; i += 1) {
    if (code[i] !== code[i + 1]) {
      const swapped = code.slice(0, i) + code[i + 1] + code[i] + code.slice(i + 2);
      assert.throws(() => S.normaliseCode(swapped), (err) => err.reason === "check", `swap ${i}`);
    }
  }
});

test("generated codes are well formed and distinct", () => {
  const seen = new Set();
  for (let i = 0; i < 200; i += 1) {
    const code = S.generateCode();
    assert.match(code, /^([23456789ABCDEFGHJKMNPQRSTUVWXYZ]{4}-){5}[23456789ABCDEFGHJKMNPQRSTUVWXYZ]{4}$/);
    assert.equal(S.formatCode(S.normaliseCode(code)), code);
    seen.add(code);
  }
  assert.equal(seen.size, 200);
});

test("the election UUID is read in any usual spelling", () => {
  const canonical = V.election_uuid;
  for (const spelling of [canonical, canonical.toUpperCase(), canonical.replace(/-/g, ""), `{${canonical}}`, `urn:uuid:${canonical}`]) {
    assert.equal(S.canonicalUuid(spelling), canonical);
  }
  assert.throws(() => S.canonicalUuid("not-a-uuid"), RangeError);
  const a = S.deriveCredential(V.code, canonical.toUpperCase(), V.params_hash);
  assert.equal(a.publicHex, V.public);
});

test("the credential depends on the election and the parameters", () => {
  const other = S.deriveCredential(V.code, "00000000-0000-4000-8000-000000000000", V.params_hash);
  assert.notEqual(other.publicHex, V.public);
  assert.throws(() => S.deriveCredential(V.code, V.election_uuid, "00".repeat(16)), RangeError);
  assert.throws(() => S.deriveCredential(V.code_with_wrong_check_character, V.election_uuid, V.params_hash), S.CodeError);
});
