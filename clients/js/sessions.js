// A dependency-free browser client for the sessions API (ES module).
//
// The session token lives in the HttpOnly `__Host-session` cookie: this code never sees
// it. It calls the client routes (/me/...) with the cookie, refreshes the session before
// it expires (once per window across all tabs), and reports a lost session through
// `onUnauthorized`.

const LOCK_KEY = "sessions:refresh-lock";
const LOCK_MS = 10_000;

/**
 * @typedef {{browser?: string, os?: string,
 *   type: "desktop"|"mobile"|"tablet"|"bot"|"unknown", label: string}} Device
 * @typedef {{id: string, userId: string, createdAt: string, expiresAt: string,
 *   lastActiveAt?: string, absoluteExpiresAt?: string, authenticatedAt?: string,
 *   aal?: number, device?: Device, ipAddress?: string, country?: string,
 *   slidingExpiration?: boolean, metadata?: object, current?: boolean}} Session
 * @typedef {{type: string, sessionId: string, userId: string, at: string, reason?: string,
 *   device?: Device, ipAddress?: string, country?: string}} ActivityEvent
 */

export class SessionError extends Error {
  /** @param {number} status @param {string} code @param {string} message */
  constructor(status, code, message) {
    super(message);
    this.status = status;
    this.code = code;
  }
}

/**
 * @param {{baseUrl?: string, onUnauthorized?: (error: SessionError) => void,
 *   onChange?: (event: {type: string, session?: Session}) => void,
 *   refreshMarginSeconds?: number, jitterSeconds?: number, channelName?: string}} options
 */
export function createSessionClient(options = {}) {
  const baseUrl = options.baseUrl ?? "";
  const onUnauthorized = options.onUnauthorized ?? (() => {});
  const onChange = options.onChange ?? (() => {});
  const margin = (options.refreshMarginSeconds ?? 60) * 1000;
  const jitter = (options.jitterSeconds ?? 15) * 1000;
  const channel =
    typeof BroadcastChannel === "function"
      ? new BroadcastChannel(options.channelName ?? "sessions")
      : null;
  let timer = null;
  /** @type {Map<string, {token?: string, renewAt?: number, expiresAt?: number,
   *   pending: Promise<string>|null}>} */
  const accessTokens = new Map();

  async function call(method, path, payload) {
    const headers = { Accept: "application/json" };
    if (payload !== undefined) headers["Content-Type"] = "application/json";
    const response = await fetch(baseUrl + path, {
      method,
      credentials: "include",
      headers,
      body: payload === undefined ? undefined : JSON.stringify(payload),
    });
    if (response.status === 204) return null;
    const body = await response.json().catch(() => ({}));
    if (!response.ok) {
      const error = new SessionError(
        response.status,
        body.error ?? "http_error",
        body.message ?? `HTTP ${response.status}`,
      );
      if (response.status === 401) {
        stop();
        onUnauthorized(error);
      }
      throw error;
    }
    return body;
  }

  function announce(message) {
    if (channel) channel.postMessage(message);
  }

  function schedule(session) {
    clearTimeout(timer);
    if (!session) return;
    const left = Date.parse(session.expiresAt) - Date.now();
    // Refresh at least a margin before expiry, spread by jitter so tabs and users do
    // not all arrive together; never sooner than in one second.
    const wait = Math.max(1000, left - margin - Math.random() * jitter);
    timer = setTimeout(refreshIfFirst, Math.min(wait, 2 ** 31 - 1));
  }

  function claimRefresh() {
    // One tab refreshes per window: the first to take the lock. The server's grace
    // window makes a lost race harmless (both get the same successor).
    try {
      const held = Number(localStorage.getItem(LOCK_KEY) || 0);
      if (held > Date.now()) return false;
      localStorage.setItem(LOCK_KEY, String(Date.now() + LOCK_MS));
      return true;
    } catch {
      return true; // storage unavailable: refresh anyway
    }
  }

  async function refreshIfFirst() {
    if (!claimRefresh()) {
      timer = setTimeout(async () => schedule((await whoami()) ?? undefined), LOCK_MS);
      return;
    }
    await refresh().catch(() => {});
  }

  /** The current session, or null when signed out. @returns {Promise<Session|null>} */
  async function whoami() {
    try {
      const body = await call("GET", "/me/session");
      return body.session;
    } catch (error) {
      if (error instanceof SessionError && error.status === 401) return null;
      throw error;
    }
  }

  /** Rotate the token (the cookie is re-set) and reschedule. @returns {Promise<Session>} */
  async function refresh() {
    const body = await call("POST", "/me/session/refresh");
    schedule(body.session);
    announce({ type: "refreshed", session: body.session });
    onChange({ type: "refreshed", session: body.session });
    return body.session;
  }

  /**
   * A short-lived access token (a signed JWT) for calling services that verify it
   * offline. Cached per audience and renewed once 80 % of its lifetime has passed, as
   * measured by this page's clock from when it arrived (the two clocks may differ);
   * callers asking at once share one request. An expired token is never returned: if
   * renewing fails after that, the promise rejects.
   * @param {{audience?: string, expiresIn?: number}} [options] expiresIn in seconds
   * @returns {Promise<string>}
   */
  async function getAccessToken(options = {}) {
    const key = options.audience ?? "";
    const held = accessTokens.get(key);
    const now = Date.now();
    if (held?.token && now < held.renewAt) return held.token;
    if (!held?.pending) {
      const pending = issueAccessToken(options).finally(() => {
        const entry = accessTokens.get(key);
        if (entry?.pending === pending) entry.pending = null;
      });
      accessTokens.set(key, { ...held, pending });
    }
    try {
      return await accessTokens.get(key).pending;
    } catch (error) {
      // Renewing failed for now (network, 5xx): a token that is still valid, with a
      // second to spare, serves. Never once the session itself is refused.
      const ended = error instanceof SessionError && error.status < 500;
      if (!ended && held?.token && Date.now() < held.expiresAt - 1000) return held.token;
      throw error;
    }
  }

  async function issueAccessToken({ audience, expiresIn }) {
    const sent = Date.now();
    const body = await call("POST", "/me/token", { audience, expiresIn });
    // Lifetimes are counted from when the request left, on this page's clock.
    const lifetime = body.expiresIn * 1000;
    accessTokens.set(audience ?? "", {
      token: body.accessToken,
      renewAt: sent + lifetime * 0.8,
      expiresAt: sent + lifetime,
      pending: null,
    });
    return body.accessToken;
  }

  /** Sign out this device. */
  async function logout() {
    await call("DELETE", "/me/session");
    stop();
    announce({ type: "signed-out" });
    onChange({ type: "signed-out" });
  }

  /** My active sessions, the current one with `current: true`. @returns {Promise<Session[]>} */
  async function listDevices() {
    return (await call("GET", "/me/sessions")).sessions;
  }

  /** My security log, newest first. @returns {Promise<ActivityEvent[]>} */
  async function listActivity() {
    return (await call("GET", "/me/activity")).events;
  }

  /** Sign out one of my other devices. @param {string} sessionId */
  async function revokeDevice(sessionId) {
    await call("DELETE", `/me/sessions/${encodeURIComponent(sessionId)}`);
  }

  /** Sign out everywhere else. @returns {Promise<number>} how many were signed out */
  async function revokeOthers() {
    return (await call("POST", "/me/sessions/revoke-others")).revoked;
  }

  /** Keep the session fresh from now on. @param {Session} session */
  function start(session) {
    schedule(session);
  }

  function stop() {
    clearTimeout(timer);
    timer = null;
    accessTokens.clear(); // they belong to the session that ended (or may have)
  }

  /** Stop refreshing and leave the cross-tab channel (e.g. when a component unmounts). */
  function close() {
    stop();
    if (channel) channel.close();
  }

  if (channel) {
    channel.onmessage = ({ data }) => {
      if (data?.type === "refreshed") schedule(data.session);
      if (data?.type === "signed-out") {
        stop();
        onUnauthorized(new SessionError(401, "signed_out", "signed out in another tab"));
      }
      onChange(data);
    };
  }

  return {
    whoami,
    refresh,
    getAccessToken,
    logout,
    listDevices,
    listActivity,
    revokeDevice,
    revokeOthers,
    start,
    stop,
    close,
  };
}

const UNITS = [
  ["year", 365 * 24 * 3600],
  ["month", 30 * 24 * 3600],
  ["week", 7 * 24 * 3600],
  ["day", 24 * 3600],
  ["hour", 3600],
  ["minute", 60],
];

/** "5 minutes ago", "in 3 days", "just now". @param {number} ms @param {number} now */
export function relativeTime(ms, now = Date.now(), locale = undefined) {
  const seconds = Math.round((ms - now) / 1000);
  if (Math.abs(seconds) < 60) return seconds <= 0 ? "just now" : "in a moment";
  const format = new Intl.RelativeTimeFormat(locale, { numeric: "auto" });
  const [unit, size] = UNITS.find(([, length]) => Math.abs(seconds) >= length);
  return format.format(Math.round(seconds / size), unit);
}

/**
 * A session as a device list shows it, in words: the server has parsed the device
 * (the `device` field); this only phrases what the API answers.
 * @param {Session} session
 * @param {{now?: number, locale?: string}} [options]
 * @returns {{name: string, place: string, active: string, signedIn: string,
 *   signInAgainBy: string}}
 */
export function describeSession(session, { now = Date.now(), locale = undefined } = {}) {
  const country = session.country
    ? new Intl.DisplayNames(locale, { type: "region" }).of(session.country)
    : "";
  const place = [session.ipAddress, country].filter(Boolean).join(" · ") || "Unknown place";
  const lastActive = Date.parse(session.lastActiveAt ?? session.createdAt);
  const ends = Date.parse(session.absoluteExpiresAt ?? session.expiresAt);
  const date = new Intl.DateTimeFormat(locale, { dateStyle: "medium" });
  return {
    name: session.device?.label ?? "Unknown device",
    place,
    active: `active ${relativeTime(lastActive, now, locale)}`,
    signedIn: `signed in ${relativeTime(Date.parse(session.createdAt), now, locale)}`,
    signInAgainBy: `sign in again by ${date.format(new Date(ends))}`,
  };
}

const WHAT = {
  "session.created": "Signed in",
  "session.refreshed": "Session renewed",
  "session.reauthenticated": "Confirmed it was you",
  "session.expired": "Session ended (expired)",
};

const WHY = {
  logout: "Signed out on that device",
  revoked: "Signed out from another device",
  revoke_others: "Signed out by \u201csign out everywhere else\u201d",
  revoke_all: "Signed out everywhere (for example after a password change)",
  session_limit: "Signed out: too many devices signed in",
  reuse_detected: "Session ended: an old sign-in token was used again",
};

/**
 * An activity event in words, for a security log people can read.
 * @param {ActivityEvent} event
 * @param {{now?: number, locale?: string}} [options]
 * @returns {{what: string, device: string, place: string, when: string, alarming: boolean}}
 */
export function describeActivity(event, { now = Date.now(), locale = undefined } = {}) {
  const words = describeSession(
    { ...event, id: event.sessionId, createdAt: event.at, expiresAt: event.at },
    { now, locale },
  );
  const what =
    event.type === "session.revoked" ? WHY[event.reason] ?? "Signed out" : WHAT[event.type] ?? event.type;
  return {
    what,
    device: words.name,
    place: words.place,
    when: relativeTime(Date.parse(event.at), now, locale),
    alarming: event.reason === "reuse_detected",
  };
}
