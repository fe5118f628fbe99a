import type { ConnectionStats } from './stats.js';

/** How well a connection carries the call, as people judge it. */
export type NetworkQuality = 'excellent' | 'good' | 'poor' | 'lost';

const ORDER: readonly NetworkQuality[] = ['lost', 'poor', 'good', 'excellent'];
const rank = (level: NetworkQuality) => ORDER.indexOf(level);

export const worseOf = (a: NetworkQuality, b: NetworkQuality): NetworkQuality => (rank(a) <= rank(b) ? a : b);
export const betterOf = (a: NetworkQuality, b: NetworkQuality): NetworkQuality => (rank(a) >= rank(b) ? a : b);

export interface Impairments {
  rttMs: number;
  jitterMs: number;
  /** 0..1 */
  lossRatio: number;
}

/**
 * Mean opinion score (1 to 4.5) of a voice call under these impairments, by the simplified E-model
 * (ITU-T G.107) that WebRTC stacks use: the mouth-to-ear delay counts as the round trip plus twice
 * the jitter (the jitter buffer) plus 10 ms of codec delay; the R factor (93.2 with no impairment)
 * loses 1 per 40 ms of that delay up to 160 ms and 1 per 10 ms beyond, and 2.5 per percent of
 * packets lost; R maps to MOS by the standard polynomial.
 */
export function meanOpinionScore({ rttMs, jitterMs, lossRatio }: Impairments): number {
  const delay = rttMs + 2 * jitterMs + 10;
  let r = delay < 160 ? 93.2 - delay / 40 : 93.2 - (delay - 120) / 10;
  r -= 2.5 * lossRatio * 100;
  r = Math.min(100, Math.max(0, r));
  const mos = 1 + 0.035 * r + 0.000007 * r * (r - 60) * (100 - r);
  return Math.min(4.5, Math.max(1, mos));
}

/**
 * MOS thresholds as LiveKit uses them: above 4.1 a call sounds like being in the room (excellent),
 * above 3.6 most people are satisfied (good), below that many are not (poor).
 */
const EXCELLENT_MOS = 4.1;
const GOOD_MOS = 3.6;

/**
 * A connection that sends our camera at less than this share of what the send ladder asks for it is
 * not carrying the call as planned, whatever the audio impairments say (as Jitsi's indicator compares
 * the bitrate sent with the one the resolution needs).
 */
const GOOD_BANDWIDTH_SHARE = 0.7;
const POOR_BANDWIDTH_SHARE = 0.3;

function levelOfScore(mos: number): NetworkQuality {
  if (mos > EXCELLENT_MOS) return 'excellent';
  if (mos > GOOD_MOS) return 'good';
  return 'poor';
}

function levelOfShare(share: number): NetworkQuality {
  if (share >= GOOD_BANDWIDTH_SHARE) return 'excellent';
  if (share >= POOR_BANDWIDTH_SHARE) return 'good';
  return 'poor';
}

/**
 * The link as the receiving side sees it: their packets' loss and jitter on the way to us, the
 * round trip, and whether anything arrives at all.
 */
export function receiveQuality(stats: ConnectionStats): NetworkQuality {
  if (!stats.receiving) return 'lost';
  return levelOfScore(meanOpinionScore({ rttMs: stats.rttMs ?? 0, jitterMs: stats.jitterMs ?? 0, lossRatio: stats.lossRatio }));
}

/**
 * Our uplink on this connection: the loss and jitter the other side reports about what we send, the
 * round trip, and (where the browser estimates it) the bandwidth left for our camera compared with
 * what the ladder wants: `wantedBitrate`, or null when we send no video.
 */
export function sendQuality(stats: ConnectionStats, wantedBitrate: number | null): NetworkQuality {
  if (!stats.receiving) return 'lost';
  const mos = meanOpinionScore({
    rttMs: stats.rttMs ?? 0,
    jitterMs: stats.remoteJitterMs ?? 0,
    lossRatio: stats.remoteLossRatio ?? 0,
  });
  let level = levelOfScore(mos);
  if (wantedBitrate && stats.availableOutgoingBitrate !== null) {
    level = worseOf(level, levelOfShare(stats.availableOutgoingBitrate / wantedBitrate));
  }
  return level;
}

/**
 * Steadies a level read every sample so that an indicator does not flicker: a worse level is taken
 * once it held for `downSamples` readings in a row, a better one once it held for `upSamples`:
 * bad news travels faster than good. Until the first reading the level is null.
 */
export class QualityHysteresis {
  #level: NetworkQuality | null = null;
  #candidate: NetworkQuality | null = null;
  #count = 0;

  constructor(
    private readonly downSamples = 2,
    private readonly upSamples = 3,
  ) {}

  get level(): NetworkQuality | null {
    return this.#level;
  }

  /** Feeds one reading; returns the steadied level. */
  push(reading: NetworkQuality): NetworkQuality {
    if (this.#level === null || reading === this.#level) {
      this.#level ??= reading;
      this.#candidate = null;
      this.#count = 0;
      return this.#level;
    }
    if (reading !== this.#candidate) {
      this.#candidate = reading;
      this.#count = 0;
    }
    this.#count += 1;
    const worse = rank(reading) < rank(this.#level);
    const needed = worse ? this.downSamples : this.upSamples;
    if (this.#count >= needed) {
      this.#level = reading;
      this.#candidate = null;
      this.#count = 0;
    }
    return this.#level;
  }
}
