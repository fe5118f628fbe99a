const PLAIN_ID = /^[A-Za-z0-9]+$/;
const NAMESPACE = /^[A-Za-z0-9]+$/;

/**
 * PeerServer ids allow only letters, digits and single separators, while user ids are the page's own
 * strings. Plain ids stay readable; any other id is hex-encoded, and the marker keeps the two apart so
 * the mapping can be reversed.
 */
export function peerIdForUser(userId: string, namespace: string): string {
  if (PLAIN_ID.test(userId)) return `${namespace}-u-${userId}`;
  const hex = Array.from(new TextEncoder().encode(userId), (byte) => byte.toString(16).padStart(2, '0')).join('');
  return `${namespace}-x-${hex}`;
}

/** The user id behind a peer id of this namespace, or null for a peer id that is not ours. */
export function userForPeerId(peerId: string, namespace: string): string | null {
  const prefix = `${namespace}-`;
  if (!peerId.startsWith(prefix)) return null;
  const rest = peerId.slice(prefix.length);
  if (rest.startsWith('u-')) {
    const id = rest.slice(2);
    return PLAIN_ID.test(id) ? id : null;
  }
  if (rest.startsWith('x-')) {
    const hex = rest.slice(2);
    if (!/^(?:[0-9a-f]{2})+$/.test(hex)) return null;
    const bytes = new Uint8Array(hex.match(/../g)!.map((pair) => parseInt(pair, 16)));
    let id: string;
    try {
      id = new TextDecoder('utf-8', { fatal: true }).decode(bytes);
    } catch {
      return null;
    }
    // Every id has exactly one peer id: a plain id hex-encoded would let anyone pose as its owner.
    return PLAIN_ID.test(id) ? null : id;
  }
  return null;
}

export function isValidNamespace(namespace: string): boolean {
  return NAMESPACE.test(namespace);
}
