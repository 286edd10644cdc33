// Time to encrypt, prove and sign a ballot with the booth module (static/js/stembus-crypto.js) in
// Node, as a stand-in for the browser: 20 candidates + blank (21 options) and 40 + blank (41),
// list system and person system. Prints one JSON object; times are milliseconds per ballot.
//
//   node benchmarks/browser_encrypt.js [--runs N]

import * as S from "../static/js/stembus-crypto.js";

const runsArg = process.argv.indexOf("--runs");
const RUNS = runsArg > 0 ? Number(process.argv[runsArg + 1]) : 20;
const WARMUP = 3;

// One-off cost per page: the multiplication tables for B and the joint key Y.
const tablesStart = performance.now();
const jointKey = S.baseMul(S.randomScalar());
S.prepare(jointKey);
const tablesMs = performance.now() - tablesStart;
const electionHash = globalThis.crypto.getRandomValues(new Uint8Array(64));
const cred = S.deriveCredential(S.generateCode(), "3f1d6a52-8a0e-4c49-9d7c-0e6a9f1f5b21", new Uint8Array(32));

function choicesFor(n, picks) {
  const choices = new Array(n).fill(0);
  for (const i of picks) {
    choices[i] = 1;
  }
  return choices;
}

function stats(samples) {
  const sorted = [...samples].sort((a, b) => a - b);
  const at = (q) => sorted[Math.min(sorted.length - 1, Math.ceil(q * sorted.length) - 1)];
  return { median: +at(0.5).toFixed(1), p95: +at(0.95).toFixed(1), min: +sorted[0].toFixed(1) };
}

function measure(label, n, system, k, picks) {
  const args = { choices: choicesFor(n, picks), jointKey, electionHash, group: "G1", credentialSecret: cred.secret, system, k };
  const encryptMs = [];
  const verifyMs = [];
  for (let i = 0; i < WARMUP + RUNS; i += 1) {
    const t0 = performance.now();
    const { ballot } = S.encryptBallot(args);
    const t1 = performance.now();
    const failures = S.verifyBallot(ballot, { electionHash, group: "G1", nOptions: n, k, system, jointKey });
    const t2 = performance.now();
    if (failures.length) {
      throw new Error(`${label}: ${failures.join("; ")}`);
    }
    if (i >= WARMUP) {
      encryptMs.push(t1 - t0);
      verifyMs.push(t2 - t1);
    }
  }
  return { [`${label}_encrypt_ms`]: stats(encryptMs), [`${label}_verify_ms`]: stats(verifyMs) };
}

const result = {
  node: process.version,
  runs: RUNS,
  tables_ms: +tablesMs.toFixed(1),
  ...measure("list21", 21, "list", 1, [7]),
  ...measure("person21_k5", 21, "person", 5, [1, 4, 9]),
  ...measure("list41", 41, "list", 1, [12]),
};
result.browser_encrypt21_ms = result.list21_encrypt_ms.median;
result.browser_encrypt40_ms = result.list41_encrypt_ms.median;
console.log(JSON.stringify(result));
