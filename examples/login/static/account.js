// The demo account page: sign in, see and revoke devices, sign out.
import { createSessionClient, describeActivity, describeSession } from "/clients/sessions.js";

const $ = (selector) => document.querySelector(selector);
const signin = $("#signin");
const account = $("#account");
const status = $("#status");

const client = createSessionClient({
  onUnauthorized: () => showSignIn("Your session ended. Please sign in again."),
  onChange: (event) => {
    if (event?.type === "refreshed") renderDevices().catch(() => {});
  },
});

function say(text) {
  status.textContent = text;
}

function showSignIn(message = "") {
  client.stop();
  account.hidden = true;
  signin.hidden = false;
  say(message);
  $("#username").focus();
}

async function showAccount(session) {
  $("#who").textContent = session.userId;
  signin.hidden = true;
  account.hidden = false;
  await renderDevices();
  renderActivity().catch(() => {});
  client.start(session);
  $("#account-title").focus();
}

function cell(row, text, label = "") {
  const td = document.createElement("td");
  td.textContent = text;
  if (label) td.dataset.label = label; // shown as a caption when the table stacks on phones
  row.append(td);
  return td;
}

async function renderDevices() {
  const devices = await client.listDevices();
  const body = $("#devices tbody");
  body.replaceChildren();
  for (const device of devices) {
    const words = describeSession(device);
    const row = document.createElement("tr");
    row.dataset.sessionId = device.id;
    const name = cell(row, words.name);
    if (device.current) {
      const badge = document.createElement("span");
      badge.className = "badge";
      badge.textContent = "this device";
      name.append(" ", badge);
      row.classList.add("current");
    }
    cell(row, words.place, "Where");
    cell(row, words.active, "Last active").title = device.lastActiveAt ?? device.createdAt;
    cell(row, words.signedIn, "Signed in").title = device.createdAt;
    cell(row, words.signInAgainBy, "Session ends");
    const action = cell(row, "");
    if (!device.current) {
      const button = document.createElement("button");
      button.type = "button";
      button.className = "secondary";
      button.textContent = "Sign out";
      button.setAttribute("aria-label", `Sign out ${words.name}`);
      button.addEventListener("click", async () => {
        if (!(await withStepUp(() => client.revokeDevice(device.id)))) return;
        say(`Signed out ${words.name}.`);
        await renderDevices();
        activitySoon();
      });
      action.append(button);
    }
    body.append(row);
  }
}

// The log is filled from the table's stream, a moment after each change: read it again
// shortly after an action of ours, and every half minute.
async function renderActivity() {
  const events = await client.listActivity();
  const list = $("#activity");
  list.replaceChildren();
  for (const event of events.slice(0, 20)) {
    const words = describeActivity(event);
    const item = document.createElement("li");
    if (words.alarming) item.classList.add("alarming");
    const what = document.createElement("strong");
    what.textContent = words.what;
    const where = document.createElement("span");
    where.textContent = ` \u2014 ${words.device}, ${words.place}, `;
    const when = document.createElement("time");
    when.dateTime = event.at;
    when.textContent = words.when;
    item.append(what, where, when);
    list.append(item);
  }
  // Text directly inside the <ol> would break the list for screen readers (axe "list").
  $("#activity-empty").hidden = events.length > 0;
}

function activitySoon() {
  for (const delay of [1500, 4000]) setTimeout(() => renderActivity().catch(() => {}), delay);
}

setInterval(() => {
  if (!account.hidden) renderActivity().catch(() => {});
}, 30_000);

$("#signin-form").addEventListener("submit", async (event) => {
  event.preventDefault();
  const form = new FormData(event.target);
  const response = await fetch("/login", {
    method: "POST",
    credentials: "include",
    headers: { "Content-Type": "application/json" },
    body: JSON.stringify({ username: form.get("username"), password: form.get("password") }),
  });
  if (!response.ok) {
    const body = await response.json().catch(() => ({}));
    say(body.message ?? "Sign-in failed.");
    $("#password").focus();
    return;
  }
  event.target.reset();
  say("");
  await showAccount((await response.json()).session);
});

// A sensitive action the API refuses for want of a recent sign-in (403
// reauthentication_required): ask for the password, confirm it, and try once more.
function askPassword() {
  const dialog = $("#step-up");
  const form = $("#step-up-form");
  $("#step-up-error").textContent = "";
  form.reset();
  dialog.showModal();
  $("#step-up-password").focus();
  return new Promise((resolve) => {
    const done = (value) => {
      form.onsubmit = null;
      $("#step-up-cancel").onclick = null;
      dialog.close();
      resolve(value);
    };
    $("#step-up-cancel").onclick = () => done(false);
    form.onsubmit = async (event) => {
      event.preventDefault();
      const response = await fetch("/reauthenticate", {
        method: "POST",
        credentials: "include",
        headers: { "Content-Type": "application/json" },
        body: JSON.stringify({ password: $("#step-up-password").value }),
      });
      if (response.ok) return done(true);
      const body = await response.json().catch(() => ({}));
      $("#step-up-error").textContent = body.message ?? "That did not work.";
    };
  });
}

async function withStepUp(action) {
  try {
    return (await action()) ?? true;
  } catch (error) {
    if (error?.code !== "reauthentication_required") throw error;
    if (!(await askPassword())) {
      say("Not done: it needs you to confirm your password.");
      return false;
    }
    return (await action()) ?? true;
  }
}

$("#revoke-others").addEventListener("click", async () => {
  const count = await withStepUp(() => client.revokeOthers());
  if (count === false) return;
  say(count === 1 ? "Signed out 1 other device." : `Signed out ${count} other devices.`);
  await renderDevices();
  activitySoon();
});

$("#signout").addEventListener("click", async () => {
  await client.logout().catch(() => {});
  showSignIn("You are signed out.");
});

const session = await client.whoami().catch(() => null);
if (session) await showAccount(session);
else showSignIn();
