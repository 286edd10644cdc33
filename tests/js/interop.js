// Driver for tests/crypto/test_js_interop.py: reads one JSON request on standard input, runs the
// booth module, and writes one JSON answer on standard output.
//
//   {"action": "encrypt", "joint_key", "election_hash", "code", "election_uuid", "params_hash",
//    "cases": [{"choices", "system", "k", "group"}]}
//     -> {"credential": hex, "ballots": [{"ballot", "reveal", "canonical", "tracking_code"}]}
//   {"action": "verify", "joint_key", "election_hash",
//    "cases": [{"ballot", "system", "k", "group", "n"}]}
//     -> {"results": [[failure, ...] | {"error": message}, ...]}

import { readFileSync } from "node:fs";

import * as S from "../../static/js/stembus-crypto.js";

const request = JSON.parse(readFileSync(0, "utf8"));
let answer;
if (request.action === "encrypt") {
  const cred = S.deriveCredential(request.code, request.election_uuid, request.params_hash);
  answer = {
    credential: cred.publicHex,
    ballots: request.cases.map((c) => {
      const { ballot, secrets } = S.encryptBallot({
        choices: c.choices,
        jointKey: request.joint_key,
        electionHash: request.election_hash,
        group: c.group,
        credentialSecret: cred.secret,
        system: c.system,
        k: c.k,
      });
      return {
        ballot,
        reveal: S.reveal(secrets),
        canonical: new TextDecoder().decode(S.ballotToBytes(ballot)),
        tracking_code: S.trackingCode(ballot),
        full_tracking_code: S.fullTrackingCode(ballot),
      };
    }),
  };
} else if (request.action === "verify") {
  answer = {
    results: request.cases.map((c) => {
      try {
        return S.verifyBallot(c.ballot, {
          electionHash: request.election_hash,
          group: c.group,
          nOptions: c.n,
          k: c.k,
          system: c.system,
          jointKey: request.joint_key,
        });
      } catch (err) {
        return { error: `${err.name}: ${err.message}` };
      }
    }),
  };
} else {
  throw new Error(`unknown action ${request.action}`);
}
process.stdout.write(JSON.stringify(answer));
