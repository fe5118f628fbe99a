import { isCallSecret } from './invitation.js';

/**
 * What a page keeps of its call while it reloads or navigates away, in sessionStorage, so that the
 * next page of the same tab can rejoin it (see docs/security.md for why the invitation may sit
 * there). Written on `pagehide`, taken (read and removed) by the next `connect()` of that user,
 * worthless after the grace the others hold the user for.
 */
export interface ResumableCall {
  userId: string;
  callId: string;
  /** The invitation: rejoining is a join like any newcomer's, admitted only because it shows this. */
  secret: string;
  conversationId: string;
  conversationTitle: string | null;
  direction: 'incoming' | 'outgoing';
  video: boolean;
  caller: { id: string; name: string };
  inviterId: string | null;
  ringTimeout: number;
  selfEpoch: number;
  createdAt: number;
  answeredAt: number | null;
  /** Those who had answered; those still ringing are left to their inviter's ring. */
  participants: Array<{ id: string; name: string; epoch: number; microphoneEnabled: boolean; cameraEnabled: boolean }>;
  microphone: boolean;
  camera: boolean;
  /** When the page went away; the others hold it until `savedAt + grace`. */
  savedAt: number;
  grace: number;
}

/** How long the others hold a participant who left the page, unless it says otherwise. */
export const DEFAULT_RESUME_GRACE_MS = 20000;
export const MIN_RESUME_GRACE_MS = 1000;
/** However long a page asks to be held, the others hold it no longer than this. */
export const MAX_RESUME_GRACE_MS = 60000;

export const isResumeGrace = (value: unknown): value is number =>
  Number.isInteger(value) && (value as number) >= MIN_RESUME_GRACE_MS && (value as number) <= MAX_RESUME_GRACE_MS;

const keyFor = (namespace: string, userId: string) => `meshcall:resume:${namespace}:${userId}`;

function session(): Storage | null {
  try {
    return globalThis.sessionStorage ?? null;
  } catch {
    // Storage denied (sandboxed frames, some privacy settings): there is nothing to resume from.
    return null;
  }
}

export function saveResumableCall(namespace: string, call: ResumableCall): void {
  try {
    session()?.setItem(keyFor(namespace, call.userId), JSON.stringify(call));
  } catch {
    // A full or refused storage means this page will not resume; the others drop it after the grace.
  }
}

/**
 * The call this tab's previous page left for `userId`, if it is still within its grace; removed
 * from storage whatever it holds, so that it is used once at most.
 */
export function takeResumableCall(namespace: string, userId: string, now = Date.now()): ResumableCall | null {
  const storage = session();
  if (!storage) return null;
  const key = keyFor(namespace, userId);
  let text: string | null;
  try {
    text = storage.getItem(key);
    storage.removeItem(key);
  } catch {
    return null;
  }
  if (!text) return null;
  let data: unknown;
  try {
    data = JSON.parse(text);
  } catch {
    return null;
  }
  const call = asResumableCall(data);
  if (!call || call.userId !== userId || call.savedAt > now || now > call.savedAt + call.grace) return null;
  return call;
}

const isObject = (value: unknown): value is Record<string, unknown> => typeof value === 'object' && value !== null && !Array.isArray(value);
const isId = (value: unknown): value is string => typeof value === 'string' && value.length > 0 && value.length <= 128;
const isTime = (value: unknown): value is number => Number.isFinite(value) && (value as number) > 0;
const isCount = (value: unknown): value is number => Number.isInteger(value) && (value as number) >= 1 && (value as number) <= 1_000_000;

/** Storage is the page's own, but another script of the origin (or an older version) may have written it. */
function asResumableCall(data: unknown): ResumableCall | null {
  if (!isObject(data) || !isId(data.userId) || !isId(data.callId) || !isCallSecret(data.secret) || !isId(data.conversationId)) return null;
  if (data.conversationTitle !== null && typeof data.conversationTitle !== 'string') return null;
  if (data.direction !== 'incoming' && data.direction !== 'outgoing') return null;
  if (typeof data.video !== 'boolean' || typeof data.microphone !== 'boolean' || typeof data.camera !== 'boolean') return null;
  const caller = data.caller;
  if (!isObject(caller) || !isId(caller.id) || typeof caller.name !== 'string') return null;
  if (data.inviterId !== null && !isId(data.inviterId)) return null;
  if (!isCount(data.ringTimeout) || !isCount(data.selfEpoch) || !isTime(data.createdAt) || !isTime(data.savedAt)) return null;
  if (data.answeredAt !== null && !isTime(data.answeredAt)) return null;
  if (!isResumeGrace(data.grace) || !Array.isArray(data.participants) || data.participants.length === 0 || data.participants.length > 32) return null;
  const participants: ResumableCall['participants'] = [];
  for (const entry of data.participants) {
    if (!isObject(entry) || !isId(entry.id) || typeof entry.name !== 'string' || !isCount(entry.epoch)) return null;
    if (typeof entry.microphoneEnabled !== 'boolean' || typeof entry.cameraEnabled !== 'boolean') return null;
    participants.push({ id: entry.id, name: entry.name, epoch: entry.epoch, microphoneEnabled: entry.microphoneEnabled, cameraEnabled: entry.cameraEnabled });
  }
  return {
    userId: data.userId,
    callId: data.callId,
    secret: data.secret,
    conversationId: data.conversationId,
    conversationTitle: data.conversationTitle as string | null,
    direction: data.direction,
    video: data.video,
    caller: { id: caller.id, name: caller.name },
    inviterId: data.inviterId as string | null,
    ringTimeout: data.ringTimeout,
    selfEpoch: data.selfEpoch,
    createdAt: data.createdAt,
    answeredAt: data.answeredAt as number | null,
    participants,
    microphone: data.microphone,
    camera: data.camera,
    savedAt: data.savedAt,
    grace: data.grace,
  };
}
