import type { VideoEncoding } from '../mesh/send-ladder.js';
import type { QualityLimitationReason } from './stats.js';

/**
 * How meshcall shares its uplink among the connections of a mesh. Pure: fed one report per
 * connection per sample, it returns the encoding of each sender; it keeps only its own memory
 * (estimates, pauses) and reads the time from its input.
 *
 * The estimate is the uplink's, not each connection's. A mesh sends N−1 copies of the camera over
 * one uplink, and the browser runs one congestion controller per connection: they compete, so each
 * connection's estimate says more about its share of the fight than about what its receiver can
 * take (measured here: 107–276 kbit/s on two connections of one 400 kbit/s uplink). The sum of the
 * estimates is the uplink; the minimum × (N−1) would let one participant's bad downlink starve
 * everyone else's video. So: one budget (the sum), the same share for each connection, except that
 * a connection is not given more than a margin above its own estimate (a receiver that really is
 * the bottleneck), and what it leaves goes to the others.
 *
 * Within a connection's share: audio first (its reserve is never given to video), then a screen
 * share, then the camera. The camera never goes above the send ladder's rung; it pauses when its
 * share cannot carry even small video, and comes back by itself (probing at the lowest size, with
 * a growing wait after each failed try). When the estimate recovers, the encodings recover with it
 * at once, rather than by the browser's own slow resolution steps.
 */

/** One connection's view of the last sample. */
export interface SenderReport {
  userId: string;
  /** Chromium's estimate for the whole connection, bits/s; null where the browser gives none (Firefox). */
  availableOutgoingBitrate: number | null;
  /** What we sent on it, bits/s: everything, and our camera alone. */
  sendBitrate: number;
  videoSendBitrate: number;
  /** What the receiver reported lost of what we send since the last sample, 0..1; null when no report came. */
  remoteLossRatio: number | null;
  /** Round trip, ms; a queue building up on the way shows here first. */
  rttMs: number | null;
  qualityLimitationReason: QualityLimitationReason | null;
}

export interface PolicyInput {
  /** Milliseconds, any monotonic clock. */
  now: number;
  /** The send ladder's encoding for this size of call (see {@link withDataSaver}): the ceiling. */
  ladder: VideoEncoding;
  /** Lines the camera captures (the ladder's scale is relative to it). */
  captureHeight: number;
  /** Whether we send a camera at all; without one, nothing is paused or adapted. */
  cameraOn: boolean;
  /** The screen share's ceiling, when we share a screen (it comes before the camera). */
  screen?: VideoEncoding | null;
  connections: readonly SenderReport[];
}

/** A sender's encoding; `active: false` pauses it. */
export interface SenderEncoding extends VideoEncoding {
  active: boolean;
}

export interface ConnectionDecision {
  userId: string;
  /** The connection's share of the uplink, bits/s, audio included. */
  budget: number;
  camera: SenderEncoding;
  /** Only while a screen is shared. */
  screen: SenderEncoding | null;
}

export interface PolicyDecision {
  /** The uplink estimated across the mesh, bits/s. */
  uplink: number;
  connections: ConnectionDecision[];
}

/** Opus at 32 kbit/s plus its packet overhead: the audio is never asked to make room. */
export const AUDIO_RESERVE = 48_000;
/** The share of an estimate that is planned for; the rest absorbs the estimate's own noise. */
const HEADROOM = 0.9;
/** A connection may get this much above its own estimate when its share is larger. */
const OWN_ESTIMATE_MARGIN = 1.25;
/**
 * Below this much for the camera, video is more freeze than picture: it pauses. At 180 lines and
 * 10 fps, 35 kbit/s still moves; a pause is itself a freeze on every receiver, so it waits for a
 * share that small (measured here: with 60 kbit/s, a 3-person call on a 400 kbit/s uplink paused
 * three times in 30 s, where sending on would have shown a picture throughout).
 */
const PAUSE_BELOW = 35_000;
/** Two bad samples in a row pause; one is noise. */
const PAUSE_AFTER_SAMPLES = 2;
/** A paused camera tries again after this long, doubled after each try that failed, up to the maximum. */
const PROBE_AFTER_MS = 3000;
const MAX_PROBE_AFTER_MS = 12_000;
/**
 * Congestion shows as a queue (the round trip grows above the lowest seen), as loss, or as the
 * browser's estimate falling. The browser's
 * own "limited by bandwidth" is no sign of it: it says so whenever its estimate is low, and the
 * estimate stays low while we send little (after a pause, a cut).
 */
const QUEUE_DELAY_MS = 150;
/** An estimate below this share of the last one has fallen: congestion. */
const ESTIMATE_DROP = 0.85;
/** After congestion the budget holds this long before growing again, so that sizes do not see-saw. */
const HOLD_AFTER_CONGESTION_MS = 5000;
/** Loss reports above this mean congestion (the browsers' loss-based controllers use 10 %). */
const CONGESTION_LOSS = 0.1;
/** Loss below this lets a Firefox estimate grow (8 % a sample, as those controllers do). */
const CLEAR_LOSS = 0.02;
const LOSS_GROWTH = 1.08;
/**
 * How fast a budget grows while nothing shows congestion, a sample. Raising what a sender may send
 * also makes Chromium probe the link, so its estimate follows within seconds rather than the half
 * minute its own ramp takes after a cut.
 */
const PROBE_GROWTH = 1.5;
/** Where a loss-based estimate stops growing: far above anything a mesh sends. */
const MAX_ESTIMATE = 20_000_000;

/**
 * Video sizes by bitrate, from the field: 720p ~1.5 Mbit/s, 360p ~450 kbit/s, 180p ~150 kbit/s. A
 * budget picks the largest size whose floor it clears; below 250 kbit/s the frame rate drops too,
 * so that each frame keeps enough bits.
 */
const SIZES: ReadonlyArray<{ height: number; floor: number }> = [
  { height: 720, floor: 1_000_000 },
  { height: 540, floor: 650_000 },
  { height: 360, floor: 300_000 },
  { height: 270, floor: 180_000 },
  { height: 180, floor: 0 },
];
const DATA_SAVER: Omit<VideoEncoding, 'scaleResolutionDownBy'> & { height: number } = { height: 180, maxBitrate: 150_000, maxFramerate: 15 };

interface ConnectionMemory {
  /** Firefox: our own loss-based estimate, bits/s. */
  estimate: number | null;
  /** Chromium: the budget of the last sample, and until when it may not grow. */
  budget: number | null;
  holdUntil: number;
  /** The lowest round trip seen: the link without a queue. */
  baseRttMs: number | null;
  /** Chromium's estimate at the last sample. */
  lastAvailable: number | null;
  lowSamples: number;
  paused: boolean;
  /** While paused: when to try again, and how long the next wait is. */
  probeAt: number;
  probeWait: number;
  /** Trying to come back from a pause. */
  probing: boolean;
}

export class AdaptationPolicy {
  readonly #memory = new Map<string, ConnectionMemory>();

  /** Whether the camera to this user is paused right now. */
  isPaused(userId: string): boolean {
    return this.#memory.get(userId)?.paused ?? false;
  }

  decide(input: PolicyInput): PolicyDecision {
    for (const userId of this.#memory.keys()) {
      if (!input.connections.some((report) => report.userId === userId)) this.#memory.delete(userId);
    }
    const estimates = input.connections.map((report) => this.#estimate(report, input));
    const uplink = estimates.reduce((sum, each) => sum + each, 0);
    const budgets = shareOut(uplink, estimates.map((each) => each * OWN_ESTIMATE_MARGIN));
    const connections = input.connections.map((report, index) => this.#decideConnection(report, budgets[index]!, input));
    return { uplink: Math.round(uplink), connections };
  }

  /** What this connection can carry, bits/s (audio included). */
  #estimate(report: SenderReport, input: PolicyInput): number {
    const memory = this.#remember(report.userId, input.now);
    // Enough for everything at the ladder's rung, after the headroom.
    const ceiling = (input.ladder.maxBitrate + (input.screen?.maxBitrate ?? 0) + AUDIO_RESERVE) / HEADROOM;
    if (report.availableOutgoingBitrate !== null) {
      const available = report.availableOutgoingBitrate;
      let budget: number;
      if (this.#congested(memory, report)) {
        budget = available;
        memory.holdUntil = input.now + HOLD_AFTER_CONGESTION_MS;
      } else if (input.now < memory.holdUntil) {
        budget = Math.max(available, memory.budget ?? 0);
      } else {
        // The browser's estimate grows only as far as we let it send: open the way.
        budget = Math.max(available, Math.max(memory.budget ?? 0, report.sendBitrate) * PROBE_GROWTH);
      }
      memory.budget = Math.min(ceiling, budget);
      return memory.budget;
    }
    const loss = report.remoteLossRatio;
    const sent = Math.max(report.sendBitrate, AUDIO_RESERVE);
    // Until a loss shows a limit, there is none. Without a new report, nothing is known to have changed.
    let estimate = memory.estimate ?? MAX_ESTIMATE;
    if (loss !== null && loss > CONGESTION_LOSS) estimate = Math.min(estimate, sent * (1 - 0.5 * loss));
    else if (loss !== null && loss < CLEAR_LOSS) estimate = Math.max(estimate, sent) * LOSS_GROWTH;
    // Not bounded by our own ceiling: when that rises (data saver off, a smaller call), the
    // network's limit is what counts.
    memory.estimate = Math.min(MAX_ESTIMATE, Math.max(AUDIO_RESERVE, estimate));
    return Math.min(ceiling, memory.estimate);
  }

  #congested(memory: ConnectionMemory, report: SenderReport): boolean {
    if (report.rttMs !== null) memory.baseRttMs = Math.min(memory.baseRttMs ?? Infinity, report.rttMs);
    const queued = report.rttMs !== null && memory.baseRttMs !== null && report.rttMs > memory.baseRttMs + QUEUE_DELAY_MS;
    // The browser's estimate falls when its own controller saw congestion (often before any queue
    // shows in the round trip); one that only lags behind what we allow does not fall.
    const available = report.availableOutgoingBitrate;
    const falling = available !== null && memory.lastAvailable !== null && available < memory.lastAvailable * ESTIMATE_DROP;
    memory.lastAvailable = available;
    return queued || falling || (report.remoteLossRatio ?? 0) > CONGESTION_LOSS;
  }

  #remember(userId: string, now: number): ConnectionMemory {
    let memory = this.#memory.get(userId);
    if (!memory) {
      memory = { estimate: null, budget: null, holdUntil: 0, baseRttMs: null, lastAvailable: null, lowSamples: 0, paused: false, probeAt: now, probeWait: PROBE_AFTER_MS, probing: false };
      this.#memory.set(userId, memory);
    }
    return memory;
  }

  #decideConnection(report: SenderReport, budget: number, input: PolicyInput): ConnectionDecision {
    const memory = this.#remember(report.userId, input.now);
    let video = budget * HEADROOM - AUDIO_RESERVE;
    let screen: SenderEncoding | null = null;
    if (input.screen) {
      const share = Math.max(0, Math.min(input.screen.maxBitrate, video * 0.7));
      screen = { ...input.screen, maxBitrate: Math.round(Math.max(share, PAUSE_BELOW)), active: true };
      video -= share;
    }
    const ceiling = input.ladder;
    if (!input.cameraOn) {
      memory.paused = memory.probing = false;
      memory.lowSamples = 0;
      return { userId: report.userId, budget: Math.round(budget), camera: { ...ceiling, active: true }, screen };
    }
    const camera = this.#cameraEncoding(memory, video, ceiling, input);
    return { userId: report.userId, budget: Math.round(budget), camera, screen };
  }

  #cameraEncoding(memory: ConnectionMemory, video: number, ceiling: VideoEncoding, input: PolicyInput): SenderEncoding {
    const low = video < PAUSE_BELOW;
    memory.lowSamples = low ? memory.lowSamples + 1 : 0;
    if (memory.paused) {
      if (input.now < memory.probeAt) return { ...smallest(ceiling, input.captureHeight), active: false };
      // Try again at the smallest size: only what is sent shows whether it fits.
      memory.paused = false;
      memory.probing = true;
      memory.lowSamples = 0;
      return { ...smallest(ceiling, input.captureHeight), active: true };
    }
    if (memory.lowSamples >= PAUSE_AFTER_SAMPLES) {
      memory.paused = true;
      // A try that failed waits twice as long before the next one.
      memory.probeWait = memory.probing ? Math.min(MAX_PROBE_AFTER_MS, memory.probeWait * 2) : PROBE_AFTER_MS;
      memory.probeAt = input.now + memory.probeWait;
      memory.probing = false;
      return { ...smallest(ceiling, input.captureHeight), active: false };
    }
    if (!low && memory.probing) {
      memory.probing = false;
      memory.probeWait = PROBE_AFTER_MS;
    }
    return { ...encodingFor(Math.max(video, PAUSE_BELOW), ceiling, input.captureHeight), active: true };
  }
}

/**
 * Splits `total` in equal shares, none above its cap; what a capped share leaves goes to the others
 * (water-filling).
 */
export function shareOut(total: number, caps: readonly number[]): number[] {
  const shares = caps.map(() => 0);
  let open = caps.map((_, index) => index);
  let left = total;
  while (open.length > 0 && left > 1e-6) {
    const each = left / open.length;
    const capped = open.filter((index) => caps[index]! - shares[index]! <= each);
    if (capped.length === 0) {
      for (const index of open) shares[index]! += each;
      break;
    }
    for (const index of capped) {
      left -= caps[index]! - shares[index]!;
      shares[index] = caps[index]!;
    }
    open = open.filter((index) => !capped.includes(index));
  }
  return shares;
}

/**
 * The ladder's rung as a user who saves data wants it: small video (180 lines, 150 kbit/s, 15 fps)
 * at most, whatever the network could carry. The rung itself when it is smaller.
 */
export function withDataSaver(ladder: VideoEncoding, captureHeight: number): VideoEncoding {
  return {
    maxBitrate: Math.min(ladder.maxBitrate, DATA_SAVER.maxBitrate),
    maxFramerate: Math.min(ladder.maxFramerate, DATA_SAVER.maxFramerate),
    scaleResolutionDownBy: Math.max(1, ladder.scaleResolutionDownBy, captureHeight / DATA_SAVER.height),
  };
}

/** The camera's encoding for `bitrate`, never above `ceiling`. */
function encodingFor(bitrate: number, ceiling: VideoEncoding, captureHeight: number): VideoEncoding {
  const height = SIZES.find((size) => bitrate >= size.floor)!.height;
  const scale = Math.max(ceiling.scaleResolutionDownBy, captureHeight > height ? captureHeight / height : 1);
  const framerate = bitrate < 120_000 ? 10 : bitrate < 250_000 ? 15 : ceiling.maxFramerate;
  return {
    maxBitrate: Math.round(Math.min(ceiling.maxBitrate, bitrate)),
    maxFramerate: Math.min(ceiling.maxFramerate, framerate),
    scaleResolutionDownBy: scale,
  };
}

function smallest(ceiling: VideoEncoding, captureHeight: number): VideoEncoding {
  return encodingFor(100_000, ceiling, captureHeight);
}
