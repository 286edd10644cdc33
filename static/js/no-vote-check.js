// After closing, a voter who did not vote checks with their code that no ballot was cast under it.
// The code stays here: the page derives the public credential, asks the server a yes/no question
// about that public value, and shows the answer.

import * as sc from "./stembus-crypto.js";

const root = document.getElementById("no-vote-check");
const answer = document.getElementById("check-answer");

function say(templateId, kind) {
  answer.className = `message message-${kind}`;
  answer.textContent = document.getElementById(templateId).content.textContent.trim();
}

async function check(code) {
  const params = await (await fetch(root.dataset.parameters)).json();
  const credential = sc.deriveCredential(code, params.election, params.params_hash);
  const url = root.dataset.lookup.replace("CREDENTIAL", credential.publicHex);
  const response = await fetch(url);
  if (!response.ok) {
    throw new Error(`lookup answered ${response.status}`);
  }
  return (await response.json()).ballot_cast;
}

document.getElementById("check-form").addEventListener("submit", async (event) => {
  event.preventDefault();
  const field = document.getElementById("check-code");
  try {
    const cast = await check(field.value);
    say(cast ? "answer-cast" : "answer-none", cast ? "warning" : "success");
  } catch {
    say("answer-error", "error");
  }
  field.value = "";
});
