import type { VideoEncoding } from '../mesh/send-ladder.js';
import { betterOf, QualityHysteresis, receiveQuality, sendQuality, type NetworkQuality } from './network-quality.js';
import { AdaptationPolicy, type SenderEncoding } from './policy.js';
import { readStats, summarise, type ConnectionStats, type StatsReading } from './stats.js';

/** Often enough for the policy to react within two seconds; getStats on a handful of connections is cheap. */
export const SAMPLE_INTERVAL_MS = 1000;

/** What the monitor needs to know about the call's connections and camera, read at every sample. */
export interface QualityMonitorSource {
  userIds(): string[];
  connectionOf(userId: string): RTCPeerConnection | null;
  /** The send ladder's encoding (data saver applied), the camera's capture height, and whether it is on. */
  camera(): { ladder: VideoEncoding; captureHeight: number; on: boolean };
}

export interface QualityMonitorHandlers {
  /** Stats of one connection, every sample. */
  onStats(userId: string, stats: ConnectionStats): void;
  /** The steadied level of the link with one participant, as measured here. */
  onLinkQuality(userId: string, quality: NetworkQuality): void;
  /** The local user's uplink, steadied. */
  onUplinkQuality(quality: NetworkQuality): void;
  /** With adaptation on: the camera's encoding on the connection to this user; `active: false` pauses it. */
  onEncoding(userId: string, encoding: SenderEncoding): void;
}

/**
 * Samples every connection of the call while it is active, turns the stats into network-quality
 * levels and, with adaptation on, into encodings by the {@link AdaptationPolicy}.
 */
export class QualityMonitor {
  #timer: ReturnType<typeof setInterval> | undefined;
  #sampling = false;
  readonly #readings = new Map<string, StatsReading>();
  readonly #stats = new Map<string, ConnectionStats>();
  readonly #links = new Map<string, QualityHysteresis>();
  #uplink = new QualityHysteresis();
  readonly #policy = new AdaptationPolicy();

  constructor(
    private readonly source: QualityMonitorSource,
    private readonly handlers: QualityMonitorHandlers,
    private readonly adaptation: boolean,
  ) {}

  get running(): boolean {
    return this.#timer !== undefined;
  }

  start(): void {
    if (this.#timer !== undefined) return;
    this.#timer = setInterval(() => void this.sample(), SAMPLE_INTERVAL_MS);
  }

  stop(): void {
    clearInterval(this.#timer);
    this.#timer = undefined;
    this.#readings.clear();
    this.#stats.clear();
    this.#links.clear();
    this.#uplink = new QualityHysteresis();
  }

  statsOf(userId: string): ConnectionStats | null {
    return this.#stats.get(userId) ?? null;
  }

  /** Whether our camera to this user is paused by the policy. */
  isPaused(userId: string): boolean {
    return this.#policy.isPaused(userId);
  }

  /** One round: every connection's stats, then levels and encodings. Skipped while the last one runs. */
  async sample(): Promise<void> {
    if (this.#sampling) return;
    this.#sampling = true;
    try {
      const userIds = this.source.userIds();
      const sampled = await Promise.all(userIds.map(async (userId) => [userId, await this.#sampleOne(userId)] as const));
      if (this.#timer === undefined) return;
      this.#forgetGone(userIds);
      this.#judge(sampled.filter((entry): entry is readonly [string, ConnectionStats] => entry[1] !== null));
    } finally {
      this.#sampling = false;
    }
  }

  async #sampleOne(userId: string): Promise<ConnectionStats | null> {
    const connection = this.source.connectionOf(userId);
    if (!connection || connection.connectionState === 'new' || connection.connectionState === 'connecting') return null;
    if (connection.connectionState === 'closed') return null;
    let reading: StatsReading;
    try {
      // The first negotiated video transceiver in use is the camera's; the screen's comes after it
      // (and those of an offer that lost a collision are inactive).
      const cameraMid =
        connection
          .getTransceivers()
          .find((t) => t.receiver.track.kind === 'video' && t.mid !== null && t.currentDirection !== 'inactive' && t.currentDirection !== 'stopped')?.mid ?? null;
      reading = readStats(await connection.getStats(), cameraMid);
    } catch {
      // A connection closed or replaced meanwhile; the next round sees what is there.
      return null;
    }
    const previous = this.#readings.get(userId) ?? null;
    this.#readings.set(userId, reading);
    const stats = summarise(previous, reading);
    // A connection replaced by a new one starts its counters again.
    if (!previous || reading.timestamp <= previous.timestamp || reading.bytesReceived < previous.bytesReceived) return null;
    if (connection.connectionState !== 'connected') return { ...stats, receiving: false };
    return stats;
  }

  #forgetGone(userIds: string[]): void {
    for (const map of [this.#readings, this.#stats, this.#links]) {
      for (const userId of map.keys()) if (!userIds.includes(userId)) map.delete(userId);
    }
  }

  #judge(sampled: ReadonlyArray<readonly [string, ConnectionStats]>): void {
    if (sampled.length === 0) return;
    const camera = this.source.camera();
    const wanted = camera.on ? camera.ladder.maxBitrate : null;
    let uplink: NetworkQuality = 'lost';
    for (const [userId, stats] of sampled) {
      this.#stats.set(userId, stats);
      this.handlers.onStats(userId, stats);
      let link = this.#links.get(userId);
      if (!link) this.#links.set(userId, (link = new QualityHysteresis()));
      const before = link.level;
      const level = link.push(receiveQuality(stats));
      if (level !== before) this.handlers.onLinkQuality(userId, level);
      // A problem of our uplink shows on every connection; one connection's alone is the other side's.
      uplink = betterOf(uplink, sendQuality(stats, wanted));
    }
    const before = this.#uplink.level;
    const level = this.#uplink.push(uplink);
    if (level !== before) this.handlers.onUplinkQuality(level);
    if (!this.adaptation) return;
    const decision = this.#policy.decide({
      now: performance.now(),
      ladder: camera.ladder,
      captureHeight: camera.captureHeight,
      cameraOn: camera.on,
      connections: sampled.map(([userId, stats]) => ({
        userId,
        availableOutgoingBitrate: stats.availableOutgoingBitrate,
        sendBitrate: stats.sendBitrate,
        videoSendBitrate: stats.videoSendBitrate,
        remoteLossRatio: stats.freshRemoteLossRatio,
        rttMs: stats.rttMs,
        qualityLimitationReason: stats.qualityLimitationReason,
      })),
    });
    for (const connection of decision.connections) this.handlers.onEncoding(connection.userId, connection.camera);
  }
}
