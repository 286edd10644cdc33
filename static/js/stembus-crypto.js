// Stembus booth cryptography: everything the voter's browser computes before a ballot is cast.
//
// This module follows docs/protocol.md byte for byte and interoperates with the Python package
// crypto/ through the shared vectors in tests/vectors/. It covers: ristretto255 encodings with the
// same input checks as crypto/group.py, the transcript hash, voting codes and credentials,
// exponential ElGamal, the 0/1, exact-sum and sum-range proofs, the credential signature, whole
// ballots with their canonical bytes and tracking code, ballot verification, and the Benaloh
// challenge (reveal / check).
//
// Values: group elements are noble RistrettoPoint objects inside the module and 64 lower-case hex
// characters in JSON; scalars are BigInts in 0 .. L-1 inside and 64 lower-case hex characters
// (little-endian) in JSON. Randomness comes from crypto.getRandomValues unless a deterministic
// source (seededScalars) is passed as `rng`, which is for test vectors only.
//
// Scalar arithmetic uses BigInt, which is not constant-time; the secret-dependent group operations
// use noble's constant-time multiplication.

import { ristretto255, ristretto255_hasher } from "../vendor/noble/curves/ed25519.js";
import { sha256, sha512 } from "../vendor/noble/hashes/sha2.js";

const Point = ristretto255.Point;

/** The order of the ristretto255 group. */
export const L = 2n ** 252n + 27742317777372353535851937790883648493n;

/** The RFC 9496 generator B. */
export const BASE = Point.BASE;

/** The identity element (encoded as 32 zero bytes). */
export const IDENTITY = Point.ZERO;

/** Transcript labels (docs/protocol.md, section 3). */
export const LABEL_PREFIX = "stembus/v1/";
export const LABEL_ZERO_ONE = "stembus/v1/proof01";
export const LABEL_EXACT_SUM = "stembus/v1/sum";
export const LABEL_SUM_RANGE = "stembus/v1/sum-range";
export const LABEL_CREDENTIAL = "stembus/v1/cred";
export const LABEL_BALLOT_SIGNATURE = "stembus/v1/ballot-sig";
export const LABEL_TEST_NONCE = "stembus/v1/test-nonce";

/** Ballot format version and the two electoral systems (docs/protocol.md, section 11). */
export const BALLOT_VERSION = 1;
export const LIST_SYSTEM = "list";
export const PERSON_SYSTEM = "person";

/** The 31 symbols of voting codes, value = position. */
export const CODE_ALPHABET = "23456789ABCDEFGHJKMNPQRSTUVWXYZ";
/** A voting code: 23 random symbols and one check symbol. */
export const CODE_PAYLOAD_LENGTH = 23;
export const CODE_LENGTH = 24;

const CROCKFORD = "0123456789ABCDEFGHJKMNPQRSTVWXYZ";
const TRACKING_CODE_LENGTH = 20;
const UTF8 = new TextEncoder();

// --- errors ----------------------------------------------------------------------------------

/** A byte string or hex string is not an acceptable group element or scalar. */
export class GroupError extends Error {
  constructor(message) {
    super(message);
    this.name = "GroupError";
  }
}

/** A transcript label or part cannot be encoded. */
export class TranscriptError extends Error {
  constructor(message) {
    super(message);
    this.name = "TranscriptError";
  }
}

/**
 * A typed voting code cannot be read. `reason` is "character" (with the 1-based `position` of
 * the first symbol outside the alphabet), "length" (with the `length` found) or "check" (a typing
 * error caught by the check character), so that a page can show a translated message.
 */
export class CodeError extends Error {
  constructor(message, reason, details = {}) {
    super(message);
    this.name = "CodeError";
    this.reason = reason;
    Object.assign(this, details);
  }
}

/** A ballot (or a Benaloh disclosure) is malformed or inconsistent; the message names the field. */
export class BallotError extends Error {
  constructor(message) {
    super(message);
    this.name = "BallotError";
  }
}

// --- bytes and hex ----------------------------------------------------------------------------

/**
 * Lower-case hex of a byte array.
 * @param {Uint8Array} bytes
 * @returns {string}
 */
export function toHex(bytes) {
  let out = "";
  for (const b of bytes) {
    out += b.toString(16).padStart(2, "0");
  }
  return out;
}

/**
 * Parse hex into bytes. Only lower-case hex is accepted (one spelling per value).
 * @param {string} text
 * @param {string} [what] name used in the error message
 * @param {number} [length] required number of bytes, if any
 * @returns {Uint8Array}
 */
export function fromHex(text, what = "value", length = undefined) {
  if (typeof text !== "string") {
    throw new GroupError(`a ${what} must be a hex string, got ${typeof text}`);
  }
  if (text.length % 2 !== 0 || !/^[0-9a-f]*$/.test(text) || (length !== undefined && text.length !== 2 * length)) {
    const size = length === undefined ? "" : `${2 * length} `;
    throw new GroupError(`a ${what} is ${size}lower-case hex characters`);
  }
  const out = new Uint8Array(text.length / 2);
  for (let i = 0; i < out.length; i += 1) {
    out[i] = parseInt(text.slice(2 * i, 2 * i + 2), 16);
  }
  return out;
}

/**
 * Concatenate byte arrays.
 * @param {...Uint8Array} parts
 * @returns {Uint8Array}
 */
export function concatBytes(...parts) {
  let size = 0;
  for (const p of parts) {
    size += p.length;
  }
  const out = new Uint8Array(size);
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.length;
  }
  return out;
}

function bytesEqual(a, b) {
  if (a.length !== b.length) {
    return false;
  }
  let diff = 0;
  for (let i = 0; i < a.length; i += 1) {
    diff |= a[i] ^ b[i];
  }
  return diff === 0;
}

function isBytes(value) {
  return value instanceof Uint8Array;
}

function asBytes(value, what) {
  if (isBytes(value)) {
    return value;
  }
  if (typeof value === "string") {
    return fromHex(value, what);
  }
  throw new TypeError(`${what} must be bytes or a hex string`);
}

function utf8(text) {
  return UTF8.encode(text);
}

function u32(n) {
  const out = new Uint8Array(4);
  new DataView(out.buffer).setUint32(0, n, false);
  return out;
}

function u64(n) {
  const out = new Uint8Array(8);
  new DataView(out.buffer).setBigUint64(0, BigInt(n), false);
  return out;
}

function lengthPrefixed(bytes) {
  return concatBytes(u32(bytes.length), bytes);
}

// --- scalars ----------------------------------------------------------------------------------

function mod(n) {
  const r = n % L;
  return r < 0n ? r + L : r;
}

function bytesToIntLE(bytes) {
  let n = 0n;
  for (let i = bytes.length - 1; i >= 0; i -= 1) {
    n = (n << 8n) | BigInt(bytes[i]);
  }
  return n;
}

/**
 * The 32-byte little-endian encoding of a scalar (reduced modulo L first).
 * @param {bigint} s
 * @returns {Uint8Array}
 */
export function scalarToBytes(s) {
  let n = mod(s);
  const out = new Uint8Array(32);
  for (let i = 0; i < 32; i += 1) {
    out[i] = Number(n & 0xffn);
    n >>= 8n;
  }
  return out;
}

/**
 * Read a canonical scalar: 32 bytes, little-endian, value strictly below L (a value of L or more
 * is refused, as crypto/group.py does, so that each scalar has one encoding).
 * @param {Uint8Array} bytes
 * @returns {bigint}
 */
export function scalarFromBytes(bytes) {
  if (!isBytes(bytes)) {
    throw new GroupError("a scalar must be bytes");
  }
  if (bytes.length !== 32) {
    throw new GroupError(`a scalar is 32 bytes, got ${bytes.length}`);
  }
  const n = bytesToIntLE(bytes);
  if (n >= L) {
    throw new GroupError("scalar is not canonical (not below the group order)");
  }
  return n;
}

/**
 * Lower-case hex of a scalar's canonical encoding.
 * @param {bigint} s
 * @returns {string}
 */
export function scalarToHex(s) {
  return toHex(scalarToBytes(s));
}

/**
 * Parse 64 lower-case hex characters into a canonical scalar.
 * @param {string} text
 * @returns {bigint}
 */
export function scalarFromHex(text) {
  return scalarFromBytes(fromHex(text, "scalar", 32));
}

/**
 * Reduce 64 bytes, read little-endian, modulo L.
 * @param {Uint8Array} bytes
 * @returns {bigint}
 */
export function scalarFromWide(bytes) {
  if (bytes.length !== 64) {
    throw new GroupError(`wide reduction takes 64 bytes, got ${bytes.length}`);
  }
  return bytesToIntLE(bytes) % L;
}

function getRandomBytes(n) {
  const out = new Uint8Array(n);
  globalThis.crypto.getRandomValues(out);
  return out;
}

/**
 * A uniformly random non-zero scalar from crypto.getRandomValues (64 bytes reduced modulo L).
 * @returns {bigint}
 */
export function randomScalar() {
  for (;;) {
    const n = scalarFromWide(getRandomBytes(64));
    if (n !== 0n) {
      return n;
    }
  }
}

function asScalar(value, what) {
  if (typeof value === "bigint") {
    if (value < 0n || value >= L) {
      throw new GroupError(`${what} is not below the group order`);
    }
    return value;
  }
  if (isBytes(value)) {
    return scalarFromBytes(value);
  }
  if (typeof value === "string") {
    return scalarFromHex(value);
  }
  throw new TypeError(`${what} must be a BigInt, 32 bytes or 64 hex characters`);
}

// --- group elements ---------------------------------------------------------------------------

const ENCODINGS = new WeakMap();

/**
 * The canonical 32-byte encoding of a group element (cached per point object).
 * @param {object} point a ristretto255 point
 * @returns {Uint8Array}
 */
export function pointToBytes(point) {
  let bytes = ENCODINGS.get(point);
  if (bytes === undefined) {
    bytes = point.toBytes();
    ENCODINGS.set(point, bytes);
  }
  return bytes;
}

/**
 * Lower-case hex of a group element's canonical encoding.
 * @param {object} point
 * @returns {string}
 */
export function pointToHex(point) {
  return toHex(pointToBytes(point));
}

/**
 * Decode a canonical RFC 9496 encoding. Refuses a set top bit, every non-canonical encoding and,
 * unless `allowIdentity` is set, the identity (as crypto/group.py's point_from_bytes does).
 * @param {Uint8Array} bytes
 * @param {{allowIdentity?: boolean}} [options]
 * @returns {object} the point
 */
export function pointFromBytes(bytes, { allowIdentity = false } = {}) {
  if (!isBytes(bytes)) {
    throw new GroupError("a group element must be bytes");
  }
  if (bytes.length !== 32) {
    throw new GroupError(`a group element is 32 bytes, got ${bytes.length}`);
  }
  if (bytes[31] & 0x80) {
    throw new GroupError("not a canonical ristretto255 encoding (top bit set)");
  }
  if (bytes.every((b) => b === 0)) {
    if (!allowIdentity) {
      throw new GroupError("the identity element is not allowed here");
    }
    return IDENTITY;
  }
  let point;
  try {
    point = Point.fromBytes(bytes);
  } catch {
    throw new GroupError("not a canonical ristretto255 encoding");
  }
  ENCODINGS.set(point, Uint8Array.from(bytes));
  return point;
}

/**
 * Parse 64 lower-case hex characters into a validated group element (see pointFromBytes).
 * @param {string} text
 * @param {{allowIdentity?: boolean}} [options]
 * @returns {object}
 */
export function pointFromHex(text, options = {}) {
  return pointFromBytes(fromHex(text, "group element", 32), options);
}

function asPoint(value, what) {
  if (value instanceof Point) {
    if (value.equals(IDENTITY)) {
      throw new GroupError(`${what}: the identity element is not allowed here`);
    }
    return value;
  }
  try {
    return isBytes(value) ? pointFromBytes(value) : pointFromHex(value);
  } catch (err) {
    throw new GroupError(`${what}: ${err.message}`);
  }
}

/**
 * `s·P` in constant time; the identity for `s = 0` or `P = 0`.
 * @param {bigint} s
 * @param {object} point
 * @returns {object}
 */
export function mul(s, point) {
  const n = mod(s);
  if (n === 0n || point.equals(IDENTITY)) {
    return IDENTITY;
  }
  return point.multiply(n);
}

/**
 * `s·B` in constant time; the identity for `s = 0`.
 * @param {bigint} s
 * @returns {object}
 */
export function baseMul(s) {
  return mulFixed(s, BASE);
}

// Fixed-base tables: the prover multiplies only by B and by the joint key Y (see proveRange), so a
// window-8 table for each (about 40 ms to build once) makes every secret multiplication about five
// times faster than a multiplication by an arbitrary point.
const TABLE_WINDOW = 8;
const TABLES = new Map();
const MAX_TABLES = 4;

function fixedBase(point) {
  const key = pointToHex(point);
  let table = TABLES.get(key);
  if (table === undefined) {
    table = point.add(IDENTITY);
    table.precompute(TABLE_WINDOW, false);
    if (TABLES.size >= MAX_TABLES) {
      TABLES.delete(TABLES.keys().next().value);
    }
    TABLES.set(key, table);
  }
  return table;
}

function mulFixed(s, point) {
  const n = mod(s);
  return n === 0n ? IDENTITY : fixedBase(point).multiply(n);
}

/**
 * Build the multiplication tables for B and the joint key ahead of time (optional: encryptBallot
 * builds them on first use). A page can call this while the voter reads the ballot.
 * @param {object|Uint8Array|string} jointKey
 */
export function prepare(jointKey) {
  fixedBase(BASE);
  fixedBase(asPoint(jointKey, "joint key"));
}

function mulPublic(s, point) {
  return point.multiplyUnsafe(mod(s));
}

/**
 * `m·B`, the group encoding of a count (the identity for 0).
 * @param {number} m
 * @returns {object}
 */
export function encodeCount(m) {
  if (m === 0) {
    return IDENTITY;
  }
  if (m === 1) {
    return BASE;
  }
  return BASE.multiplyUnsafe(mod(BigInt(m)));
}

/**
 * RFC 9496 element derivation of 64 uniform bytes.
 * @param {Uint8Array} bytes
 * @returns {object}
 */
export function pointFromUniform(bytes) {
  if (bytes.length !== 64) {
    throw new GroupError(`element derivation takes 64 bytes, got ${bytes.length}`);
  }
  return ristretto255_hasher.deriveToCurve(bytes);
}

/**
 * A generator nobody knows the discrete logarithm of: element derivation of SHA-512(label).
 * @param {Uint8Array|string} label bytes, or a string taken as UTF-8
 * @returns {object}
 */
export function hashToPoint(label) {
  return pointFromUniform(sha512(typeof label === "string" ? utf8(label) : label));
}

// --- the transcript hash ----------------------------------------------------------------------

/**
 * The bytes a transcript part contributes: a Uint8Array as is, a string as UTF-8, an integer
 * (a non-negative safe integer Number or a BigInt below 2^64) as 8 bytes big-endian.
 * @param {Uint8Array|string|number|bigint} part
 * @returns {Uint8Array}
 */
export function encodePart(part) {
  if (isBytes(part)) {
    return part;
  }
  if (typeof part === "string") {
    return utf8(part);
  }
  if (typeof part === "number") {
    if (!Number.isSafeInteger(part) || part < 0) {
      throw new TranscriptError(`integer part out of range: ${part}`);
    }
    return u64(part);
  }
  if (typeof part === "bigint") {
    if (part < 0n || part >= 2n ** 64n) {
      throw new TranscriptError(`integer part out of range 0..2**64-1: ${part}`);
    }
    return u64(part);
  }
  throw new TranscriptError(`unsupported transcript part type ${typeof part}`);
}

/**
 * The exact bytes the transcript hash covers:
 * `u32(len(label)) ‖ label ‖ u32(len(p1)) ‖ p1 ‖ …` (lengths big-endian).
 * @param {string} label ASCII, starting with "stembus/v1/"
 * @param {...(Uint8Array|string|number|bigint)} parts
 * @returns {Uint8Array}
 */
export function transcriptBytes(label, ...parts) {
  if (typeof label !== "string" || !label.startsWith(LABEL_PREFIX) || !/^[\x00-\x7f]*$/.test(label)) {
    throw new TranscriptError(`label must be ASCII and start with ${LABEL_PREFIX}: ${label}`);
  }
  const chunks = [lengthPrefixed(utf8(label))];
  for (const part of parts) {
    const raw = encodePart(part);
    if (raw.length > 0xffffffff) {
      throw new TranscriptError("transcript part longer than 2**32-1 bytes");
    }
    chunks.push(u32(raw.length), raw);
  }
  return concatBytes(...chunks);
}

/**
 * The 64-byte SHA-512 transcript hash.
 * @param {string} label
 * @param {...(Uint8Array|string|number|bigint)} parts
 * @returns {Uint8Array}
 */
export function digest(label, ...parts) {
  return sha512(transcriptBytes(label, ...parts));
}

/**
 * The transcript hash read as a little-endian integer modulo L (every challenge and derived secret).
 * @param {string} label
 * @param {...(Uint8Array|string|number|bigint)} parts
 * @returns {bigint}
 */
export function hashToScalar(label, ...parts) {
  return scalarFromWide(digest(label, ...parts));
}

/**
 * A deterministic scalar source for reproducing test vectors ONLY: the n-th call (from 0) returns
 * `H2S("stembus/v1/test-nonce", seed, n)`. Anyone who knows the seed knows every secret.
 * @param {Uint8Array|string} seed bytes, or a string taken as UTF-8
 * @returns {() => bigint}
 */
export function seededScalars(seed) {
  const seedBytes = typeof seed === "string" ? utf8(seed) : seed;
  let counter = 0;
  return () => {
    const s = hashToScalar(LABEL_TEST_NONCE, seedBytes, counter);
    counter += 1;
    return s;
  };
}

// --- exponential ElGamal ----------------------------------------------------------------------

/**
 * Encrypt the count `m >= 0` under `Y`: `(alpha, beta) = (r·B, m·B + r·Y)`.
 * @param {object} jointKey the point Y
 * @param {number} m
 * @param {bigint} [r] the randomness; drawn from `rng` when absent
 * @param {{rng?: () => bigint}} [options]
 * @returns {{ciphertext: {alpha: object, beta: object}, r: bigint}}
 */
export function encrypt(jointKey, m, r = undefined, { rng = randomScalar } = {}) {
  if (!Number.isSafeInteger(m) || m < 0) {
    throw new RangeError("a count is a non-negative integer");
  }
  const rr = r === undefined ? rng() : r;
  if (mod(rr) === 0n) {
    throw new RangeError("zero randomness would reveal the plaintext");
  }
  const alpha = baseMul(rr);
  const beta = encodeCount(m).add(mulFixed(rr, jointKey));
  return { ciphertext: { alpha, beta }, r: rr };
}

function ciphertextToDict(ct) {
  return { alpha: pointToHex(ct.alpha), beta: pointToHex(ct.beta) };
}

function weightedTotal(cts, weights) {
  let alpha = IDENTITY;
  let beta = IDENTITY;
  cts.forEach((ct, i) => {
    const w = weights[i];
    alpha = alpha.add(w === 1 ? ct.alpha : mulPublic(BigInt(w), ct.alpha));
    beta = beta.add(w === 1 ? ct.beta : mulPublic(BigInt(w), ct.beta));
  });
  return { alpha, beta };
}

// --- proofs -----------------------------------------------------------------------------------

/**
 * Schnorr proof of knowledge of `x` with `P = x·B`: `c = H2S(label, ctx…, P, w·B)`, `v = w − c·x`.
 * @param {bigint} secret
 * @param {object} publicPoint
 * @param {{label: string, context: Array, rng?: () => bigint}} options
 * @returns {{c: bigint, v: bigint}}
 */
export function proveSchnorr(secret, publicPoint, { label, context, rng = randomScalar }) {
  const w = rng();
  const a = baseMul(w);
  const c = hashToScalar(label, ...context, pointToBytes(publicPoint), pointToBytes(a));
  return { c, v: mod(w - c * secret) };
}

/**
 * Verify a Schnorr proof: recompute `A' = v·B + c·P` and the challenge.
 * @param {object} publicPoint
 * @param {{c: bigint, v: bigint}} proof
 * @param {{label: string, context: Array}} options
 * @returns {boolean}
 */
export function verifySchnorr(publicPoint, proof, { label, context }) {
  const a = mulFixed(proof.v, BASE).add(mulPublic(proof.c, publicPoint));
  return hashToScalar(label, ...context, pointToBytes(publicPoint), pointToBytes(a)) === proof.c;
}

/**
 * Chaum-Pedersen proof that `h1 = x·g1` and `h2 = x·g2`:
 * `c = H2S(label, ctx…, g1, h1, g2, h2, w·g1, w·g2)`, `v = w − c·x`.
 * @param {bigint} secret
 * @param {object} g1
 * @param {object} h1
 * @param {object} g2
 * @param {object} h2
 * @param {{label: string, context: Array, rng?: () => bigint, fixed?: boolean}} options `fixed`:
 *   build (or reuse) multiplication tables for g1 and g2, worth it for bases used many times
 * @returns {{c: bigint, v: bigint}}
 */
export function proveEqualDlog(secret, g1, h1, g2, h2, { label, context, rng = randomScalar, fixed = false }) {
  const w = rng();
  const a1 = fixed ? mulFixed(w, g1) : mul(w, g1);
  const a2 = fixed ? mulFixed(w, g2) : mul(w, g2);
  const c = hashToScalar(label, ...context, ...[g1, h1, g2, h2, a1, a2].map(pointToBytes));
  return { c, v: mod(w - c * secret) };
}

/**
 * Verify a Chaum-Pedersen proof.
 * @param {object} g1
 * @param {object} h1
 * @param {object} g2
 * @param {object} h2
 * @param {{c: bigint, v: bigint}} proof
 * @param {{label: string, context: Array}} options
 * @returns {boolean}
 */
export function verifyEqualDlog(g1, h1, g2, h2, proof, { label, context }) {
  const a1 = mulPublic(proof.v, g1).add(mulPublic(proof.c, h1));
  const a2 = mulPublic(proof.v, g2).add(mulPublic(proof.c, h2));
  return hashToScalar(label, ...context, ...[g1, h1, g2, h2, a1, a2].map(pointToBytes)) === proof.c;
}

/**
 * Disjunctive proof that `ct` encrypts some value in `lo..hi` (section 8 of docs/protocol.md).
 * Draws, for j = lo..hi in order: a simulated branch `c_j` then `v_j`, the real branch `w`.
 *
 * `ct` must be `(r·B, m·B + r·Y)`. The prover knows `r`, so a simulated branch's commitments
 * `a_j = v_j·B + c_j·alpha` and `b_j = v_j·Y + c_j·(beta − j·B)` are computed as the equal
 * `u·B` and `u·Y + (c_j·(m − j))·B` with `u = v_j + c_j·r`: multiplications by B and Y only.
 * @param {{alpha: object, beta: object}} ct
 * @param {number} m the encrypted value
 * @param {bigint} r its randomness
 * @param {object} jointKey
 * @param {number} lo
 * @param {number} hi
 * @param {{label: string, context: Array, rng?: () => bigint}} options
 * @returns {{c: bigint[], v: bigint[]}}
 */
export function proveRange(ct, m, r, jointKey, lo, hi, { label, context, rng = randomScalar }) {
  if (!(0 <= lo && lo <= m && m <= hi)) {
    throw new RangeError(`cannot prove ${m} lies in ${lo}..${hi}`);
  }
  const commitments = [];
  const cs = [];
  const vs = [];
  let w = 0n;
  for (let j = lo; j <= hi; j += 1) {
    if (j === m) {
      w = rng();
      commitments.push(pointToBytes(baseMul(w)), pointToBytes(mulFixed(w, jointKey)));
      cs.push(0n);
      vs.push(0n);
    } else {
      const cj = rng();
      const vj = rng();
      const u = mod(vj + cj * r);
      commitments.push(
        pointToBytes(baseMul(u)),
        pointToBytes(mulFixed(u, jointKey).add(baseMul(cj * BigInt(m - j)))),
      );
      cs.push(cj);
      vs.push(vj);
    }
  }
  const c = hashToScalar(
    label,
    ...context,
    pointToBytes(jointKey),
    pointToBytes(ct.alpha),
    pointToBytes(ct.beta),
    lo,
    hi,
    ...commitments,
  );
  const real = m - lo;
  let cm = c;
  cs.forEach((cj, j) => {
    if (j !== real) {
      cm -= cj;
    }
  });
  cm = mod(cm);
  cs[real] = cm;
  vs[real] = mod(w - cm * r);
  return { c: cs, v: vs };
}

/**
 * Verify a disjunctive range proof.
 * @param {{alpha: object, beta: object}} ct
 * @param {{c: bigint[], v: bigint[]}} proof
 * @param {object} jointKey
 * @param {number} lo
 * @param {number} hi
 * @param {{label: string, context: Array}} options
 * @returns {boolean}
 */
export function verifyRange(ct, proof, jointKey, lo, hi, { label, context }) {
  const n = hi - lo + 1;
  if (lo < 0 || n < 1 || proof.c.length !== n || proof.v.length !== n) {
    return false;
  }
  const commitments = [];
  let total = 0n;
  for (let i = 0; i < n; i += 1) {
    const cj = proof.c[i];
    const vj = proof.v[i];
    const shifted = ct.beta.subtract(encodeCount(lo + i));
    commitments.push(
      pointToBytes(mulFixed(vj, BASE).add(mulPublic(cj, ct.alpha))),
      pointToBytes(mulFixed(vj, jointKey).add(mulPublic(cj, shifted))),
    );
    total += cj;
  }
  const c = hashToScalar(
    label,
    ...context,
    pointToBytes(jointKey),
    pointToBytes(ct.alpha),
    pointToBytes(ct.beta),
    lo,
    hi,
    ...commitments,
  );
  return mod(total) === c;
}

/**
 * The voter context that starts every ballot proof: `(H_E, X, group id)`.
 * @param {Uint8Array} electionHash 32 or 64 bytes
 * @param {object} credential the public credential X
 * @param {string} groupId
 * @returns {Array}
 */
export function voterContext(electionHash, credential, groupId) {
  if (electionHash.length !== 32 && electionHash.length !== 64) {
    throw new RangeError("the election hash is 32 or 64 bytes");
  }
  return [electionHash, pointToBytes(credential), groupId];
}

/**
 * 0/1 proof of option `option`: a range proof 0..1 with label stembus/v1/proof01 and context
 * `(H_E, X, g, option)`.
 * @returns {{c: bigint[], v: bigint[]}}
 */
export function proveZeroOne(ct, m, r, jointKey, voter, option, { rng = randomScalar } = {}) {
  return proveRange(ct, m, r, jointKey, 0, 1, { label: LABEL_ZERO_ONE, context: [...voter, option], rng });
}

/**
 * Verify a 0/1 proof of option `option`.
 * @returns {boolean}
 */
export function verifyZeroOne(ct, proof, jointKey, voter, option) {
  return verifyRange(ct, proof, jointKey, 0, 1, { label: LABEL_ZERO_ONE, context: [...voter, option] });
}

/**
 * Exact-sum proof (list system): the aggregate encrypts `expected`; a Chaum-Pedersen proof with
 * label stembus/v1/sum, context `(H_E, X, g, n, expected)`, bases `B` and `Y`.
 * @returns {{c: bigint, v: bigint}}
 */
export function proveExactSum(total, rTotal, jointKey, voter, nOptions, expected = 1, { rng = randomScalar } = {}) {
  return proveEqualDlog(rTotal, BASE, total.alpha, jointKey, total.beta.subtract(encodeCount(expected)), {
    label: LABEL_EXACT_SUM,
    context: [...voter, nOptions, expected],
    rng,
    fixed: true,
  });
}

/**
 * Verify an exact-sum proof.
 * @returns {boolean}
 */
export function verifyExactSum(total, proof, jointKey, voter, nOptions, expected = 1) {
  return verifyEqualDlog(BASE, total.alpha, jointKey, total.beta.subtract(encodeCount(expected)), proof, {
    label: LABEL_EXACT_SUM,
    context: [...voter, nOptions, expected],
  });
}

/**
 * Sum range proof (person system): the weighted aggregate encrypts a value in `lo..hi`; label
 * stembus/v1/sum-range, context `(H_E, X, g, n)`.
 * @returns {{c: bigint[], v: bigint[]}}
 */
export function proveSumRange(total, m, rTotal, jointKey, voter, nOptions, lo, hi, { rng = randomScalar } = {}) {
  return proveRange(total, m, rTotal, jointKey, lo, hi, {
    label: LABEL_SUM_RANGE,
    context: [...voter, nOptions],
    rng,
  });
}

/**
 * Verify a sum range proof.
 * @returns {boolean}
 */
export function verifySumRange(total, proof, jointKey, voter, nOptions, lo, hi) {
  return verifyRange(total, proof, jointKey, lo, hi, { label: LABEL_SUM_RANGE, context: [...voter, nOptions] });
}

// --- voting codes and credentials -------------------------------------------------------------

const CODE_VALUE = new Map([...CODE_ALPHABET].map((ch, i) => [ch, i]));
const CODE_IGNORED = new Set([" ", "-", "\t", "\n", "\r"]);

/**
 * The check symbol of a 23-symbol payload: `v_23 = −Σ (i+2)·v_i mod 31`.
 * @param {string} payload
 * @returns {string}
 */
export function checkCharacter(payload) {
  let total = 0;
  [...payload].forEach((ch, i) => {
    const v = CODE_VALUE.get(ch);
    if (v === undefined) {
      throw new CodeError(`character ${i + 1} (${ch}) does not occur in voting codes`, "character", { position: i + 1 });
    }
    total += (i + 2) * v;
  });
  return CODE_ALPHABET[(31 - (total % 31)) % 31];
}

/**
 * Group a normalised 24-symbol code for printing: XXXX-XXXX-XXXX-XXXX-XXXX-XXXX.
 * @param {string} code
 * @returns {string}
 */
export function formatCode(code) {
  const groups = [];
  for (let i = 0; i < code.length; i += 4) {
    groups.push(code.slice(i, i + 4));
  }
  return groups.join("-");
}

/**
 * Read a typed voting code: drop spaces, tabs, CR, LF and dashes, upper-case ASCII letters, then
 * require 24 symbols of the alphabet with a matching check symbol. Returns the normalised code;
 * throws CodeError (reason "character", "length" or "check").
 * @param {string} typed
 * @returns {string}
 */
export function normaliseCode(typed) {
  const chars = [];
  for (const ch of String(typed)) {
    if (!CODE_IGNORED.has(ch)) {
      chars.push(ch.length === 1 && ch.charCodeAt(0) < 0x80 ? ch.toUpperCase() : ch);
    }
  }
  chars.forEach((ch, i) => {
    if (!CODE_VALUE.has(ch)) {
      throw new CodeError(`character ${i + 1} (${ch}) does not occur in voting codes`, "character", {
        position: i + 1,
        character: ch,
      });
    }
  });
  if (chars.length !== CODE_LENGTH) {
    throw new CodeError(`a voting code has ${CODE_LENGTH} characters, this one has ${chars.length}`, "length", {
      length: chars.length,
    });
  }
  const code = chars.join("");
  if (checkCharacter(code.slice(0, CODE_PAYLOAD_LENGTH)) !== code[CODE_LENGTH - 1]) {
    throw new CodeError("the check character does not match: the code contains a typing error", "check");
  }
  return code;
}

/**
 * A fresh voting code from crypto.getRandomValues (uniform symbols by rejection sampling), grouped.
 * @returns {string}
 */
export function generateCode() {
  let payload = "";
  while (payload.length < CODE_PAYLOAD_LENGTH) {
    for (const b of getRandomBytes(32)) {
      if (b < 248 && payload.length < CODE_PAYLOAD_LENGTH) {
        payload += CODE_ALPHABET[b % 31];
      }
    }
  }
  return formatCode(payload + checkCharacter(payload));
}

/**
 * The canonical (lower-case, hyphenated) form of an election UUID.
 * @param {string} text
 * @returns {string}
 */
export function canonicalUuid(text) {
  let hex = String(text).replace(/urn:/g, "").replace(/uuid:/g, "");
  hex = hex.replace(/^[{}]+|[{}]+$/g, "").replace(/-/g, "").toLowerCase();
  if (!/^[0-9a-f]{32}$/.test(hex)) {
    throw new RangeError(`not a UUID: ${text}`);
  }
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}

/**
 * Derive the credential key pair from a voting code:
 * `x = H2S("stembus/v1/cred", H_P, uuid, normalised code)`, `X = x·B`.
 * @param {string} code as typed (it is normalised here)
 * @param {string} electionUuid
 * @param {Uint8Array|string} paramsHash H_P, 32 or 64 bytes (or their hex)
 * @returns {{secret: bigint, public: object, publicHex: string}}
 */
export function deriveCredential(code, electionUuid, paramsHash) {
  const hp = asBytes(paramsHash, "parameters hash");
  if (hp.length !== 32 && hp.length !== 64) {
    throw new RangeError("the parameters hash is 32 or 64 bytes");
  }
  const x = hashToScalar(LABEL_CREDENTIAL, hp, canonicalUuid(electionUuid), normaliseCode(code));
  if (x === 0n) {
    throw new RangeError("voting code derives the zero scalar");
  }
  const pub = baseMul(x);
  return { secret: x, public: pub, publicHex: pointToHex(pub) };
}

/**
 * The credential signature over `parts`: a Schnorr proof for `X = x·B` with label
 * stembus/v1/ballot-sig and context `(H_E, parts…)`.
 * @param {bigint} secret x
 * @param {Uint8Array} electionHash
 * @param {Array} parts transcript parts
 * @param {{rng?: () => bigint, label?: string}} [options]
 * @returns {{c: bigint, v: bigint}}
 */
export function sign(secret, electionHash, parts, { rng = randomScalar, label = LABEL_BALLOT_SIGNATURE } = {}) {
  return proveSchnorr(secret, baseMul(secret), { label, context: [electionHash, ...parts], rng });
}

/**
 * Verify a credential signature made by `sign`.
 * @param {object} publicPoint X
 * @param {{c: bigint, v: bigint}} signature
 * @param {Uint8Array} electionHash
 * @param {Array} parts
 * @param {{label?: string}} [options]
 * @returns {boolean}
 */
export function verifySignature(publicPoint, signature, electionHash, parts, { label = LABEL_BALLOT_SIGNATURE } = {}) {
  return verifySchnorr(publicPoint, signature, { label, context: [electionHash, ...parts] });
}

// --- canonical JSON ---------------------------------------------------------------------------

function compareCodePoints(a, b) {
  const ia = a[Symbol.iterator]();
  const ib = b[Symbol.iterator]();
  for (;;) {
    const x = ia.next();
    const y = ib.next();
    if (x.done || y.done) {
      return x.done === y.done ? 0 : x.done ? -1 : 1;
    }
    const cx = x.value.codePointAt(0);
    const cy = y.value.codePointAt(0);
    if (cx !== cy) {
      return cx < cy ? -1 : 1;
    }
  }
}

/**
 * Canonical JSON: object keys sorted by code point at every level, no whitespace, non-ASCII
 * characters as themselves, integers in decimal; floats, NaN and non-JSON values are refused.
 * Equal to Python's `json.dumps(x, sort_keys=True, separators=(",", ":"), ensure_ascii=False)`.
 * @param {*} value
 * @returns {string}
 */
export function canonicalJson(value) {
  if (value === null || typeof value === "boolean") {
    return JSON.stringify(value);
  }
  if (typeof value === "number") {
    if (!Number.isSafeInteger(value)) {
      throw new TypeError("only integers have a canonical JSON encoding");
    }
    return String(value);
  }
  if (typeof value === "bigint") {
    return value.toString(10);
  }
  if (typeof value === "string") {
    return JSON.stringify(value);
  }
  if (Array.isArray(value)) {
    return `[${value.map(canonicalJson).join(",")}]`;
  }
  if (typeof value === "object") {
    const keys = Object.keys(value).sort(compareCodePoints);
    return `{${keys.map((k) => `${JSON.stringify(k)}:${canonicalJson(value[k])}`).join(",")}}`;
  }
  throw new TypeError(`no JSON encoding for ${typeof value}`);
}

// --- ballots ----------------------------------------------------------------------------------

function weights(nOptions, system, k) {
  const w = new Array(nOptions).fill(1);
  if (system === PERSON_SYSTEM) {
    w[nOptions - 1] = k;
  }
  return w;
}

function checkShape(nOptions, system, k) {
  if (system !== LIST_SYSTEM && system !== PERSON_SYSTEM) {
    throw new BallotError(`unknown electoral system ${JSON.stringify(system)}`);
  }
  if (!Number.isSafeInteger(nOptions) || nOptions < 2) {
    throw new BallotError("a ballot needs at least one candidate and the blank option");
  }
  if (!Number.isSafeInteger(k)) {
    throw new BallotError("k must be an integer");
  }
  if (system === LIST_SYSTEM && k !== 1) {
    throw new BallotError(`the list system takes k = 1, got ${k}`);
  }
  if (system === PERSON_SYSTEM && !(k >= 1 && k <= nOptions - 1)) {
    throw new BallotError(`k must lie in 1..${nOptions - 1}, got ${k}`);
  }
}

function signedParts(groupId, system, k, selections, sumProof) {
  const parts = [groupId, system, k, selections.length];
  for (const s of selections) {
    parts.push(
      pointToBytes(s.ciphertext.alpha),
      pointToBytes(s.ciphertext.beta),
      ...s.proof.c.map(scalarToBytes),
      ...s.proof.v.map(scalarToBytes),
    );
  }
  if (Array.isArray(sumProof.c)) {
    parts.push(...sumProof.c.map(scalarToBytes), ...sumProof.v.map(scalarToBytes));
  } else {
    parts.push(scalarToBytes(sumProof.c), scalarToBytes(sumProof.v));
  }
  return parts;
}

function proofToDict(proof) {
  if (Array.isArray(proof.c)) {
    return { c: proof.c.map(scalarToHex), v: proof.v.map(scalarToHex) };
  }
  return { c: scalarToHex(proof.c), v: scalarToHex(proof.v) };
}

/**
 * Encrypt, prove and sign a vote, exactly as crypto/ballot.py's encrypt_ballot.
 *
 * Scalars are drawn from `rng` in the order of docs/protocol.md section 17: per option `r_i` and
 * its 0/1 proof's draws, then the sum proof, then the signature nonce.
 *
 * @param {object} args
 * @param {number[]} args.choices one 0 or 1 per option, candidates first, blank last
 * @param {object|Uint8Array|string} args.jointKey the committee's key Y
 * @param {Uint8Array|string} args.electionHash H_E
 * @param {string} args.group the electoral group id
 * @param {bigint|Uint8Array|string} args.credentialSecret x from deriveCredential
 * @param {string} args.system "list" or "person"
 * @param {number} [args.k] picks allowed (person system); 1 for the list system
 * @param {() => bigint} [args.rng] scalar source; crypto.getRandomValues by default
 * @returns {{ballot: object, secrets: {choices: number[], randomness: bigint[]}}} the ballot's JSON
 *   form (the object of crypto/ballot.py's to_dict, same key order) and what a challenge reveals
 */
export function encryptBallot({ choices, jointKey, electionHash, group, credentialSecret, system, k = 1, rng = randomScalar }) {
  const n = choices.length;
  checkShape(n, system, k);
  if (!choices.every((m) => m === 0 || m === 1)) {
    throw new BallotError("each option is chosen (1) or not (0)");
  }
  if (typeof group !== "string" || group === "") {
    throw new BallotError("group: expected a non-empty string");
  }
  const y = asPoint(jointKey, "joint key");
  const hE = asBytes(electionHash, "election hash");
  const x = asScalar(credentialSecret, "credential secret");
  if (x === 0n) {
    throw new BallotError("the credential secret is zero");
  }
  const w = weights(n, system, k);
  const weighted = choices.reduce((acc, m, i) => acc + w[i] * m, 0);
  if (system === LIST_SYSTEM && weighted !== 1) {
    throw new BallotError("the list system takes exactly one option (blank included)");
  }
  if (system === PERSON_SYSTEM && !(weighted >= 1 && weighted <= k)) {
    throw new BallotError(`choose 1..${k} candidates, or blank alone`);
  }
  const credential = baseMul(x);
  const voter = voterContext(hE, credential, group);
  const selections = [];
  const rs = [];
  choices.forEach((m, i) => {
    const { ciphertext, r } = encrypt(y, m, undefined, { rng });
    selections.push({ ciphertext, proof: proveZeroOne(ciphertext, m, r, y, voter, i, { rng }) });
    rs.push(r);
  });
  const total = weightedTotal(
    selections.map((s) => s.ciphertext),
    w,
  );
  const rTotal = mod(rs.reduce((acc, r, i) => acc + BigInt(w[i]) * r, 0n));
  const sumProof =
    system === LIST_SYSTEM
      ? proveExactSum(total, rTotal, y, voter, n, 1, { rng })
      : proveSumRange(total, weighted, rTotal, y, voter, n, 1, k, { rng });
  const signature = sign(x, hE, signedParts(group, system, k, selections, sumProof), { rng });
  const ballot = {
    version: BALLOT_VERSION,
    group,
    credential: pointToHex(credential),
    selections: selections.map((s) => ({ ciphertext: ciphertextToDict(s.ciphertext), proof: proofToDict(s.proof) })),
    sum_proof: proofToDict(sumProof),
    signature: proofToDict(signature),
  };
  return { ballot, secrets: { choices: [...choices], randomness: rs } };
}

const PARSED = Symbol("parsed ballot");

function expectKeys(d, keys, path) {
  if (d === null || typeof d !== "object" || Array.isArray(d)) {
    throw new BallotError(`${path}: expected an object`);
  }
  const got = Object.keys(d).sort();
  const want = [...keys].sort();
  if (got.length !== want.length || got.some((key, i) => key !== want[i])) {
    throw new BallotError(`${path}: expected exactly the fields ${JSON.stringify(want)}, got ${JSON.stringify(got)}`);
  }
  return d;
}

function parseScalarField(value, path) {
  try {
    return scalarFromHex(value);
  } catch (err) {
    throw new BallotError(`${path}: ${err.message}`);
  }
}

function parsePointField(value, path) {
  try {
    return pointFromHex(value);
  } catch (err) {
    throw new BallotError(`${path}: ${err.message}`);
  }
}

function parseDisjunctive(d, path) {
  expectKeys(d, ["c", "v"], path);
  if (!Array.isArray(d.c) || !Array.isArray(d.v)) {
    throw new BallotError(`${path}: 'c' and 'v' must be lists`);
  }
  if (d.c.length !== d.v.length || d.c.length === 0) {
    throw new BallotError(`${path}: 'c' and 'v' must have the same length, at least 1`);
  }
  return {
    c: d.c.map((c, i) => parseScalarField(c, `${path}.c[${i}]`)),
    v: d.v.map((v, i) => parseScalarField(v, `${path}.v[${i}]`)),
  };
}

function parsePair(d, path) {
  expectKeys(d, ["c", "v"], path);
  return { c: parseScalarField(d.c, `${path}.c`), v: parseScalarField(d.v, `${path}.v`) };
}

/**
 * Parse and validate a ballot's JSON form (the checks of crypto/ballot.py's ballot_from_dict):
 * exactly the six fields, version 1, a non-empty group, a non-identity credential, at least two
 * selections with non-identity ciphertext parts and two-branch 0/1 proofs, every scalar canonical.
 * Throws BallotError naming the first bad field.
 * @param {object} d
 * @returns {object} the parsed ballot (points and BigInts)
 */
export function parseBallot(d) {
  expectKeys(d, ["version", "group", "credential", "selections", "sum_proof", "signature"], "ballot");
  if (d.version !== BALLOT_VERSION) {
    throw new BallotError(`version: unsupported ballot version ${JSON.stringify(d.version)}`);
  }
  if (typeof d.group !== "string" || d.group === "") {
    throw new BallotError("group: expected a non-empty string");
  }
  const credential = parsePointField(d.credential, "credential");
  if (!Array.isArray(d.selections)) {
    throw new BallotError("selections: expected a list");
  }
  if (d.selections.length < 2) {
    throw new BallotError("selections: at least one candidate and the blank option");
  }
  const selections = d.selections.map((s, i) => {
    const path = `selections[${i}]`;
    if (s === null || typeof s !== "object" || Array.isArray(s)) {
      throw new BallotError(`${path}: expected exactly 'ciphertext' and 'proof'`);
    }
    const keys = Object.keys(s).sort();
    if (keys.length !== 2 || keys[0] !== "ciphertext" || keys[1] !== "proof") {
      throw new BallotError(`${path}: expected exactly 'ciphertext' and 'proof'`);
    }
    const ct = expectKeys(s.ciphertext, ["alpha", "beta"], `${path}.ciphertext`);
    const ciphertext = {
      alpha: parsePointField(ct.alpha, `${path}.ciphertext.alpha`),
      beta: parsePointField(ct.beta, `${path}.ciphertext.beta`),
    };
    const proof = parseDisjunctive(s.proof, `${path}.proof`);
    if (proof.c.length !== 2) {
      throw new BallotError(`${path}.proof: a 0/1 proof has exactly two branches`);
    }
    return { ciphertext, proof };
  });
  const sp = d.sum_proof;
  const sumProof =
    sp !== null && typeof sp === "object" && Array.isArray(sp.c)
      ? parseDisjunctive(sp, "sum_proof")
      : parsePair(sp, "sum_proof");
  const signature = parsePair(d.signature, "signature");
  return { [PARSED]: true, group: d.group, credential, selections, sumProof, signature };
}

/**
 * Check every proof and the signature of a ballot (steps 1 to 5 of docs/protocol.md section 11).
 * Returns the failures, each naming its field, with the messages of crypto/ballot.py's
 * verify_ballot; an empty list means the ballot is valid. Malformed input throws BallotError.
 *
 * @param {object} ballot the JSON form (or the result of parseBallot)
 * @param {object} expected
 * @param {Uint8Array|string} expected.electionHash H_E
 * @param {string} expected.group
 * @param {number} expected.nOptions
 * @param {number} expected.k
 * @param {string} expected.system
 * @param {object|Uint8Array|string} expected.jointKey
 * @returns {string[]}
 */
export function verifyBallot(ballot, { electionHash, group, nOptions, k, system, jointKey }) {
  checkShape(nOptions, system, k);
  const parsed = ballot !== null && typeof ballot === "object" && ballot[PARSED] === true ? ballot : parseBallot(ballot);
  const y = asPoint(jointKey, "joint key");
  const hE = asBytes(electionHash, "election hash");
  if (parsed.group !== group) {
    return [`group: ballot is for ${JSON.stringify(parsed.group)}, expected ${JSON.stringify(group)}`];
  }
  if (parsed.selections.length !== nOptions) {
    return [`selections: ${parsed.selections.length} options, expected ${nOptions}`];
  }
  const failures = [];
  const voter = voterContext(hE, parsed.credential, group);
  parsed.selections.forEach((s, i) => {
    if (!verifyZeroOne(s.ciphertext, s.proof, y, voter, i)) {
      failures.push(`selections[${i}].proof: not a proof that the option holds 0 or 1`);
    }
  });
  const total = weightedTotal(
    parsed.selections.map((s) => s.ciphertext),
    weights(nOptions, system, k),
  );
  const proof = parsed.sumProof;
  if (system === LIST_SYSTEM) {
    if (Array.isArray(proof.c)) {
      failures.push("sum_proof: the list system needs an exact-sum proof {c, v}");
    } else if (!verifyExactSum(total, proof, y, voter, nOptions)) {
      failures.push("sum_proof: not a proof that exactly one option is chosen");
    }
  } else if (!Array.isArray(proof.c) || proof.c.length !== k) {
    failures.push(`sum_proof: the person system needs a range proof with ${k} branches`);
  } else if (!verifySumRange(total, proof, y, voter, nOptions, 1, k)) {
    failures.push(`sum_proof: not a proof that 1..${k} candidates or blank are chosen`);
  }
  const parts = signedParts(group, system, k, parsed.selections, proof);
  if (!verifySignature(parsed.credential, parsed.signature, hE, parts)) {
    failures.push("signature: not a signature by the ballot's credential");
  }
  return failures;
}

/**
 * The canonical bytes of a ballot's JSON form (input of its tracking code).
 * @param {object} ballot
 * @returns {Uint8Array}
 */
export function ballotToBytes(ballot) {
  return utf8(canonicalJson(ballot));
}

/**
 * The ballot hash `SHA-256(lp("stembus/v1/ballot") ‖ canonical bytes)`: its board payload hash.
 * @param {object|Uint8Array} ballot the JSON form or its canonical bytes
 * @returns {Uint8Array}
 */
export function ballotHash(ballot) {
  const raw = isBytes(ballot) ? ballot : ballotToBytes(ballot);
  return sha256(concatBytes(lengthPrefixed(utf8("stembus/v1/ballot")), raw));
}

/**
 * Crockford base32 of bytes, most significant bit first, the last symbol padded with zero bits.
 * @param {Uint8Array} bytes
 * @returns {string}
 */
export function base32(bytes) {
  let out = "";
  let acc = 0;
  let bits = 0;
  for (const b of bytes) {
    acc = (acc << 8) | b;
    bits += 8;
    while (bits >= 5) {
      bits -= 5;
      out += CROCKFORD[(acc >> bits) & 31];
    }
    acc &= (1 << bits) - 1;
  }
  if (bits > 0) {
    out += CROCKFORD[(acc << (5 - bits)) & 31];
  }
  return out;
}

function groupFour(text) {
  const groups = [];
  for (let i = 0; i < text.length; i += 4) {
    groups.push(text.slice(i, i + 4));
  }
  return groups.join("-");
}

/**
 * The tracking code a voter reads aloud: the first 20 base32 symbols of the ballot hash, in groups
 * of four (crypto/board.py's tracking_code).
 * @param {object|Uint8Array} ballot the JSON form or its canonical bytes
 * @returns {string}
 */
export function trackingCode(ballot) {
  return groupFour(base32(ballotHash(ballot)).slice(0, TRACKING_CODE_LENGTH));
}

/**
 * The whole 256-bit ballot hash in grouped base32 (52 symbols), printed on the receipt.
 * @param {object|Uint8Array} ballot
 * @returns {string}
 */
export function fullTrackingCode(ballot) {
  return groupFour(base32(ballotHash(ballot)));
}

/**
 * Read a tracking code typed or spoken by a person: case, spaces and dashes are ignored and
 * O, I, L are read as 0, 1, 1. Returns it grouped; throws RangeError for other symbols.
 * @param {string} text
 * @returns {string}
 */
export function normaliseTrackingCode(text) {
  const cleaned = String(text)
    .toUpperCase()
    .replace(/[- ]/g, "")
    .replace(/O/g, "0")
    .replace(/[IL]/g, "1");
  const bad = [...new Set([...cleaned].filter((ch) => !CROCKFORD.includes(ch)))].sort();
  if (bad.length) {
    throw new RangeError(`tracking code has characters outside base32: ${bad.join("")}`);
  }
  return groupFour(cleaned);
}

// --- Benaloh challenge ------------------------------------------------------------------------

/**
 * The Benaloh-challenge disclosure of a ballot's secrets:
 * `{"choices": [0|1, …], "randomness": [hex, …]}`.
 * @param {{choices: number[], randomness: bigint[]}} secrets as returned by encryptBallot
 * @returns {{choices: number[], randomness: string[]}}
 */
export function reveal(secrets) {
  return { choices: [...secrets.choices], randomness: secrets.randomness.map(scalarToHex) };
}

/**
 * Check a disclosure against a ballot: recompute `(r_i·B, m_i·B + r_i·Y)` for every option and
 * compare it byte for byte with the ballot's ciphertexts. Returns the choices; throws BallotError
 * naming the first option that does not match.
 * @param {object} ballot the JSON form
 * @param {{choices: number[], randomness: string[]}} revealed
 * @param {object|Uint8Array|string} jointKey
 * @returns {number[]}
 */
export function checkRevealed(ballot, revealed, jointKey) {
  const y = asPoint(jointKey, "joint key");
  const parsed = parseBallot(ballot);
  if (revealed === null || typeof revealed !== "object" || Array.isArray(revealed)) {
    throw new BallotError("a disclosure has exactly 'choices' and 'randomness'");
  }
  const keys = Object.keys(revealed).sort();
  if (keys.length !== 2 || keys[0] !== "choices" || keys[1] !== "randomness") {
    throw new BallotError("a disclosure has exactly 'choices' and 'randomness'");
  }
  const { choices, randomness } = revealed;
  if (!Array.isArray(choices) || !Array.isArray(randomness)) {
    throw new BallotError("'choices' and 'randomness' are lists");
  }
  let rs;
  try {
    rs = randomness.map((r) => scalarFromHex(r));
  } catch (err) {
    throw new BallotError(`randomness: ${err.message}`);
  }
  if (choices.length !== parsed.selections.length || rs.length !== parsed.selections.length) {
    throw new BallotError("the disclosure does not cover every option");
  }
  parsed.selections.forEach((s, i) => {
    const m = choices[i];
    if (m !== 0 && m !== 1) {
      throw new BallotError(`choices[${i}]: must be 0 or 1`);
    }
    if (rs[i] === 0n) {
      throw new BallotError(`randomness[${i}]: zero randomness`);
    }
    const { ciphertext } = encrypt(y, m, rs[i]);
    if (
      !bytesEqual(pointToBytes(ciphertext.alpha), pointToBytes(s.ciphertext.alpha)) ||
      !bytesEqual(pointToBytes(ciphertext.beta), pointToBytes(s.ciphertext.beta))
    ) {
      throw new BallotError(`selections[${i}]: the revealed choice and randomness do not match`);
    }
  });
  return [...choices];
}
