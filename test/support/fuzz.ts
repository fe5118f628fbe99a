import { newCallSecret } from '../../src/controller/call/invitation.js';
import { parseMessageText } from '../../src/controller/protocol.js';

/** A small seeded generator (mulberry32): a failing run can be replayed from its seed. */
export function randomSource(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export type Junk = string | ArrayBuffer;

const ODD_VALUES: unknown[] = [null, 0, -1, 1e308, '', 'x'.repeat(300), true, [], {}, [[[]]], { __proto__: { v: 1 } }, 'constructor', '__proto__'];

/**
 * Messages meshcall must drop: random text, random JSON, its own messages with one field broken,
 * deep nesting, text above the size limit, binary frames (one a 5-byte header declaring a map of 4
 * billion entries, which once froze PeerJS's binary reader), and well-formed signals for calls and
 * connections that do not exist. Each text one that meshcall could take is left out, so that a
 * message that does something (a valid hangup, say) never slips in.
 */
export function junkMessages(count: number, seed: number, { callId, maxBytes }: { callId: string; maxBytes: number }): Junk[] {
  const random = randomSource(seed);
  const pick = <T>(items: readonly T[]): T => items[Math.floor(random() * items.length)];
  const text = (length: number) => String.fromCharCode(...Array.from({ length }, () => Math.floor(random() * 0xffff)));
  const value = (depth: number): unknown => {
    const roll = random();
    if (depth > 4 || roll < 0.3) return pick(ODD_VALUES);
    if (roll < 0.45) return text(Math.floor(random() * 40));
    if (roll < 0.6) return random() * 1e6;
    if (roll < 0.8) return Array.from({ length: Math.floor(random() * 5) }, () => value(depth + 1));
    return Object.fromEntries(Array.from({ length: Math.floor(random() * 5) }, () => [pick(['v', 'type', 'callId', 'roster', 'media', text(3)]), value(depth + 1)]));
  };
  const media = { microphone: true, camera: false };
  const user = { id: 'fuzzer', name: 'Fuzzer' };
  const templates = (): Record<string, unknown>[] => [
    { v: 1, type: 'ring', callId, conversationId: 'c', video: true, from: user, media, roster: [], timeout: 30000, secret: newCallSecret() },
    { v: 1, type: 'join', callId, user, media, epoch: 1, secret: newCallSecret() },
    { v: 1, type: 'roster', callId, roster: [{ id: 'fuzzer', state: 'joined', epoch: 1 }] },
    { v: 1, type: 'media', callId, media },
    { v: 1, type: 'hangup', callId },
    { v: 1, type: 'decline', callId, busy: false },
    { v: 1, type: 'signal', callId, from: 'f1', to: 'f2', candidate: { candidate: 'candidate:1 1 udp 1 127.0.0.1 9 typ host' } },
  ];
  const broken = () => {
    const message = pick(templates());
    const field = pick(Object.keys(message).filter((key) => key !== 'v' || random() < 0.2));
    message[field] = pick(ODD_VALUES.filter((odd) => typeof odd !== 'boolean' || field !== 'busy'));
    return JSON.stringify(message);
  };
  const unknownSignal = () =>
    JSON.stringify({
      v: 1,
      type: 'signal',
      callId: random() < 0.5 ? crypto.randomUUID() : callId,
      from: `nobody${Math.floor(random() * 1e6)}`,
      to: `nowhere${Math.floor(random() * 1e6)}`,
      candidate: { candidate: `candidate:${Math.floor(random() * 1e6)} 1 udp 1 127.0.0.1 9 typ host`, sdpMid: '0' },
    });
  const binary = () => {
    if (random() < 0.2) return new Uint8Array([0xdf, 0xff, 0xff, 0xff, 0xff]).buffer;
    return crypto.getRandomValues(new Uint8Array(1 + Math.floor(random() * 2048))).buffer;
  };
  const kinds: (() => Junk)[] = [
    () => text(1 + Math.floor(random() * 200)),
    () => JSON.stringify(value(0)),
    broken,
    broken,
    unknownSignal,
    binary,
  ];
  const junk: Junk[] = [];
  // A few of the heavy ones, wherever they fall.
  junk.push('['.repeat(40000) + ']'.repeat(40000), `{"v":1,"type":"hangup","callId":"${callId}","pad":"${'x'.repeat(maxBytes)}"}`, 'x'.repeat(maxBytes));
  while (junk.length < count) {
    const message = pick(kinds)();
    const taken = typeof message === 'string' && parseMessageText(message);
    if (taken && taken.type !== 'signal') continue;
    junk.push(message);
  }
  return junk;
}
