/**
 * The invitation to a call: a secret the caller draws when the call starts and every ring hands to
 * its invitee. Members ask for it before they admit anyone who was not brought in by their own ring
 * (see docs/security.md): knowing a call's id is not enough to enter it.
 */

/** 128 bits, the least that cannot be guessed online; base64url, 22 characters. */
const SECRET_BYTES = 16;
const SECRET_PATTERN = /^[A-Za-z0-9_-]{22}$/;

export function newCallSecret(): string {
  const bytes = crypto.getRandomValues(new Uint8Array(SECRET_BYTES));
  return btoa(String.fromCharCode(...bytes)).replaceAll('+', '-').replaceAll('/', '_').replace(/=+$/, '');
}

export function isCallSecret(value: unknown): value is string {
  return typeof value === 'string' && SECRET_PATTERN.test(value);
}

/** Compares in time independent of where the strings differ, so that a guess learns nothing from timing. */
export function sameSecret(a: string, b: string): boolean {
  if (a.length !== b.length) return false;
  let difference = 0;
  for (let i = 0; i < a.length; i += 1) difference |= a.charCodeAt(i) ^ b.charCodeAt(i);
  return difference === 0;
}
