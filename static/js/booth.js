// The voting booth: code -> ballot -> review (encrypt, prove, sign) -> cast or test -> receipt.
//
// The voting code never leaves this page: it derives the credential key here, and the server only
// ever receives the public credential and the finished ballot. A code may arrive in the URL
// fragment (#code=...), which browsers never send to a server; it is removed from the address bar
// at once.

import * as sc from "./stembus-crypto.js";

const root = document.getElementById("booth");
const status = document.getElementById("booth-status");
const steps = ["step-code", "step-second-factor", "step-ballot", "step-review", "step-test", "step-receipt"];
const state = {
  params: null,
  credential: null,
  group: null,
  choices: null,
  ballot: null,
  secrets: null,
  secondFactor: null,
};

function text(id) {
  return document.getElementById(id).content.textContent.trim();
}

function show(step) {
  for (const id of steps) {
    document.getElementById(id).hidden = id !== step;
  }
  const heading = document.querySelector(`#${step} h1`);
  if (heading && step !== "step-code") {
    heading.focus();
  }
}

// Shows a message in the alert region. With `reload`, the message (a timed-out session) is followed
// by a link that opens the booth afresh, and the keyboard focus moves there: nothing else helps.
function say(message, reload = false) {
  status.textContent = message || "";
  status.hidden = !message;
  if (message && reload) {
    const link = document.createElement("a");
    link.id = "booth-reload";
    link.href = window.location.pathname + window.location.search;
    link.textContent = text("text-reload");
    status.append(" ", link);
    link.focus();
  }
}

async function post(url, body) {
  let response;
  const headers = { "Content-Type": "application/json", "X-CSRFToken": root.dataset.csrf };
  if (state.secondFactor) {
    headers["X-Second-Factor"] = state.secondFactor;
  }
  try {
    response = await fetch(url, {
      method: "POST",
      headers,
      body: JSON.stringify(body),
      credentials: "same-origin",
    });
  } catch {
    throw new Error(text("text-network"));
  }
  const data = await response.json().catch(() => ({}));
  if (!response.ok) {
    const error = new Error(data.message || text("text-network"));
    error.sessionExpired = data.error === "session_expired";
    throw error;
  }
  return data;
}

async function loadParameters() {
  const response = await fetch(root.dataset.parameters, { credentials: "same-origin" });
  if (!response.ok) {
    throw new Error(text("text-network"));
  }
  state.params = await response.json();
  sc.prepare(state.params.joint_key);
}

function renderBallot() {
  const group = state.group;
  const box = document.getElementById("ballot-options");
  box.replaceChildren();
  const type = group.system === "list" ? "radio" : "checkbox";
  document.getElementById("ballot-instruction").textContent =
    group.system === "list" ? text("text-list-instruction") : text("text-person-instruction").replace("{k}", group.k);
  const option = (o) => {
    const wrap = document.createElement("div");
    wrap.className = "field choice";
    const input = document.createElement("input");
    input.type = type;
    input.name = "choice";
    input.value = String(o.index);
    input.id = `option-${o.index}`;
    const label = document.createElement("label");
    label.htmlFor = input.id;
    label.textContent = o.name === null ? text("text-blank") : o.name;
    wrap.append(input, label);
    return wrap;
  };
  if (group.lists.length) {
    for (const lst of group.lists) {
      const fieldset = document.createElement("fieldset");
      const legend = document.createElement("legend");
      legend.textContent = lst.name;
      fieldset.append(legend, ...lst.options.map((i) => option(group.options[i])));
      box.append(fieldset);
    }
  } else {
    box.append(...group.options.slice(0, -1).map(option));
  }
  box.append(option(group.options[group.options.length - 1]));
}

function readChoices() {
  const group = state.group;
  const picked = [...document.querySelectorAll("#ballot-options input:checked")].map((i) => Number(i.value));
  const blank = group.options.length - 1;
  if (!picked.length) {
    throw new Error(text("text-choose"));
  }
  if (picked.includes(blank) && picked.length > 1) {
    throw new Error(text("text-blank-alone"));
  }
  if (picked.length > group.k) {
    throw new Error(text("text-too-many"));
  }
  const choices = group.options.map((o) => (picked.includes(o.index) ? 1 : 0));
  return choices;
}

function encrypt() {
  const { ballot, secrets } = sc.encryptBallot({
    choices: state.choices,
    jointKey: state.params.joint_key,
    electionHash: sc.fromHex(state.params.election_hash),
    group: state.group.id,
    credentialSecret: state.credential.secret,
    system: state.group.system,
    k: state.group.k,
  });
  state.ballot = ballot;
  state.secrets = secrets;
  document.getElementById("review-tracking").textContent = sc.trackingCode(ballot);
}

function review() {
  const list = document.getElementById("review-choice");
  list.replaceChildren(
    ...state.group.options
      .filter((o) => state.choices[o.index] === 1)
      .map((o) => {
        const li = document.createElement("li");
        li.textContent = o.name === null ? text("text-blank") : o.list ? `${o.name} (${o.list})` : o.name;
        return li;
      }),
  );
  encrypt();
  show("step-review");
}

async function enterCode(typed) {
  say("");
  let code;
  try {
    code = sc.normaliseCode(typed);
  } catch {
    throw new Error(text("text-code-error"));
  }
  if (!state.params) {
    await loadParameters();
  }
  state.credential = sc.deriveCredential(code, state.params.election, state.params.params_hash);
  const answer = await post(root.dataset.credential, { credential: state.credential.publicHex });
  state.group = state.params.groups[answer.group];
  if (answer.second_factor) {
    await post(root.dataset.secondFactor, { credential: state.credential.publicHex });
    show("step-second-factor");
    return;
  }
  renderBallot();
  show("step-ballot");
}

function enterSecondFactor(typed) {
  const digits = typed.replace(/\D/g, "");
  if (digits.length !== 6) {
    throw new Error(text("text-second-factor-error"));
  }
  state.secondFactor = digits;
  renderBallot();
  show("step-ballot");
}

function guard(action) {
  return async (event) => {
    if (event) {
      event.preventDefault();
    }
    try {
      say("");
      await action();
    } catch (err) {
      say(err.message, err.sessionExpired === true);
    }
  };
}

document.getElementById("code-form").addEventListener(
  "submit",
  guard(() => enterCode(document.getElementById("voting-code").value)),
);

document.getElementById("second-factor-form").addEventListener(
  "submit",
  guard(() => enterSecondFactor(document.getElementById("second-factor").value)),
);

document.getElementById("second-factor-resend").addEventListener(
  "click",
  guard(async () => {
    await post(root.dataset.secondFactor, { credential: state.credential.publicHex });
    say(text("text-second-factor-sent"));
  }),
);

document.getElementById("ballot-form").addEventListener(
  "submit",
  guard(() => {
    state.choices = readChoices();
    review();
  }),
);

document.getElementById("back-button").addEventListener("click", guard(() => show("step-ballot")));

document.getElementById("cast-button").addEventListener(
  "click",
  guard(async () => {
    if (!document.getElementById("consent").checked) {
      throw new Error(text("text-consent"));
    }
    const receipt = await post(root.dataset.cast, state.ballot);
    state.credential = null;
    state.secrets = null;
    state.secondFactor = null;
    document.getElementById("receipt-tracking").textContent = receipt.tracking_code;
    document.getElementById("receipt-full").textContent = receipt.full_tracking_code;
    const link = document.getElementById("receipt-board");
    link.href = `${root.dataset.board}${root.dataset.board.includes("?") ? "&" : "?"}code=${encodeURIComponent(receipt.tracking_code)}`;
    if (receipt.repeated) {
      say(text("text-repeated"));
    }
    show("step-receipt");
  }),
);

document.getElementById("test-button").addEventListener(
  "click",
  guard(async () => {
    const reveal = sc.reveal(state.secrets);
    await post(root.dataset.challenge, { ballot: state.ballot, reveal });
    const options = state.group.options.map((o) => ({ id: o.id, name: o.name === null ? text("text-blank") : o.name }));
    const doc = { joint_key: state.params.joint_key, options, ballot: state.ballot, reveal };
    document.getElementById("test-document").value = JSON.stringify(doc);
    document.getElementById("checker-link").href = root.dataset.checker;
    state.ballot = null;
    state.secrets = null;
    show("step-test");
  }),
);

document.getElementById("after-test-button").addEventListener("click", guard(() => review()));

const fragment = new URLSearchParams(window.location.hash.slice(1));
if (fragment.get("code")) {
  const code = fragment.get("code");
  history.replaceState(null, "", window.location.pathname + window.location.search);
  document.getElementById("voting-code").value = code;
  guard(() => enterCode(code))();
}
