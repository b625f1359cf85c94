/**
 * How a page and the browser-mode host prove to each other that both hold the per-run key, without the key ever
 * crossing the wire (no URL query, no cookie, no header carries it). The key reaches the page in the launch file's
 * URL fragment (never sent in a request) and stays in that tab's sessionStorage.
 *
 *   1. page → `GET /auth?c=<page nonce>`; the host answers `{ s: <host nonce>, proof: HMAC(key, hostMessage(c, s)) }`.
 *      The page checks the proof first: whatever else listens on the port (another program after the host died) learns
 *      nothing and is never sent anything derived from the key but the nonce it chose.
 *   2. page → WebSocket `/ws` with the subprotocol `sel4studio.<s>.<HMAC(key, pageMessage(c, s))>`. The host checks
 *      it (s is single-use and short-lived) before the upgrade: nothing unauthenticated ever reaches the contract.
 *
 * HMAC-SHA-256, base64url without padding. Pure strings here; each side computes the MAC with its own crypto.
 */

/** Nonces are 16 random bytes, base64url (22 characters); the host's answer carries `s` and `proof`. */
export const NONCE_PATTERN = /^[A-Za-z0-9_-]{22}$/;
export const MAC_PATTERN = /^[A-Za-z0-9_-]{43}$/;

export const hostMessage = (pageNonce: string, hostNonce: string) => `sel4studio host ${pageNonce} ${hostNonce}`;
export const pageMessage = (pageNonce: string, hostNonce: string) => `sel4studio page ${pageNonce} ${hostNonce}`;

export const AUTH_PROTOCOL_PREFIX = 'sel4studio.';

/** The WebSocket subprotocol a page presents: `sel4studio.<host nonce>.<page proof>`. */
export const authProtocol = (hostNonce: string, pageProof: string) => `${AUTH_PROTOCOL_PREFIX}${hostNonce}.${pageProof}`;

export function parseAuthProtocol(value: string): { hostNonce: string; proof: string } | undefined {
  if (!value.startsWith(AUTH_PROTOCOL_PREFIX)) return undefined;
  const [hostNonce, proof, extra] = value.slice(AUTH_PROTOCOL_PREFIX.length).split('.');
  if (extra !== undefined || !hostNonce || !proof || !NONCE_PATTERN.test(hostNonce) || !MAC_PATTERN.test(proof)) return undefined;
  return { hostNonce, proof };
}

/** The key in a launch URL's fragment (`#token=…`): base64url, 32 characters for 24 random bytes. */
export const TOKEN_PATTERN = /^[A-Za-z0-9_-]{32,128}$/;

/**
 * The largest WebSocket message either side sends (bytes). The contract's largest values are 64 Mi-character strings
 * (fs.writeText, project.save); as JSON a 64 Mi-character .system is ~76 MiB (quotes escaped). Measured on the host
 * (tests/attack/host.test.ts, long form): one such write peaks at ~420 MiB resident, so a message this size cannot
 * end the host; a larger one closes its connection with 1009 before it is buffered, and the page refuses to send one.
 */
export const MAX_WIRE_MESSAGE = 80 * 1024 * 1024;

/** The back-off between reconnection attempts (ms): doubling from the first to the last. */
export const RECONNECT_BACKOFF_MS = { first: 250, max: 5000 } as const;

export function nextBackoff(previousMs: number | undefined): number {
  return previousMs === undefined ? RECONNECT_BACKOFF_MS.first : Math.min(RECONNECT_BACKOFF_MS.max, previousMs * 2);
}
