/**
 * How many messages a sender may send: a token bucket per sender, so that bursts a call really
 * makes (candidates at set-up, a roster after each change) pass, and a flood is cut to a steady
 * trickle. It keeps a bounded number of senders, so that senders who do not exist (any peer id can
 * be named through the signalling server) cannot make it grow.
 */
export interface RateLimit {
  /** Messages a sender may send at once. */
  burst: number;
  /** Messages per second a sender may keep sending. */
  perSecond: number;
}

/** A call at set-up sends a few dozen messages in a burst; a working call a few a second. */
export const PEER_RATE_LIMIT: RateLimit = { burst: 200, perSecond: 50 };

/** Rings, accepts, rosters and goodbyes: a handful per call and person. */
export const CONTROL_RATE_LIMIT: RateLimit = { burst: 60, perSecond: 10 };

/**
 * What a sender may relay through the signalling server, kept in two allowances: a sender's own
 * connection signals (candidates come in dozens) cannot use up what its ring, accept or hang-up
 * needs, and neither kind can flood. Read from the payload's `type` alone, before any validation.
 */
export class RelayLimiter {
  readonly #signals = new RateLimiter(PEER_RATE_LIMIT);
  readonly #control = new RateLimiter(CONTROL_RATE_LIMIT);

  take(sender: string, payload: unknown): boolean {
    const isSignal = typeof payload === 'object' && payload !== null && (payload as { type?: unknown }).type === 'signal';
    return (isSignal ? this.#signals : this.#control).take(sender);
  }
}

interface Bucket {
  tokens: number;
  at: number;
}

export class TokenBucket {
  #bucket: Bucket;

  constructor(private readonly limit: RateLimit) {
    this.#bucket = { tokens: limit.burst, at: performance.now() };
  }

  take(): boolean {
    return take(this.#bucket, this.limit, performance.now());
  }
}

export class RateLimiter {
  readonly #buckets = new Map<string, Bucket>();

  constructor(
    private readonly limit: RateLimit,
    private readonly maxSenders = 256,
  ) {}

  take(sender: string): boolean {
    const now = performance.now();
    let bucket = this.#buckets.get(sender);
    if (!bucket) {
      if (this.#buckets.size >= this.maxSenders) this.#forgetIdle(now);
      bucket = { tokens: this.limit.burst, at: now };
      this.#buckets.set(sender, bucket);
    }
    return take(bucket, this.limit, now);
  }

  /** How many senders it remembers (bounded by `maxSenders`). */
  get size(): number {
    return this.#buckets.size;
  }

  /** Senders whose bucket has refilled are forgotten (a new bucket is as full); failing that, the oldest. */
  #forgetIdle(now: number): void {
    for (const [sender, bucket] of this.#buckets) {
      if (refilled(bucket, this.limit, now) >= this.limit.burst) this.#buckets.delete(sender);
    }
    if (this.#buckets.size >= this.maxSenders) this.#buckets.delete(this.#buckets.keys().next().value!);
  }
}

function refilled(bucket: Bucket, limit: RateLimit, now: number): number {
  return Math.min(limit.burst, bucket.tokens + ((now - bucket.at) / 1000) * limit.perSecond);
}

function take(bucket: Bucket, limit: RateLimit, now: number): boolean {
  bucket.tokens = refilled(bucket, limit, now);
  bucket.at = now;
  if (bucket.tokens < 1) return false;
  bucket.tokens -= 1;
  return true;
}
