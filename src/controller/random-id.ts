/**
 * A random id of `length` hex digits. `crypto.randomUUID` exists only in secure contexts; on a page
 * that is not one, meshcall must still run far enough to say so (`insecure-context`), and
 * `getRandomValues` is there everywhere.
 */
export function randomId(length = 32): string {
  const bytes = crypto.getRandomValues(new Uint8Array(Math.ceil(length / 2)));
  return Array.from(bytes, (byte) => byte.toString(16).padStart(2, '0')).join('').slice(0, length);
}
