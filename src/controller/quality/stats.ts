/**
 * Reading `RTCPeerConnection.getStats()`: {@link readStats} takes the counters that matter for call
 * quality out of one report (Chromium and Firefox name and fill them differently), and
 * {@link summarise} turns two successive readings into rates over the interval between them.
 * Both are pure: unit-tested on reports recorded in both browsers (fixtures/).
 */

/** Why the browser's encoder sends less than it was allowed to (Chromium only). */
export type QualityLimitationReason = 'none' | 'bandwidth' | 'cpu' | 'other';

interface OutboundReading {
  bytesSent: number;
  framesSent: number | null;
  frameHeight: number | null;
  frameWidth: number | null;
  framesPerSecond: number | null;
  qualityLimitationReason: QualityLimitationReason | null;
}

interface InboundReading {
  bytesReceived: number;
  packetsReceived: number;
  packetsLost: number;
  /** Seconds. */
  jitter: number | null;
  audioLevel: number | null;
  concealedSamples: number | null;
  totalSamplesReceived: number | null;
  framesReceived: number | null;
  framesDecoded: number | null;
  frameHeight: number | null;
  frameWidth: number | null;
  framesPerSecond: number | null;
  freezeCount: number | null;
  /** Seconds. */
  totalFreezesDuration: number | null;
}

/** What the other side's receiver reports (RTCP) about a stream we send. */
interface RemoteInboundReading {
  /** When the report arrived (both browsers stamp it so): the same in two readings, no new report came. */
  timestamp: number | null;
  fractionLost: number | null;
  /** Seconds. */
  jitter: number | null;
  /** Seconds. */
  roundTripTime: number | null;
}

/** The counters of one getStats() report that call quality is judged on; cumulative, as the browser gives them. */
export interface StatsReading {
  /** Milliseconds, the browser's clock. */
  timestamp: number;
  /** Of the selected candidate pair: everything the connection carries. */
  bytesSent: number;
  bytesReceived: number;
  /** Chromium's congestion-control estimate for the whole connection, bits/s; null in Firefox. */
  availableOutgoingBitrate: number | null;
  /** Seconds; from the selected pair (Chromium) or, failing that, the receivers' reports (Firefox). */
  roundTripTime: number | null;
  outboundAudio: OutboundReading | null;
  outboundVideo: OutboundReading | null;
  inboundAudio: InboundReading | null;
  inboundVideo: InboundReading | null;
  remoteInboundAudio: RemoteInboundReading | null;
  remoteInboundVideo: RemoteInboundReading | null;
  /** The microphone's level as sent (Chromium's media-source), 0..1. */
  localAudioLevel: number | null;
  /** The video codec we receive, e.g. `video/VP8`. */
  inboundVideoCodec: string | null;
}

/** How the connection with one participant is doing, over the last sampling interval. */
export interface ConnectionStats {
  /** When the report was taken, in ms (the browser's clock). */
  readonly timestamp: number;
  /** Length of the interval the rates below cover, in ms; 0 for the first sample. */
  readonly intervalMs: number;
  readonly rttMs: number | null;
  /** What the browser's congestion control thinks this connection can send, in bits/s (Chromium only). */
  readonly availableOutgoingBitrate: number | null;
  /** Bits/s over the interval, everything the connection carried. */
  readonly sendBitrate: number;
  readonly receiveBitrate: number;
  /** Bits/s of our camera on this connection. */
  readonly videoSendBitrate: number;
  /** Of what we receive from them (audio, else video), in ms. */
  readonly jitterMs: number | null;
  /** Share of their packets lost on the way to us over the interval, 0..1. */
  readonly lossRatio: number;
  /** Share of our packets they report lost (the worse of audio and video, as last reported), 0..1; null before their first report. */
  readonly remoteLossRatio: number | null;
  /**
   * As {@link remoteLossRatio}, from the reports that arrived during the interval only; null when
   * none did. A report says what was lost since the one before it, and a stream that is paused, or
   * audio (reported every few seconds), keeps its last one: read again, an old loss is no news.
   */
  readonly freshRemoteLossRatio: number | null;
  /** Jitter they report on what we send, in ms. */
  readonly remoteJitterMs: number | null;
  readonly qualityLimitationReason: QualityLimitationReason | null;
  /** Cumulative frames of our camera sent on this connection. */
  readonly framesSent: number;
  /** Cumulative frames of their video received and decoded. */
  readonly framesReceived: number;
  readonly framesDecoded: number;
  /** Our camera as encoded for them, and their video as we decode it. */
  readonly sentVideo: VideoShape | null;
  readonly receivedVideo: VideoShape | null;
  /** Cumulative freezes of their video here, and their total length in seconds. */
  readonly freezeCount: number;
  readonly totalFreezesDuration: number;
  /** Share of their audio that had to be concealed (lost or late) over the interval, 0..1. */
  readonly concealmentRatio: number;
  /** Their voice as received, 0..1; our microphone as sent (Chromium only). */
  readonly audioLevel: number | null;
  readonly localAudioLevel: number | null;
  /** Whether anything at all (media, RTCP, keep-alives) arrived from them during the interval. */
  readonly receiving: boolean;
  readonly videoCodec: string | null;
}

export interface VideoShape {
  readonly width: number;
  readonly height: number;
  readonly framesPerSecond: number | null;
}

type Stats = Record<string, unknown>;

const numberOr = (value: unknown, fallback: number | null = null): number | null =>
  typeof value === 'number' && Number.isFinite(value) ? value : fallback;

const LIMITATIONS: readonly string[] = ['none', 'bandwidth', 'cpu', 'other'];

function outbound(stats: Stats | undefined): OutboundReading | null {
  if (!stats) return null;
  const reason = stats.qualityLimitationReason;
  return {
    bytesSent: numberOr(stats.bytesSent, 0)!,
    framesSent: numberOr(stats.framesSent),
    frameHeight: numberOr(stats.frameHeight),
    frameWidth: numberOr(stats.frameWidth),
    framesPerSecond: numberOr(stats.framesPerSecond),
    qualityLimitationReason: typeof reason === 'string' && LIMITATIONS.includes(reason) ? (reason as QualityLimitationReason) : null,
  };
}

function inbound(stats: Stats | undefined): InboundReading | null {
  if (!stats) return null;
  return {
    bytesReceived: numberOr(stats.bytesReceived, 0)!,
    packetsReceived: numberOr(stats.packetsReceived, 0)!,
    // Duplicates can make it negative for a while.
    packetsLost: Math.max(0, numberOr(stats.packetsLost, 0)!),
    jitter: numberOr(stats.jitter),
    audioLevel: numberOr(stats.audioLevel),
    concealedSamples: numberOr(stats.concealedSamples),
    totalSamplesReceived: numberOr(stats.totalSamplesReceived),
    framesReceived: numberOr(stats.framesReceived),
    framesDecoded: numberOr(stats.framesDecoded),
    frameHeight: numberOr(stats.frameHeight),
    frameWidth: numberOr(stats.frameWidth),
    framesPerSecond: numberOr(stats.framesPerSecond),
    freezeCount: numberOr(stats.freezeCount),
    totalFreezesDuration: numberOr(stats.totalFreezesDuration),
  };
}

function remoteInbound(stats: Stats | undefined): RemoteInboundReading | null {
  if (!stats) return null;
  return {
    timestamp: numberOr(stats.timestamp),
    fractionLost: numberOr(stats.fractionLost),
    jitter: numberOr(stats.jitter),
    roundTripTime: numberOr(stats.roundTripTime),
  };
}

/**
 * The counters of one report. Streams are told apart by kind, and video by `cameraMid`: a
 * connection also carries an m-line for a shared screen, which is not read here. Without the mid
 * (or where a browser does not name it), the first active video stream counts.
 */
export function readStats(report: Iterable<Stats> | RTCStatsReport, cameraMid: string | null = null): StatsReading {
  const all: Stats[] = [];
  const byId = new Map<string, Stats>();
  const entries: Iterable<Stats> = isStatsReport(report) ? (report.values() as Iterable<Stats>) : report;
  for (const stats of entries) {
    all.push(stats);
    if (typeof stats.id === 'string') byId.set(stats.id, stats);
  }
  const first = (type: string, kind?: string) =>
    (kind === 'video' && cameraMid !== null ? all.find((stats) => stats.type === type && stats.kind === kind && stats.mid === cameraMid) : undefined) ??
    all.find((stats) => stats.type === type && (kind === undefined || stats.kind === kind) && stats.active !== false) ??
    all.find((stats) => stats.type === type && (kind === undefined || stats.kind === kind));
  const pair = selectedPair(all, byId);
  const remoteAudio = remoteInbound(first('remote-inbound-rtp', 'audio'));
  const remoteVideo = remoteInbound(first('remote-inbound-rtp', 'video'));
  const pairRtt = numberOr(pair?.currentRoundTripTime);
  // Firefox reports 0 on the pair: the receivers' reports are what it measures.
  const roundTripTime = pairRtt !== null && pairRtt > 0 ? pairRtt : (remoteAudio?.roundTripTime ?? remoteVideo?.roundTripTime ?? pairRtt);
  const inboundVideoStats = first('inbound-rtp', 'video');
  const codec = typeof inboundVideoStats?.codecId === 'string' ? byId.get(inboundVideoStats.codecId) : undefined;
  const timestamps = all.map((stats) => numberOr(stats.timestamp)).filter((value): value is number => value !== null);
  return {
    timestamp: pair ? numberOr(pair.timestamp, 0)! : Math.max(0, ...timestamps),
    bytesSent: numberOr(pair?.bytesSent, 0)!,
    bytesReceived: numberOr(pair?.bytesReceived, 0)!,
    availableOutgoingBitrate: numberOr(pair?.availableOutgoingBitrate),
    roundTripTime,
    outboundAudio: outbound(first('outbound-rtp', 'audio')),
    outboundVideo: outbound(first('outbound-rtp', 'video')),
    inboundAudio: inbound(first('inbound-rtp', 'audio')),
    inboundVideo: inbound(inboundVideoStats),
    remoteInboundAudio: remoteAudio,
    remoteInboundVideo: remoteVideo,
    localAudioLevel: numberOr(first('media-source', 'audio')?.audioLevel),
    inboundVideoCodec: typeof codec?.mimeType === 'string' ? codec.mimeType : null,
  };
}

function isStatsReport(report: Iterable<Stats> | RTCStatsReport): report is RTCStatsReport {
  return typeof (report as RTCStatsReport).values === 'function' && typeof (report as RTCStatsReport).get === 'function';
}

/** The transport's selected pair (both browsers name it); Firefox also flags it `selected`. */
function selectedPair(all: Stats[], byId: Map<string, Stats>): Stats | undefined {
  for (const stats of all) {
    if (stats.type !== 'transport' || typeof stats.selectedCandidatePairId !== 'string') continue;
    const pair = byId.get(stats.selectedCandidatePairId);
    if (pair) return pair;
  }
  return all.find((stats) => stats.type === 'candidate-pair' && stats.selected === true) ??
    all.find((stats) => stats.type === 'candidate-pair' && stats.nominated === true && stats.state === 'succeeded');
}

const delta = (current: number | null | undefined, previous: number | null | undefined): number =>
  current != null && previous != null ? Math.max(0, current - previous) : 0;

const toMs = (seconds: number | null | undefined): number | null => (seconds == null ? null : seconds * 1000);

function shape(reading: { frameWidth: number | null; frameHeight: number | null; framesPerSecond: number | null } | null): VideoShape | null {
  if (!reading?.frameWidth || !reading.frameHeight) return null;
  return { width: reading.frameWidth, height: reading.frameHeight, framesPerSecond: reading.framesPerSecond };
}

/** Rates over the interval between two readings of the same connection; `previous` null for the first one. */
export function summarise(previous: StatsReading | null, current: StatsReading): ConnectionStats {
  const intervalMs = previous ? Math.max(0, current.timestamp - previous.timestamp) : 0;
  const rate = (bytes: number) => (intervalMs > 0 ? Math.round((bytes * 8 * 1000) / intervalMs) : 0);
  const audio = current.inboundAudio;
  const video = current.inboundVideo;
  let received = 0;
  let lost = 0;
  for (const kind of ['inboundAudio', 'inboundVideo'] as const) {
    received += delta(current[kind]?.packetsReceived, previous?.[kind]?.packetsReceived);
    lost += delta(current[kind]?.packetsLost, previous?.[kind]?.packetsLost);
  }
  const lossRatio = received + lost > 0 ? lost / (received + lost) : 0;
  const isLoss = (value: number | null | undefined): value is number => value != null;
  const remoteLosses = [current.remoteInboundAudio?.fractionLost, current.remoteInboundVideo?.fractionLost].filter(isLoss);
  const freshRemoteLosses = (['remoteInboundAudio', 'remoteInboundVideo'] as const)
    .map((kind) => {
      const report = current[kind];
      const before = previous?.[kind];
      const isNew = !before || report?.timestamp == null || report.timestamp !== before.timestamp;
      return isNew ? report?.fractionLost : null;
    })
    .filter(isLoss);
  const concealed = delta(audio?.concealedSamples, previous?.inboundAudio?.concealedSamples);
  const samples = delta(audio?.totalSamplesReceived, previous?.inboundAudio?.totalSamplesReceived);
  return {
    timestamp: current.timestamp,
    intervalMs,
    rttMs: toMs(current.roundTripTime),
    availableOutgoingBitrate: current.availableOutgoingBitrate,
    sendBitrate: rate(delta(current.bytesSent, previous?.bytesSent)),
    receiveBitrate: rate(delta(current.bytesReceived, previous?.bytesReceived)),
    videoSendBitrate: rate(delta(current.outboundVideo?.bytesSent, previous?.outboundVideo?.bytesSent)),
    jitterMs: toMs(audio?.jitter ?? video?.jitter),
    lossRatio,
    remoteLossRatio: remoteLosses.length > 0 ? Math.max(...remoteLosses) : null,
    freshRemoteLossRatio: freshRemoteLosses.length > 0 ? Math.max(...freshRemoteLosses) : null,
    remoteJitterMs: toMs(current.remoteInboundAudio?.jitter ?? current.remoteInboundVideo?.jitter),
    qualityLimitationReason: current.outboundVideo?.qualityLimitationReason ?? null,
    framesSent: current.outboundVideo?.framesSent ?? 0,
    framesReceived: video?.framesReceived ?? 0,
    framesDecoded: video?.framesDecoded ?? 0,
    sentVideo: shape(current.outboundVideo),
    receivedVideo: shape(video),
    freezeCount: video?.freezeCount ?? 0,
    totalFreezesDuration: video?.totalFreezesDuration ?? 0,
    concealmentRatio: samples > 0 ? Math.min(1, concealed / samples) : 0,
    audioLevel: audio?.audioLevel ?? null,
    localAudioLevel: current.localAudioLevel,
    receiving: !previous || current.bytesReceived > previous.bytesReceived,
    videoCodec: current.inboundVideoCodec,
  };
}
