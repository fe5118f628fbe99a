import { toOneLine } from '../text.js';
import type { ResolvedUser, UserInfo, UserProfile, UserResolver } from '../model.js';

/** Names longer than this are cut: a name labels a tile, it is not a paragraph. */
const MAX_NAME_LENGTH = 128;
/** A data: URL picture may be large, but not without bound. */
const MAX_AVATAR_URL_LENGTH = 64 * 1024;

interface Entry {
  name: string | null;
  avatarUrl: string | null;
}

/**
 * How the page names people, in order of trust: its resolver, then the names it gave when it rang
 * them (`startCall({ participants: [{ id, name }] })`); a name a peer sent about itself (or that
 * another peer relayed) comes last, since any peer can claim any name.
 */
export class UserDirectory {
  #resolver: UserResolver | null = null;
  /** What the resolver said, or is still working out (undefined while pending). */
  #resolved = new Map<string, Entry | undefined>();
  #given = new Map<string, string>();
  /** Bumped by every new resolver, so that a slow answer of the previous one is dropped. */
  #generation = 0;

  constructor(private readonly onChange: (userId: string) => void) {}

  setResolver(resolver: UserResolver | null): void {
    this.#resolver = resolver;
    this.#generation += 1;
    const known = [...this.#resolved.keys()];
    this.#resolved.clear();
    for (const userId of known) this.onChange(userId);
  }

  /** A name the local page gave for a user it rings. */
  noteGivenName(user: { id: string; name?: string }): void {
    const name = user.name === undefined ? null : cleanName(user.name);
    if (name && name !== user.id && this.#given.get(user.id) !== name) {
      this.#given.set(user.id, name);
      this.onChange(user.id);
    }
  }

  /** How to show `user`; asks the resolver the first time, and reports its answer through `onChange`. */
  profileOf(user: UserInfo): UserProfile {
    const entry = this.#lookup(user.id);
    return {
      id: user.id,
      name: entry?.name ?? this.#given.get(user.id) ?? (cleanName(user.name) || user.id),
      avatarUrl: entry?.avatarUrl ?? null,
    };
  }

  #lookup(userId: string): Entry | undefined {
    if (!this.#resolver || this.#resolved.has(userId)) return this.#resolved.get(userId);
    this.#resolved.set(userId, undefined);
    const generation = this.#generation;
    let answer: ReturnType<UserResolver>;
    try {
      answer = this.#resolver(userId);
    } catch {
      answer = null;
    }
    if (!(answer instanceof Promise)) {
      this.#resolved.set(userId, toEntry(answer));
      return this.#resolved.get(userId);
    }
    answer.then(
      (resolved) => this.#settle(generation, userId, toEntry(resolved)),
      () => this.#settle(generation, userId, { name: null, avatarUrl: null }),
    );
    return undefined;
  }

  #settle(generation: number, userId: string, entry: Entry): void {
    if (generation !== this.#generation) return;
    this.#resolved.set(userId, entry);
    if (entry.name || entry.avatarUrl) this.onChange(userId);
  }
}

/** One line of text, or '' when nothing is left of it. */
function cleanName(name: unknown): string {
  if (typeof name !== 'string') return '';
  // By code point, so that a cut never splits a character in two.
  return [...toOneLine(name)].slice(0, MAX_NAME_LENGTH).join('');
}

function toEntry(resolved: ResolvedUser | null | undefined): Entry {
  const name = cleanName(resolved?.name) || null;
  const url = resolved?.avatarUrl;
  const avatarUrl = typeof url === 'string' && url.length > 0 && url.length <= MAX_AVATAR_URL_LENGTH ? url : null;
  return { name, avatarUrl };
}
