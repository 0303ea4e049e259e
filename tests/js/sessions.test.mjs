// Unit tests of the browser client (node --test): device names, 401 handling, and the
// refresh schedule, with fetch and timers replaced.
import assert from "node:assert/strict";
import { test, mock } from "node:test";

import {
  createSessionClient,
  describeActivity,
  describeSession,
  relativeTime,
  SessionError,
} from "../../clients/js/sessions.js";

function reply(status, body) {
  return Promise.resolve(
    new Response(body === undefined ? null : JSON.stringify(body), {
      status,
      headers: { "Content-Type": "application/json" },
    }),
  );
}

test("describeSession phrases the device, place and times the API answers", () => {
  const now = Date.parse("2026-11-27T12:00:00Z");
  const words = describeSession(
    {
      id: "s",
      userId: "u",
      device: { browser: "Chrome", os: "macOS", type: "desktop", label: "Chrome on macOS" },
      ipAddress: "203.0.113.7",
      country: "DE",
      createdAt: "2026-11-24T12:00:00Z",
      lastActiveAt: "2026-11-27T11:55:00Z",
      expiresAt: "2026-11-28T12:00:00Z",
      absoluteExpiresAt: "2026-12-24T12:00:00Z",
    },
    { now, locale: "en" },
  );
  assert.equal(words.name, "Chrome on macOS");
  assert.equal(words.place, "203.0.113.7 · Germany");
  assert.equal(words.active, "active 5 minutes ago");
  assert.equal(words.signedIn, "signed in 3 days ago");
  assert.equal(words.signInAgainBy, "sign in again by Dec 24, 2026");
});

test("describeSession without a device or place says so", () => {
  const words = describeSession(
    { id: "s", userId: "u", createdAt: "2026-01-01T00:00:00Z", expiresAt: "2026-01-02T00:00:00Z" },
    { now: Date.parse("2026-01-01T00:00:10Z"), locale: "en" },
  );
  assert.equal(words.name, "Unknown device");
  assert.equal(words.place, "Unknown place");
  assert.equal(words.active, "active just now");
});

test("relativeTime picks the largest whole unit", () => {
  const now = 1_000_000_000_000;
  assert.equal(relativeTime(now - 2 * 3600_000, now, "en"), "2 hours ago");
  assert.equal(relativeTime(now + 3 * 86_400_000, now, "en"), "in 3 days");
  assert.equal(relativeTime(now - 30_000, now, "en"), "just now");
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

test("describeActivity says what happened, where, and flags a replay", () => {
  const now = Date.parse("2026-11-27T12:00:00Z");
  const replay = describeActivity(
    {
      type: "session.revoked",
      reason: "reuse_detected",
      sessionId: "s",
      userId: "u",
      at: "2026-11-27T11:00:00Z",
      device: { type: "mobile", label: "Safari on iPhone" },
      country: "FR",
    },
    { now, locale: "en" },
  );
  assert.equal(replay.what, "Session ended: an old sign-in token was used again");
  assert.equal(replay.alarming, true);
  assert.equal(replay.device, "Safari on iPhone");
  assert.equal(replay.place, "France");
  assert.equal(replay.when, "1 hour ago");
  const signIn = describeActivity(
    { type: "session.created", sessionId: "s", userId: "u", at: "2026-11-27T11:59:00Z" },
    { now, locale: "en" },
  );
  assert.equal(signIn.what, "Signed in");
  assert.equal(signIn.alarming, false);
});

function tokenReply(number, expiresIn = 300) {
  return reply(200, {
    accessToken: `jwt-${number}`,
    tokenType: "Bearer",
    expiresIn,
    expiresAt: new Date(Date.now() + expiresIn * 1000).toISOString(),
  });
}

test("getAccessToken caches until 80 % of the lifetime, then renews once for all callers", async (t) => {
  t.mock.timers.enable({ apis: ["Date"], now: 0 });
  let issued = 0;
  globalThis.fetch = mock.fn(() => tokenReply(++issued, 100));
  const client = createSessionClient();
  assert.equal(await client.getAccessToken({ audience: "api", expiresIn: 100 }), "jwt-1");
  const [url, init] = globalThis.fetch.mock.calls[0].arguments;
  assert.equal(url, "/me/token");
  assert.equal(init.method, "POST");
  assert.equal(init.credentials, "include");
  assert.deepEqual(JSON.parse(init.body), { audience: "api", expiresIn: 100 });
  t.mock.timers.tick(79_999);
  assert.equal(await client.getAccessToken({ audience: "api" }), "jwt-1");
  t.mock.timers.tick(1);
  const together = await Promise.all([1, 2, 3].map(() => client.getAccessToken({ audience: "api" })));
  assert.deepEqual(together, ["jwt-2", "jwt-2", "jwt-2"]);
  assert.equal(globalThis.fetch.mock.callCount(), 2);
  assert.equal(await client.getAccessToken({ audience: "reports" }), "jwt-3"); // its own
  client.close();
});

test("getAccessToken keeps a still-valid token when renewing fails, never an expired one", async (t) => {
  t.mock.timers.enable({ apis: ["Date"], now: 0 });
  let failing = false;
  globalThis.fetch = mock.fn(() =>
    failing ? reply(503, { error: "unavailable", message: "try again" }) : tokenReply(1, 100),
  );
  const client = createSessionClient();
  await client.getAccessToken();
  failing = true;
  t.mock.timers.tick(90_000); // past 80 %: renewal is tried and fails
  assert.equal(await client.getAccessToken(), "jwt-1");
  t.mock.timers.tick(9_500); // within a second of expiry: not sent any more
  await assert.rejects(client.getAccessToken(), (error) => error.status === 503);
  client.close();
});

test("getAccessToken after the session ends forgets the token and reports it", async (t) => {
  t.mock.timers.enable({ apis: ["Date"], now: 0 });
  const seen = [];
  let revoked = false;
  globalThis.fetch = mock.fn(() =>
    revoked ? reply(401, { error: "session_revoked", message: "revoked" }) : tokenReply(1, 100),
  );
  const client = createSessionClient({ onUnauthorized: (error) => seen.push(error.code) });
  await client.getAccessToken();
  revoked = true;
  t.mock.timers.tick(85_000);
  await assert.rejects(client.getAccessToken(), SessionError); // 401: stop() dropped it
  assert.deepEqual(seen, ["session_revoked"]);
  client.close();
});
