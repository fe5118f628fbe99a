/**
 * Time-limited TURN credentials in coturn's REST style (`use-auth-secret`): the username is the
 * expiry time (seconds since 1970) and a label, the password an HMAC-SHA1 of the username under the
 * secret the TURN server shares with the app's server. Pages get credentials that stop working at
 * the expiry, never the secret. Web Crypto only, so it runs in Node (18 and later) and in workers.
 */
export interface TurnCredentialOptions {
  /** The TURN server's `static-auth-secret`. Keep it on the server. */
  secret: string;
  /** The TURN server's URLs, e.g. `turn:turn.example.com:3478?transport=udp`. */
  urls: string | string[];
  /** How long the credentials work, in seconds; a day by default. */
  ttlSeconds?: number;
  /** Who they are for, as the TURN server logs it (no colon). Defaults to `meshcall`. */
  label?: string;
  /** Now, in ms; for tests. */
  now?: number;
}

export interface TurnCredentials {
  iceServers: RTCIceServer[];
  /** When they stop working, in ms since 1970: ask for new ones before. */
  expiresAt: number;
}

export async function mintTurnCredentials(options: TurnCredentialOptions): Promise<TurnCredentials> {
  const ttl = options.ttlSeconds ?? 24 * 3600;
  const label = options.label ?? 'meshcall';
  if (!options.secret) throw new TypeError('mintTurnCredentials: a secret is required.');
  if (!Number.isFinite(ttl) || ttl <= 0) throw new TypeError('mintTurnCredentials: ttlSeconds must be positive.');
  if (label.includes(':')) throw new TypeError('mintTurnCredentials: the label cannot contain a colon.');
  const expiry = Math.floor((options.now ?? Date.now()) / 1000 + ttl);
  const username = `${expiry}:${label}`;
  const encoder = new TextEncoder();
  const key = await crypto.subtle.importKey('raw', encoder.encode(options.secret), { name: 'HMAC', hash: 'SHA-1' }, false, ['sign']);
  const signature = new Uint8Array(await crypto.subtle.sign('HMAC', key, encoder.encode(username)));
  const credential = btoa(String.fromCharCode(...signature));
  return { iceServers: [{ urls: options.urls, username, credential }], expiresAt: expiry * 1000 };
}
