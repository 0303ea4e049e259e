// Unit tests of the browser client (node --test): device names, 401 handling, and the
// refresh schedule, with fetch and timers replaced.
import assert from "node:assert/strict";
import { test, mock } from "node:test";

import { createSessionClient, describeDevice, SessionError } from "../../clients/js/sessions.js";

function reply(status, body) {
  return Promise.resolve(
    new Response(body === undefined ? null : JSON.stringify(body), {
      status,
      headers: { "Content-Type": "application/json" },
    }),
  );
}

test("describeDevice names common browsers and systems", () => {
  assert.equal(describeDevice("Mozilla/5.0 (X11; Linux x86_64) Firefox/140.0"), "Firefox on Linux");
  assert.equal(describeDevice("Mozilla/5.0 (iPhone; CPU iPhone OS 18_0) Safari/605.1"), "Safari on iOS");
  assert.equal(describeDevice("Mozilla/5.0 (Windows NT 10.0) Chrome/130.0 Safari/537.36"), "Chrome on Windows");
  assert.equal(describeDevice(""), "Unknown device");
});

test("a 401 calls onUnauthorized and whoami answers null", async () => {
  const seen = [];
  globalThis.fetch = mock.fn(() => reply(401, { error: "session_revoked", message: "revoked" }));
  const client = createSessionClient({ onUnauthorized: (error) => seen.push(error.code) });
  assert.equal(await client.whoami(), null);
  await assert.rejects(client.listDevices(), SessionError);
  assert.deepEqual(seen, ["session_revoked", "session_revoked"]);
  client.close();
});

test("refresh posts with credentials and schedules the next one before expiry", async (t) => {
  t.mock.timers.enable({ apis: ["setTimeout", "Date"], now: 0 });
  const session = { id: "s", userId: "u", createdAt: "1970-01-01T00:00:00Z",
    expiresAt: new Date(600_000).toISOString() };
  globalThis.fetch = mock.fn(() => reply(200, { token: "t", session }));
  const client = createSessionClient({ refreshMarginSeconds: 60, jitterSeconds: 0 });
  await client.refresh();
  const [url, init] = globalThis.fetch.mock.calls[0].arguments;
  assert.equal(url, "/me/session/refresh");
  assert.equal(init.method, "POST");
  assert.equal(init.credentials, "include");
  t.mock.timers.tick(539_000);
  assert.equal(globalThis.fetch.mock.callCount(), 1); // not yet: 600 s - 60 s margin
  t.mock.timers.tick(1_000);
  await new Promise((resolve) => setImmediate(resolve));
  assert.equal(globalThis.fetch.mock.callCount(), 2);
  client.close();
});

test("revokeDevice escapes the id and revokeOthers returns the count", async () => {
  globalThis.fetch = mock.fn((url) =>
    url.endsWith("revoke-others") ? reply(200, { revoked: 2 }) : reply(204),
  );
  const client = createSessionClient();
  await client.revokeDevice("a/b");
  assert.equal(globalThis.fetch.mock.calls[0].arguments[0], "/me/sessions/a%2Fb");
  assert.equal(await client.revokeOthers(), 2);
  client.close();
});
