// Encodings and input checks of the booth module, against crypto/group.py's rules.

import assert from "node:assert/strict";
import { test } from "node:test";

import * as S from "../../static/js/stembus-crypto.js";

const B_HEX = "e2f2ae0a6abc4e71a884a961c500515f58e30b6aa582dd8db6a65945e08d2d76";
const ZERO_HEX = "00".repeat(32);

test("the generator and the group order", () => {
  assert.equal(S.pointToHex(S.BASE), B_HEX);
  assert.equal(S.L, 2n ** 252n + 27742317777372353535851937790883648493n);
  assert.ok(S.BASE.multiplyUnsafe(S.L - 1n).add(S.BASE).equals(S.IDENTITY));
});

test("the identity is refused unless allowed", () => {
  assert.throws(() => S.pointFromHex(ZERO_HEX), /identity/);
  assert.ok(S.pointFromHex(ZERO_HEX, { allowIdentity: true }).equals(S.IDENTITY));
  assert.equal(S.pointToHex(S.baseMul(0n)), ZERO_HEX);
  assert.equal(S.pointToHex(S.mul(5n, S.IDENTITY)), ZERO_HEX);
});

test("a set top bit is refused", () => {
  const bytes = S.fromHex(B_HEX);
  bytes[31] |= 0x80;
  assert.throws(() => S.pointFromBytes(bytes), /top bit/);
});

test("hex must be 64 lower-case characters", () => {
  assert.throws(() => S.pointFromHex(B_HEX.toUpperCase()), S.GroupError);
  assert.throws(() => S.pointFromHex(B_HEX.slice(2)), S.GroupError);
  assert.throws(() => S.pointFromHex(`${B_HEX}00`), S.GroupError);
  assert.throws(() => S.scalarFromHex("0G".repeat(32)), S.GroupError);
  assert.throws(() => S.pointFromBytes(new Uint8Array(31)), S.GroupError);
});

test("non-canonical scalars are refused", () => {
  for (const n of [S.L, S.L + 1n, 2n ** 256n - 1n]) {
    assert.throws(() => S.scalarFromBytes(S.fromHex(n.toString(16).padStart(64, "0")).reverse()), /not canonical/);
  }
  assert.equal(S.scalarFromHex(S.scalarToHex(S.L - 1n)), S.L - 1n);
  assert.equal(S.scalarToHex(1n), `01${"00".repeat(31)}`);
});

test("random scalars are non-zero, below L and differ", () => {
  const seen = new Set();
  for (let i = 0; i < 50; i += 1) {
    const s = S.randomScalar();
    assert.ok(s > 0n && s < S.L);
    seen.add(s);
  }
  assert.equal(seen.size, 50);
});

test("transcript parts: refused types and ranges, lengths big-endian", () => {
  assert.throws(() => S.transcriptBytes("other/v1/x"), S.TranscriptError);
  assert.throws(() => S.transcriptBytes("stembus/v1/é"), S.TranscriptError);
  assert.throws(() => S.transcriptBytes("stembus/v1/x", -1), S.TranscriptError);
  assert.throws(() => S.transcriptBytes("stembus/v1/x", 1.5), S.TranscriptError);
  assert.throws(() => S.transcriptBytes("stembus/v1/x", 2n ** 64n), S.TranscriptError);
  assert.throws(() => S.transcriptBytes("stembus/v1/x", true), S.TranscriptError);
  assert.equal(S.toHex(S.transcriptBytes("stembus/v1/x", 2n ** 64n - 1n)).slice(-16), "ff".repeat(8));
  assert.equal(S.toHex(S.transcriptBytes("stembus/v1/x", "ë")), "0000000c7374656d6275732f76312f7800000002c3ab");
});

test("hashToPoint is element derivation of SHA-512(label)", () => {
  const p = S.hashToPoint("stembus/v1/example");
  assert.ok(!p.equals(S.IDENTITY));
  assert.ok(S.hashToPoint(new TextEncoder().encode("stembus/v1/example")).equals(p));
});

test("canonical JSON sorts keys by code point and writes non-ASCII as is", () => {
  const value = { b: 1, a: [true, null, "x\"\n\u0001"], "\u{1F600}": "é", "\uFFFF": 0 };
  assert.equal(S.canonicalJson(value), '{"a":[true,null,"x\\"\\n\\u0001"],"b":1,"\uFFFF":0,"\u{1F600}":"é"}');
  assert.throws(() => S.canonicalJson({ x: 1.5 }), TypeError);
  assert.throws(() => S.canonicalJson({ x: Number.NaN }), TypeError);
});

test("Crockford base32 and tracking-code reading", () => {
  assert.equal(S.base32(new Uint8Array([0xff])), "ZW");
  assert.equal(S.base32(new Uint8Array([0, 0, 0, 0, 0])), "00000000");
  assert.equal(S.normaliseTrackingCode("abcd efgh-ijkl mnop"), "ABCD-EFGH-1JK1-MN0P");
  assert.throws(() => S.normaliseTrackingCode("ABCU"), RangeError);
});
