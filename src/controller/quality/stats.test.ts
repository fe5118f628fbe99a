import { expect } from '@open-wc/testing';
import chromium from './fixtures/chromium-stats.js';
import firefox from './fixtures/firefox-stats.js';
import { readStats, summarise, type StatsReading } from './stats.js';

type Recording = ReadonlyArray<{ sender: readonly object[]; receiver: readonly object[] }>;
const read = (recording: Recording, index: number, side: 'sender' | 'receiver'): StatsReading =>
  readStats(recording[index]![side] as Iterable<Record<string, unknown>>);

describe('getStats parsing, on reports recorded in Chromium 156', () => {
  it('reads the selected pair, its estimate and round trip, and the outgoing camera', () => {
    const reading = read(chromium, 1, 'sender');
    expect(reading.availableOutgoingBitrate).to.equal(3540266);
    expect(reading.roundTripTime).to.equal(0.003);
    // The transport's selected pair, not the other nominated one.
    expect(reading.bytesSent).to.equal(462560);
    expect(reading.outboundVideo).to.include({ frameWidth: 640, frameHeight: 480, framesSent: 139, qualityLimitationReason: 'none' });
    expect(reading.localAudioLevel).to.be.closeTo(0.0156, 0.0001);
    expect(reading.remoteInboundVideo).to.deep.equal({ timestamp: 1796188255012.761, fractionLost: 0, jitter: 0.000888, roundTripTime: 0.001 });
  });

  it('takes a receiver\'s loss report as news once: read again before the next report, it says nothing new', () => {
    // In this recording the audio report is the same one in both readings (audio is reported every
    // few seconds) and the video report a new one.
    const withAudioLoss = (index: number, videoReport: 'as recorded' | 'as before') =>
      (chromium[index]!.sender as ReadonlyArray<Record<string, unknown>>).map((stats) => {
        if (stats.type !== 'remote-inbound-rtp') return stats;
        if (stats.kind === 'audio') return { ...stats, fractionLost: 0.3 };
        return videoReport === 'as before' ? { ...stats, timestamp: 1 } : stats;
      });
    const sent = summarise(readStats(withAudioLoss(0, 'as recorded')), readStats(withAudioLoss(1, 'as recorded')));
    expect(sent.remoteLossRatio, 'the last word of each report').to.equal(0.3);
    expect(sent.freshRemoteLossRatio, 'only the new video report').to.equal(0);
    const nothingNew = summarise(readStats(withAudioLoss(0, 'as before')), readStats(withAudioLoss(1, 'as before')));
    expect(nothingNew.freshRemoteLossRatio).to.equal(null);
    expect(summarise(null, readStats(withAudioLoss(0, 'as recorded'))).freshRemoteLossRatio, 'a first reading is news').to.equal(0.3);
  });

  it('summarises two readings 1 s apart into rates', () => {
    const sent = summarise(read(chromium, 0, 'sender'), read(chromium, 1, 'sender'));
    expect(sent.intervalMs).to.be.within(900, 1200);
    expect(sent.sendBitrate).to.be.greaterThan(100_000);
    expect(sent.videoSendBitrate).to.be.greaterThan(50_000).and.at.most(sent.sendBitrate);
    expect(sent.qualityLimitationReason).to.equal('none');
    expect(sent.remoteLossRatio).to.equal(0);
    expect(sent.sentVideo).to.deep.include({ width: 640, height: 480 });

    const received = summarise(read(chromium, 0, 'receiver'), read(chromium, 1, 'receiver'));
    expect(received.receiving).to.equal(true);
    expect(received.receiveBitrate).to.be.greaterThan(100_000);
    expect(received.lossRatio).to.equal(0);
    expect(received.jitterMs).to.equal(1);
    expect(received.framesReceived).to.equal(139);
    expect(received.receivedVideo).to.deep.include({ width: 640, height: 480 });
    expect(received.freezeCount).to.equal(0);
    expect(received.concealmentRatio).to.be.within(0, 0.05);
    expect(received.videoCodec).to.equal('video/VP8');
  });
});

describe('getStats parsing, on reports recorded in Firefox ESR 153', () => {
  it('takes the round trip from the receivers\' reports (the pair says 0) and has no estimate', () => {
    const reading = read(firefox, 1, 'sender');
    expect(reading.availableOutgoingBitrate).to.equal(null);
    expect(reading.roundTripTime).to.be.closeTo(0.005, 0.001);
    expect(reading.outboundVideo?.qualityLimitationReason).to.equal(null);
    expect(reading.outboundVideo).to.include({ frameWidth: 320, frameHeight: 240 });
    expect(reading.localAudioLevel).to.equal(null);
  });

  it('summarises the receiving side: audio level, jitter, frames, no loss', () => {
    const received = summarise(read(firefox, 0, 'receiver'), read(firefox, 1, 'receiver'));
    expect(received.receiving).to.equal(true);
    expect(received.receiveBitrate).to.be.greaterThan(50_000);
    expect(received.lossRatio).to.equal(0);
    expect(received.jitterMs).to.equal(2);
    expect(received.audioLevel).to.be.greaterThan(0);
    expect(received.framesDecoded).to.be.greaterThan(100);
    expect(received.videoCodec).to.equal('video/VP8');
  });
});

describe('getStats parsing of what goes wrong', () => {
  const base = read(chromium, 0, 'receiver');
  const later = (changes: Partial<StatsReading>): StatsReading => ({ ...base, timestamp: base.timestamp + 1000, ...changes });

  it('counts the packets lost in the interval, not since the start', () => {
    const audio = base.inboundAudio!;
    const stats = summarise(
      { ...base, inboundAudio: { ...audio, packetsLost: 10 } },
      later({ inboundAudio: { ...audio, packetsReceived: audio.packetsReceived + 45, packetsLost: 15 }, inboundVideo: null }),
    );
    expect(stats.lossRatio).to.equal(0.1);
  });

  it('says nothing arrives when the pair received no byte', () => {
    expect(summarise(base, later({})).receiving).to.equal(false);
    expect(summarise(base, later({ bytesReceived: base.bytesReceived + 1 })).receiving).to.equal(true);
  });

  it('measures concealment over the interval', () => {
    const audio = base.inboundAudio!;
    const stats = summarise(
      base,
      later({ inboundAudio: { ...audio, concealedSamples: audio.concealedSamples! + 4800, totalSamplesReceived: audio.totalSamplesReceived! + 48000 } }),
    );
    expect(stats.concealmentRatio).to.be.closeTo(0.1, 1e-9);
  });

  it('reads an empty report as nothing known', () => {
    const empty = readStats([]);
    expect(empty).to.include({ bytesSent: 0, availableOutgoingBitrate: null, roundTripTime: null, inboundAudio: null });
    expect(summarise(null, empty)).to.include({ intervalMs: 0, sendBitrate: 0, lossRatio: 0, remoteLossRatio: null });
  });
});
