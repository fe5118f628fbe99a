import { CallError } from '../errors.js';
import {
  CallErrorEvent,
  CallHistoryAddEvent,
  CallHistoryChangeEvent,
  CallHistoryMissedChangeEvent,
  type CallControllerEventMap,
} from '../events.js';
import type { Call, CallEndReason, Participant, UserInfo, WaitingCall } from '../model.js';
import { outcomeOf, type CallHistoryEntry } from './history-entry.js';
import { IndexedDbHistoryStore, MemoryHistoryStore, type HistoryFilter, type HistoryStore } from './history-store.js';
import { randomId } from '../random-id.js';

export * from './history-entry.js';
export * from './history-store.js';

/** What the history needs of a controller: its user, its events, and a way to dispatch its own. */
export interface CallHistoryHost extends EventTarget {
  readonly user: UserInfo | null;
  readonly call: Call | null;
}

export interface CallHistoryOptions {
  /** Where entries are kept; defaults to IndexedDB, or to memory where the browser refuses IndexedDB. */
  store?: HistoryStore;
  /** How many entries to keep per user; the oldest go first. Defaults to {@link DEFAULT_HISTORY_LIMIT}. */
  limit?: number;
}

export interface CallHistoryQuery {
  /** Only this conversation's calls; every call when absent. */
  conversationId?: string;
  /** At most this many, the newest. */
  limit?: number;
}

/** What {@link CallHistory.prune} removes. Both given: entries that are older and beyond the newest `keep`. */
export interface CallHistoryPruning {
  /** Removes entries of calls that ended before this time. */
  before?: Date | number;
  /** Keeps only this many of the newest entries. */
  keep?: number;
}

export const DEFAULT_HISTORY_LIMIT = 500;

/** What the history notes about a call while it goes on; `call-ended` alone no longer has it all. */
interface CallNotes {
  /** Every remote participant seen, rung or joined, by id. */
  people: Map<string, UserInfo>;
  /** Those who were in the call while we were. */
  joined: Set<string>;
  lastError: CallError | null;
}

/**
 * The local user's call history. It watches the controller's events (it holds no call logic), adds
 * an entry when a call ends, keeps entries per user (in IndexedDB by default, so they survive
 * reloads, capped at {@link limit} per user) and counts the missed calls the user has not seen.
 *
 * It dispatches its events on the controller: `call-history-add` with each new entry (to post
 * "Missed call from Bob" in a chat, or sync the log to a server), `call-history-change` when entries
 * change otherwise (cleared, pruned, seen, another user connected), `call-history-missed-change` when
 * the unseen missed count changes.
 */
export class CallHistory {
  /** How many entries are kept per user; lowering it takes effect with the next entry or {@link prune}. */
  limit: number;

  readonly #host: CallHistoryHost;
  #store: HistoryStore;
  readonly #notes = new WeakMap<Call, CallNotes>();
  /** The user whose history this is: the controller's, followed as it connects and disconnects. */
  #userId: string | null = null;
  /** Unseen missed calls of the current user, per conversation. */
  #missed = new Map<string, number>();
  /** Operations run one after the other, so that a list follows the writes asked for before it. */
  #queue: Promise<unknown> = Promise.resolve();
  #storageReported = false;

  constructor(host: CallHistoryHost, options: CallHistoryOptions = {}) {
    this.#host = host;
    this.#store = options.store ?? new IndexedDbHistoryStore();
    this.limit = options.limit ?? DEFAULT_HISTORY_LIMIT;
    const on = <K extends keyof CallControllerEventMap>(type: K, listener: (event: CallControllerEventMap[K]) => void) =>
      host.addEventListener(type, listener as EventListener);
    on('call-state-change', () => {
      this.#followUser();
      if (host.call) this.#noteAll(host.call);
    });
    on('call-incoming', (event) => this.#noteAll(event.call));
    on('call-participant-joined', (event) => this.#note(event.call, event.participant));
    on('call-participant-change', (event) => this.#note(event.call, event.participant));
    on('call-participant-left', (event) => this.#note(event.call, event.participant));
    on('call-error', (event) => {
      if (host.call) this.#notesOf(host.call).lastError = event.error;
    });
    on('call-ended', (event) => this.#record(event.call, event.reason));
    // A call that waited while we were in another one and never rang through is a call of its own.
    on('call-waiting-ended', (event) => {
      if (event.reason === 'declined' || event.reason === 'cancelled' || event.reason === 'missed') {
        this.#recordWaiting(event.waitingCall, event.reason === 'declined' ? 'declined' : 'missed');
      }
    });
  }

  /** The user whose history this is, or null while the controller is not connected. */
  get userId(): string | null {
    return this.#userId;
  }

  /** Missed calls the user has not seen yet, in every conversation. */
  get missedCount(): number {
    let count = 0;
    for (const missed of this.#missed.values()) count += missed;
    return count;
  }

  /** Missed calls in one conversation that the user has not seen yet. */
  missedCountOf(conversationId: string): number {
    return this.#missed.get(conversationId) ?? 0;
  }

  /** The user's past calls, newest first. */
  list(query: CallHistoryQuery = {}): Promise<CallHistoryEntry[]> {
    const userId = this.#userId;
    if (userId === null) return Promise.resolve([]);
    const filter: HistoryFilter & { limit?: number } = { limit: query.limit };
    if (query.conversationId !== undefined) filter.conversationId = query.conversationId;
    return this.#enqueue(() => this.#store.list(userId, filter));
  }

  /** Forgets the user's calls, or one conversation's. */
  async clear(conversationId?: string): Promise<void> {
    await this.#remove(conversationId === undefined ? {} : { conversationId });
  }

  /** Removes old entries; resolves with how many went. */
  prune(pruning: CallHistoryPruning): Promise<number> {
    const before = pruning.before instanceof Date ? pruning.before.getTime() : pruning.before;
    if (before === undefined && pruning.keep === undefined) return Promise.resolve(0);
    return this.#remove({ endedBefore: before, keepNewest: pruning.keep });
  }

  /** The user has seen their missed calls (in one conversation, or everywhere): the count goes to 0. */
  async markSeen(conversationId?: string): Promise<void> {
    const userId = this.#userId;
    if (userId === null) return;
    const filter: HistoryFilter = conversationId === undefined ? {} : { conversationId };
    const changed = await this.#enqueue(() => this.#store.markSeen(userId, filter));
    if (userId !== this.#userId || changed === 0) return;
    await this.#reloadMissed(userId);
    this.#host.dispatchEvent(new CallHistoryChangeEvent());
  }

  /** The user's whole history as JSON text, newest first, for a download or a backend. */
  async export(): Promise<string> {
    const entries = await this.list();
    return JSON.stringify({ format: 'meshcall-call-history', version: 1, userId: this.#userId, exportedAt: Date.now(), entries }, null, 2);
  }

  // ---- following the controller ----

  #followUser(): void {
    const userId = this.#host.user?.id ?? null;
    if (userId === this.#userId) return;
    this.#userId = userId;
    const hadMissed = this.missedCount > 0;
    this.#missed = new Map();
    this.#host.dispatchEvent(new CallHistoryChangeEvent());
    if (hadMissed) this.#host.dispatchEvent(new CallHistoryMissedChangeEvent(0));
    if (userId !== null) void this.#reloadMissed(userId);
    // Nobody's history is shown until the next connect(): the database connection is not kept for it.
    else void this.#enqueue(async () => this.#store.close?.());
  }

  #notesOf(call: Call): CallNotes {
    let notes = this.#notes.get(call);
    if (!notes) {
      notes = { people: new Map(), joined: new Set(), lastError: null };
      this.#notes.set(call, notes);
    }
    return notes;
  }

  #noteAll(call: Call): void {
    for (const participant of call.participants.values()) this.#note(call, participant);
  }

  #note(call: Call, participant: Participant): void {
    if (participant.isLocal) return;
    const notes = this.#notesOf(call);
    notes.people.set(participant.id, { id: participant.id, name: participant.name });
    // A callee's caller, and anyone who joined before it answered, count from its answer on.
    const together = call.direction === 'outgoing' || call.answeredAt !== null;
    if (together && (participant.state === 'connecting' || participant.state === 'connected')) notes.joined.add(participant.id);
  }

  #record(call: Call, reason: CallEndReason): void {
    // The call that took its place is the one to remember.
    if (reason === 'crossed') return;
    const userId = this.#host.user?.id ?? this.#userId;
    if (userId === null) return;
    const notes = this.#notesOf(call);
    if (call.direction === 'incoming' && !notes.people.has(call.caller.id)) notes.people.set(call.caller.id, call.caller);
    for (const participant of call.participants.values()) {
      if (!notes.people.has(participant.id)) notes.people.set(participant.id, { id: participant.id, name: participant.name });
    }
    const endedAt = Date.now();
    const answered = call.answeredAt !== null;
    const { outcome, failureReason } = outcomeOf(call.direction, answered, reason);
    const people = [...notes.people.values()];
    const entry: CallHistoryEntry = {
      id: randomId(),
      callId: call.id,
      conversationId: call.conversationId,
      conversationTitle: call.conversationTitle,
      direction: call.direction,
      video: call.video,
      caller: { id: call.caller.id, name: call.caller.name },
      participants: people,
      joined: answered ? people.filter((person) => notes.joined.has(person.id)) : [],
      startedAt: call.createdAt,
      answeredAt: call.answeredAt,
      endedAt,
      duration: answered ? Math.max(0, endedAt - call.answeredAt!) : 0,
      outcome,
      endReason: reason,
      failureReason,
      errorType: notes.lastError?.type ?? null,
      seen: outcome !== 'missed',
    };
    this.#add(userId, entry);
  }

  #recordWaiting(waiting: WaitingCall, reason: 'declined' | 'missed'): void {
    const userId = this.#host.user?.id ?? this.#userId;
    if (userId === null) return;
    const { outcome, failureReason } = outcomeOf('incoming', false, reason);
    const caller = { id: waiting.caller.id, name: waiting.caller.name };
    this.#add(userId, {
      id: randomId(),
      callId: waiting.id,
      conversationId: waiting.conversationId,
      conversationTitle: waiting.conversationTitle,
      direction: 'incoming',
      video: waiting.video,
      caller,
      participants: [caller],
      joined: [],
      startedAt: waiting.receivedAt,
      answeredAt: null,
      endedAt: Date.now(),
      duration: 0,
      outcome,
      endReason: reason,
      failureReason,
      errorType: null,
      seen: outcome !== 'missed',
    });
  }

  #add(userId: string, entry: CallHistoryEntry): void {
    void this.#enqueue(() => this.#store.add(userId, entry, this.limit)).then(() => {
      // A call that `disconnect()` ended is stored before the user goes: still announced, not counted.
      const current = userId === this.#userId;
      if (current && !entry.seen) this.#missed.set(entry.conversationId, this.missedCountOf(entry.conversationId) + 1);
      this.#host.dispatchEvent(new CallHistoryAddEvent(entry));
      if (current && !entry.seen) this.#host.dispatchEvent(new CallHistoryMissedChangeEvent(this.missedCount));
    });
  }

  // ---- storage ----

  async #remove(removal: Parameters<HistoryStore['remove']>[1]): Promise<number> {
    const userId = this.#userId;
    if (userId === null) return 0;
    const removed = await this.#enqueue(() => this.#store.remove(userId, removal));
    if (userId !== this.#userId || removed === 0) return removed;
    await this.#reloadMissed(userId);
    this.#host.dispatchEvent(new CallHistoryChangeEvent());
    return removed;
  }

  /** Counts the user's unseen missed calls again, and says so when the total changed. */
  async #reloadMissed(userId: string): Promise<void> {
    const entries = await this.#enqueue(() => this.#store.list(userId));
    if (userId !== this.#userId) return;
    const before = this.missedCount;
    const missed = new Map<string, number>();
    for (const entry of entries) {
      if (!entry.seen) missed.set(entry.conversationId, (missed.get(entry.conversationId) ?? 0) + 1);
    }
    this.#missed = missed;
    if (this.missedCount !== before) this.#host.dispatchEvent(new CallHistoryMissedChangeEvent(this.missedCount));
  }

  /**
   * Runs a store operation after those before it. A store that fails (IndexedDB refused, as in some
   * private modes, or full) is replaced by one in memory for the rest of the page, which is said
   * once, as `history-unavailable`, and the operation runs again there.
   */
  #enqueue<T>(operation: () => Promise<T>): Promise<T> {
    const run = async (): Promise<T> => {
      try {
        return await operation();
      } catch (error) {
        this.#reportStorage(error);
        if (!(this.#store instanceof MemoryHistoryStore)) {
          this.#store = new MemoryHistoryStore();
          return operation();
        }
        throw error;
      }
    };
    const result = this.#queue.then(run, run);
    this.#queue = result.catch(() => undefined);
    return result;
  }

  #reportStorage(cause: unknown): void {
    if (this.#storageReported) return;
    this.#storageReported = true;
    const error = new CallError(
      'history-unavailable',
      'The call history cannot be saved in this browser; it is kept until the page closes.',
      { cause },
    );
    this.#host.dispatchEvent(new CallErrorEvent(error));
  }
}
