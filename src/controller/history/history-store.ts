import type { CallHistoryEntry } from './history-entry.js';

/** Which of a user's entries an operation is about. */
export interface HistoryFilter {
  /** Only this conversation's entries; all of them when absent. */
  conversationId?: string;
}

/** Which entries {@link HistoryStore.remove} deletes, of those the filter selects. */
export interface HistoryRemoval extends HistoryFilter {
  /** Only entries that ended before this time (ms since the epoch). */
  endedBefore?: number;
  /** Keeps this many of the newest entries, removing the rest. */
  keepNewest?: number;
}

/**
 * Where call history is kept, per local user. {@link IndexedDbHistoryStore} keeps it across reloads;
 * {@link MemoryHistoryStore} for the life of the page. Entries come back newest first.
 */
export interface HistoryStore {
  /** Adds an entry, then removes the user's oldest entries beyond `limit`. */
  add(userId: string, entry: CallHistoryEntry, limit: number): Promise<void>;
  list(userId: string, filter?: HistoryFilter & { limit?: number }): Promise<CallHistoryEntry[]>;
  /** Resolves with how many entries were removed. */
  remove(userId: string, removal?: HistoryRemoval): Promise<number>;
  /** Marks the unseen missed calls as seen; resolves with how many changed. */
  markSeen(userId: string, filter?: HistoryFilter): Promise<number>;
  /** Lets go of what the store holds open while nobody is connected; the next operation opens it again. */
  close?(): Promise<void>;
}

const DATABASE_NAME = 'meshcall';
const DATABASE_VERSION = 1;
const STORE = 'call-history';
/** Per user, by end time: listing, capping and pruning. */
const BY_USER = 'by-user';
/** Per user and conversation, by end time: one conversation's log. */
const BY_CONVERSATION = 'by-conversation';

/** An entry as stored: with its owner, since every local user of the browser shares the store. */
type StoredEntry = CallHistoryEntry & { userId: string };

function completion(transaction: IDBTransaction): Promise<void> {
  return new Promise((resolve, reject) => {
    transaction.oncomplete = () => resolve();
    transaction.onerror = () => reject(transaction.error);
    transaction.onabort = () => reject(transaction.error ?? new DOMException('The transaction was aborted.', 'AbortError'));
  });
}

/**
 * Walks a cursor, newest first unless told otherwise, calling `visit` for each record until it
 * returns false. Callbacks rather than awaits: a transaction must not wait on anything but itself.
 */
function walk(
  source: IDBIndex,
  range: IDBKeyRange,
  direction: IDBCursorDirection,
  visit: (cursor: IDBCursorWithValue) => boolean | void,
): void {
  const request = source.openCursor(range, direction);
  request.onsuccess = () => {
    const cursor = request.result;
    if (cursor && visit(cursor) !== false) cursor.continue();
  };
}

function toEntry(stored: StoredEntry): CallHistoryEntry {
  const { userId: _owner, ...entry } = stored;
  return entry;
}

/** The call history in the browser's IndexedDB (database `meshcall`), so that it survives reloads. */
export class IndexedDbHistoryStore implements HistoryStore {
  #database: Promise<IDBDatabase> | null = null;

  constructor(readonly databaseName = DATABASE_NAME) {}

  /** Opens (and on first use creates) the database; rejects when the browser refuses IndexedDB. */
  open(): Promise<IDBDatabase> {
    this.#database ??= new Promise<IDBDatabase>((resolve, reject) => {
      if (typeof indexedDB === 'undefined') throw new DOMException('IndexedDB is not available.', 'NotSupportedError');
      const request = indexedDB.open(this.databaseName, DATABASE_VERSION);
      request.onupgradeneeded = () => {
        const store = request.result.createObjectStore(STORE, { keyPath: ['userId', 'id'] });
        store.createIndex(BY_USER, ['userId', 'endedAt']);
        store.createIndex(BY_CONVERSATION, ['userId', 'conversationId', 'endedAt']);
      };
      request.onsuccess = () => {
        const database = request.result;
        // Another page upgrading the database asks us to let go; the next call opens it again.
        database.onversionchange = () => {
          database.close();
          this.#database = null;
        };
        resolve(database);
      };
      request.onerror = () => reject(request.error);
      request.onblocked = () => reject(new DOMException('The call history database is blocked by another page.', 'InvalidStateError'));
    }).catch((error: unknown) => {
      this.#database = null;
      throw error;
    });
    return this.#database;
  }

  async close(): Promise<void> {
    const database = this.#database;
    this.#database = null;
    // Transactions under way finish first: close() only stops new ones.
    if (database) (await database.catch(() => null))?.close();
  }

  async add(userId: string, entry: CallHistoryEntry, limit: number): Promise<void> {
    const transaction = (await this.open()).transaction(STORE, 'readwrite');
    const done = completion(transaction);
    const store = transaction.objectStore(STORE);
    store.put({ ...entry, userId } satisfies StoredEntry);
    const index = store.index(BY_USER);
    const range = userRange(userId);
    const counted = index.count(range);
    counted.onsuccess = () => {
      let excess = counted.result - limit;
      if (excess <= 0) return;
      walk(index, range, 'next', (cursor) => {
        cursor.delete();
        excess -= 1;
        return excess > 0;
      });
    };
    await done;
  }

  async list(userId: string, filter: HistoryFilter & { limit?: number } = {}): Promise<CallHistoryEntry[]> {
    const transaction = (await this.open()).transaction(STORE, 'readonly');
    const done = completion(transaction);
    const entries: CallHistoryEntry[] = [];
    const limit = filter.limit ?? Infinity;
    if (limit > 0) {
      const [index, range] = selection(transaction.objectStore(STORE), userId, filter);
      walk(index, range, 'prev', (cursor) => {
        entries.push(toEntry(cursor.value as StoredEntry));
        return entries.length < limit;
      });
    }
    await done;
    return entries;
  }

  async remove(userId: string, removal: HistoryRemoval = {}): Promise<number> {
    const transaction = (await this.open()).transaction(STORE, 'readwrite');
    const done = completion(transaction);
    const [index, range] = selection(transaction.objectStore(STORE), userId, removal);
    let position = 0;
    let removed = 0;
    walk(index, range, 'prev', (cursor) => {
      const entry = cursor.value as StoredEntry;
      const keep = position < (removal.keepNewest ?? 0) || (removal.endedBefore !== undefined && entry.endedAt >= removal.endedBefore);
      position += 1;
      if (keep) return;
      cursor.delete();
      removed += 1;
    });
    await done;
    return removed;
  }

  async markSeen(userId: string, filter: HistoryFilter = {}): Promise<number> {
    const transaction = (await this.open()).transaction(STORE, 'readwrite');
    const done = completion(transaction);
    const [index, range] = selection(transaction.objectStore(STORE), userId, filter);
    let changed = 0;
    walk(index, range, 'prev', (cursor) => {
      const entry = cursor.value as StoredEntry;
      if (entry.seen) return;
      cursor.update({ ...entry, seen: true } satisfies StoredEntry);
      changed += 1;
    });
    await done;
    return changed;
  }
}

function userRange(userId: string): IDBKeyRange {
  return IDBKeyRange.bound([userId, -Infinity], [userId, Infinity]);
}

/** The index and key range that select a user's entries, or one conversation's, by end time. */
function selection(store: IDBObjectStore, userId: string, filter: HistoryFilter): [IDBIndex, IDBKeyRange] {
  if (filter.conversationId === undefined) return [store.index(BY_USER), userRange(userId)];
  const conversation = filter.conversationId;
  return [store.index(BY_CONVERSATION), IDBKeyRange.bound([userId, conversation, -Infinity], [userId, conversation, Infinity])];
}

/** Call history for the life of the page: where IndexedDB is refused, and in tests. */
export class MemoryHistoryStore implements HistoryStore {
  /** Per user, oldest first. */
  readonly #entries = new Map<string, CallHistoryEntry[]>();

  async add(userId: string, entry: CallHistoryEntry, limit: number): Promise<void> {
    const entries = [...(this.#entries.get(userId) ?? []).filter((existing) => existing.id !== entry.id), entry];
    entries.sort((a, b) => a.endedAt - b.endedAt);
    this.#entries.set(userId, entries.slice(Math.max(0, entries.length - limit)));
  }

  async list(userId: string, filter: HistoryFilter & { limit?: number } = {}): Promise<CallHistoryEntry[]> {
    return this.#selected(userId, filter).slice(0, filter.limit ?? Infinity);
  }

  async remove(userId: string, removal: HistoryRemoval = {}): Promise<number> {
    const selected = this.#selected(userId, removal);
    const keepNewest = removal.keepNewest ?? 0;
    const doomed = new Set(
      selected.filter(
        (entry, index) => index >= keepNewest && (removal.endedBefore === undefined || entry.endedAt < removal.endedBefore),
      ),
    );
    this.#entries.set(userId, (this.#entries.get(userId) ?? []).filter((entry) => !doomed.has(entry)));
    return doomed.size;
  }

  async markSeen(userId: string, filter: HistoryFilter = {}): Promise<number> {
    const unseen = new Set(this.#selected(userId, filter).filter((entry) => !entry.seen));
    const entries = this.#entries.get(userId) ?? [];
    this.#entries.set(userId, entries.map((entry) => (unseen.has(entry) ? { ...entry, seen: true } : entry)));
    return unseen.size;
  }

  /** Newest first. */
  #selected(userId: string, filter: HistoryFilter): CallHistoryEntry[] {
    const entries = this.#entries.get(userId) ?? [];
    return entries.filter((entry) => filter.conversationId === undefined || entry.conversationId === filter.conversationId).reverse();
  }
}
