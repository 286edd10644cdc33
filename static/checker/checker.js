// Stembus challenge checker: an independent check of a challenged ("tested") ballot.
//
// A voter who presses "test this ballot" in the booth gets the ballot and the randomness used to
// encrypt it. This page recomputes every ciphertext from the revealed choices and randomness
// (docs/protocol.md, section 12) and compares it byte for byte with the ballot, then shows which
// options the ballot encrypts and the ballot's tracking code (to find it on the board as
// "challenged"). It deliberately shares no code with the booth module (static/js/): it imports the
// vendored @noble libraries directly and reimplements the little it needs, so a fault or tampering
// in the booth's code cannot hide itself here.
//
// Input: a challenge document (JSON), pasted, loaded from a file, or passed in the URL fragment as
// `#c=<base64url of the UTF-8 JSON>` (the fragment never reaches a server):
//
//   {"format": "stembus-challenge", "version": 1,
//    "joint_key": "<64 hex>",                         the committee's public key Y
//    "options": [{"id": "...", "name": "..."}, ...],   optional; candidates in ballot order, blank last
//    "ballot": {...},                                  the ballot's JSON form
//    "reveal": {"choices": [0|1, ...], "randomness": ["<64 hex>", ...]}}
//
// The board's "challenged" payload ({"ballot", "reveal"}) is accepted too, with the joint key
// typed into the page.

import { ristretto255 } from "../vendor/noble/curves/ed25519.js";
import { sha256 } from "../vendor/noble/hashes/sha2.js";

const Point = ristretto255.Point;
const ORDER = 2n ** 252n + 27742317777372353535851937790883648493n;
const BASE32 = "0123456789ABCDEFGHJKMNPQRSTVWXYZ";
const encoder = new TextEncoder();

/** A challenge document cannot be checked; `key` names the translated message, `args` fill it. */
export class ChallengeError extends Error {
  constructor(key, args = {}) {
    super(`${key} ${JSON.stringify(args)}`);
    this.name = "ChallengeError";
    this.key = key;
    this.args = args;
  }
}

function hexBytes(text, field) {
  if (typeof text !== "string" || !/^[0-9a-f]{64}$/.test(text)) {
    throw new ChallengeError("bad_hex", { field });
  }
  const out = new Uint8Array(32);
  for (let i = 0; i < 32; i += 1) {
    out[i] = parseInt(text.slice(2 * i, 2 * i + 2), 16);
  }
  return out;
}

function readElement(text, field) {
  const bytes = hexBytes(text, field);
  if (bytes[31] & 0x80 || bytes.every((b) => b === 0)) {
    throw new ChallengeError("bad_element", { field });
  }
  try {
    return { point: Point.fromBytes(bytes), bytes };
  } catch {
    throw new ChallengeError("bad_element", { field });
  }
}

function readScalar(text, field) {
  const bytes = hexBytes(text, field);
  let n = 0n;
  for (let i = 31; i >= 0; i -= 1) {
    n = (n << 8n) | BigInt(bytes[i]);
  }
  if (n === 0n || n >= ORDER) {
    throw new ChallengeError("bad_scalar", { field });
  }
  return n;
}

function sameBytes(a, b) {
  return a.length === b.length && a.every((x, i) => x === b[i]);
}

function codePointOrder(a, b) {
  const x = Array.from(a, (ch) => ch.codePointAt(0));
  const y = Array.from(b, (ch) => ch.codePointAt(0));
  for (let i = 0; i < Math.min(x.length, y.length); i += 1) {
    if (x[i] !== y[i]) {
      return x[i] - y[i];
    }
  }
  return x.length - y.length;
}

/**
 * Canonical JSON (sorted keys by code point, no whitespace, integers only), as the record uses it.
 * @param {*} value
 * @returns {string}
 */
export function canonicalJson(value) {
  if (Array.isArray(value)) {
    return `[${value.map(canonicalJson).join(",")}]`;
  }
  if (value !== null && typeof value === "object") {
    return `{${Object.keys(value)
      .sort(codePointOrder)
      .map((k) => `${JSON.stringify(k)}:${canonicalJson(value[k])}`)
      .join(",")}}`;
  }
  if (typeof value === "number" && !Number.isSafeInteger(value)) {
    throw new ChallengeError("bad_json");
  }
  return JSON.stringify(value);
}

/**
 * The short tracking code of a ballot: SHA-256 over the length-prefixed label "stembus/v1/ballot"
 * and the ballot's canonical JSON, in Crockford base32, first 20 symbols in groups of four.
 * @param {object} ballot
 * @returns {string}
 */
export function trackingCode(ballot) {
  const label = encoder.encode("stembus/v1/ballot");
  const body = encoder.encode(canonicalJson(ballot));
  const input = new Uint8Array(4 + label.length + body.length);
  new DataView(input.buffer).setUint32(0, label.length, false);
  input.set(label, 4);
  input.set(body, 4 + label.length);
  const hash = sha256(input);
  let bits = "";
  for (const b of hash) {
    bits += b.toString(2).padStart(8, "0");
  }
  let symbols = "";
  for (let i = 0; i < 100; i += 5) {
    symbols += BASE32[parseInt(bits.slice(i, i + 5), 2)];
  }
  return symbols.match(/.{4}/g).join("-");
}

function optionLabels(options, count) {
  const labels = [];
  for (let i = 0; i < count; i += 1) {
    const o = Array.isArray(options) ? options[i] : undefined;
    if (typeof o === "string") {
      labels.push({ id: o, name: o });
    } else if (o && typeof o === "object" && (typeof o.name === "string" || typeof o.id === "string")) {
      labels.push({ id: String(o.id ?? ""), name: String(o.name ?? o.id) });
    } else {
      labels.push({ id: i === count - 1 ? "blank" : String(i + 1), name: null });
    }
  }
  return labels;
}

/**
 * Check a challenge: recompute `(r_i·B, m_i·B + r_i·Y)` for every option from the revealed choice
 * and randomness and compare it with the ballot's ciphertext.
 *
 * @param {object} doc the challenge document (see the top of this file)
 * @param {string} [jointKeyHex] Y, when the document does not carry it
 * @returns {{trackingCode: string, group: string, options: Array<{index: number, id: string,
 *   name: (string|null), blank: boolean, chosen: boolean}>, chosen: number[]}}
 * @throws {ChallengeError} naming what does not match or cannot be read
 */
export function checkChallenge(doc, jointKeyHex = undefined) {
  if (doc === null || typeof doc !== "object" || Array.isArray(doc)) {
    throw new ChallengeError("bad_json");
  }
  const ballot = doc.ballot;
  const revealed = doc.reveal;
  if (!ballot || typeof ballot !== "object" || !Array.isArray(ballot.selections)) {
    throw new ChallengeError("no_ballot");
  }
  if (!revealed || !Array.isArray(revealed.choices) || !Array.isArray(revealed.randomness)) {
    throw new ChallengeError("no_reveal");
  }
  const keyText = typeof doc.joint_key === "string" ? doc.joint_key : jointKeyHex;
  if (keyText === undefined || keyText === "") {
    throw new ChallengeError("no_key");
  }
  const y = readElement(keyText.trim(), "joint_key").point;
  const n = ballot.selections.length;
  if (n < 2 || revealed.choices.length !== n || revealed.randomness.length !== n) {
    throw new ChallengeError("count_mismatch", { options: n });
  }
  const labels = optionLabels(doc.options, n);
  const options = [];
  for (let i = 0; i < n; i += 1) {
    const m = revealed.choices[i];
    if (m !== 0 && m !== 1) {
      throw new ChallengeError("bad_choice", { option: i + 1 });
    }
    const ct = ballot.selections[i] && ballot.selections[i].ciphertext;
    if (!ct || typeof ct !== "object") {
      throw new ChallengeError("no_ballot");
    }
    const alpha = readElement(ct.alpha, `selections[${i}].ciphertext.alpha`);
    const beta = readElement(ct.beta, `selections[${i}].ciphertext.beta`);
    const r = readScalar(revealed.randomness[i], `randomness[${i}]`);
    const expectedAlpha = Point.BASE.multiply(r);
    let expectedBeta = y.multiply(r);
    if (m === 1) {
      expectedBeta = expectedBeta.add(Point.BASE);
    }
    if (!sameBytes(expectedAlpha.toBytes(), alpha.bytes) || !sameBytes(expectedBeta.toBytes(), beta.bytes)) {
      throw new ChallengeError("mismatch", { option: i + 1 });
    }
    options.push({ index: i, id: labels[i].id, name: labels[i].name, blank: i === n - 1, chosen: m === 1 });
  }
  return {
    trackingCode: trackingCode(ballot),
    group: typeof ballot.group === "string" ? ballot.group : "",
    options,
    chosen: options.filter((o) => o.chosen).map((o) => o.index),
  };
}

/**
 * Decode the `#c=` fragment: base64url (no padding needed) of the UTF-8 JSON document.
 * @param {string} hash `location.hash`
 * @returns {object|null}
 */
export function documentFromFragment(hash) {
  const match = /^#c=([A-Za-z0-9_-]+={0,2})$/.exec(hash || "");
  if (!match) {
    return null;
  }
  const b64 = match[1].replace(/=+$/, "").replace(/-/g, "+").replace(/_/g, "/");
  try {
    const binary = atob(b64 + "=".repeat((4 - (b64.length % 4)) % 4));
    const bytes = Uint8Array.from(binary, (ch) => ch.charCodeAt(0));
    return JSON.parse(new TextDecoder("utf-8", { fatal: true }).decode(bytes));
  } catch {
    throw new ChallengeError("bad_json");
  }
}

// --- the page ---------------------------------------------------------------------------------

const TEXT = {
  nl: {
    title: "Controle van een geteste stem",
    intro:
      "Plak hier wat het stemhokje liet zien na ‘test deze stem’. Deze pagina rekent zelf na welke keuze in de versleutelde stem zit.",
    document_label: "Gegevens van de geteste stem (JSON)",
    file_label: "Of kies een bestand",
    key_label: "Publieke sleutel van het stembureau (alleen nodig als die niet in de gegevens staat)",
    check: "Controleer",
    ok: "Klopt: deze stem bevat precies de keuze hieronder.",
    tracking: "Volgcode van de geteste stem",
    tracking_hint: "Deze stem staat op het stembord als ‘getest’ en telt niet mee.",
    chosen: "gekozen",
    not_chosen: "niet gekozen",
    blank: "Blanco",
    option: "Keuze",
    option_n: "Keuze {n}",
    result: "Uitkomst",
    bad_json: "Dit zijn geen leesbare gegevens van een geteste stem.",
    no_ballot: "De gegevens bevatten geen versleutelde stem.",
    no_reveal: "De gegevens bevatten niet de keuzes en de toevalsgetallen.",
    no_key: "De publieke sleutel van het stembureau ontbreekt.",
    bad_hex: "Het veld {field} is geen geldige waarde.",
    bad_element: "Het veld {field} is geen geldig groepselement.",
    bad_scalar: "Het veld {field} is geen geldig toevalsgetal.",
    count_mismatch: "Het aantal keuzes past niet bij de stem ({options} opties).",
    bad_choice: "Keuze {option} is niet 0 of 1.",
    mismatch:
      "FOUT: optie {option} van de versleutelde stem past niet bij de onthulde keuze. Breng dit bestand naar het verkiezingsbureau: het stemhokje heeft mogelijk iets anders versleuteld dan u koos.",
  },
  en: {
    title: "Check a tested ballot",
    intro:
      "Paste what the voting booth showed after “test this ballot”. This page recomputes by itself which choice the encrypted ballot holds.",
    document_label: "Data of the tested ballot (JSON)",
    file_label: "Or choose a file",
    key_label: "Public key of the election committee (only needed when it is not in the data)",
    check: "Check",
    ok: "Correct: this ballot holds exactly the choice below.",
    tracking: "Tracking code of the tested ballot",
    tracking_hint: "This ballot is on the board as “challenged” and is not counted.",
    chosen: "chosen",
    not_chosen: "not chosen",
    blank: "Blank",
    option: "Option",
    option_n: "Option {n}",
    result: "Result",
    bad_json: "This is not readable data of a tested ballot.",
    no_ballot: "The data hold no encrypted ballot.",
    no_reveal: "The data do not hold the choices and the random numbers.",
    no_key: "The public key of the election committee is missing.",
    bad_hex: "The field {field} is not a valid value.",
    bad_element: "The field {field} is not a valid group element.",
    bad_scalar: "The field {field} is not a valid random number.",
    count_mismatch: "The number of choices does not fit the ballot ({options} options).",
    bad_choice: "Choice {option} is not 0 or 1.",
    mismatch:
      "ERROR: option {option} of the encrypted ballot does not match the revealed choice. Take this file to the election committee: the booth may have encrypted something other than your choice.",
  },
};

function language() {
  const asked = new URLSearchParams(globalThis.location.search).get("lang");
  if (asked === "nl" || asked === "en") {
    return asked;
  }
  const preferred = (globalThis.navigator && globalThis.navigator.language) || "nl";
  return preferred.toLowerCase().startsWith("en") ? "en" : "nl";
}

function format(template, args) {
  return template.replace(/\{(\w+)\}/g, (_, name) => (name in args ? String(args[name]) : `{${name}}`));
}

function startPage() {
  const lang = language();
  const t = TEXT[lang];
  document.documentElement.lang = lang;
  document.title = `${t.title} · Stembus`;
  for (const el of document.querySelectorAll("[data-text]")) {
    el.textContent = t[el.dataset.text];
  }
  const form = document.getElementById("challenge-form");
  const textarea = document.getElementById("challenge-document");
  const fileInput = document.getElementById("challenge-file");
  const keyInput = document.getElementById("joint-key");
  const status = document.getElementById("status");
  const result = document.getElementById("result");
  const trackingOut = document.getElementById("tracking-code");
  const tableBody = document.getElementById("options-body");

  function showError(err) {
    result.hidden = true;
    status.className = "message message-error";
    status.textContent = err instanceof ChallengeError ? format(t[err.key], err.args) : t.bad_json;
    status.hidden = false;
    status.focus();
  }

  function run(doc) {
    let outcome;
    try {
      outcome = checkChallenge(doc, keyInput.value.trim());
    } catch (err) {
      showError(err);
      return;
    }
    status.className = "message message-success";
    status.textContent = t.ok;
    status.hidden = false;
    trackingOut.textContent = outcome.trackingCode;
    tableBody.replaceChildren(
      ...outcome.options.map((o) => {
        const row = document.createElement("tr");
        if (o.chosen) {
          row.className = "chosen";
        }
        const name = document.createElement("td");
        name.textContent = o.name ?? (o.blank ? t.blank : format(t.option_n, { n: o.index + 1 }));
        const mark = document.createElement("td");
        mark.textContent = o.chosen ? `✔ ${t.chosen}` : t.not_chosen;
        row.append(name, mark);
        return row;
      }),
    );
    result.hidden = false;
    status.focus();
  }

  function runText(text) {
    let doc;
    try {
      doc = JSON.parse(text);
    } catch {
      showError(new ChallengeError("bad_json"));
      return;
    }
    run(doc);
  }

  form.addEventListener("submit", (event) => {
    event.preventDefault();
    runText(textarea.value);
  });
  fileInput.addEventListener("change", async () => {
    const file = fileInput.files && fileInput.files[0];
    if (file) {
      textarea.value = await file.text();
      runText(textarea.value);
    }
  });
  let fromFragment = null;
  try {
    fromFragment = documentFromFragment(globalThis.location.hash);
  } catch (err) {
    showError(err);
  }
  if (fromFragment) {
    // The choice is the voter's own business: drop it from the address bar and the history.
    globalThis.history.replaceState(null, "", globalThis.location.pathname + globalThis.location.search);
    textarea.value = JSON.stringify(fromFragment, null, 2);
    run(fromFragment);
  }
}

if (typeof document !== "undefined") {
  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", startPage);
  } else {
    startPage();
  }
}
