import { expect } from '@open-wc/testing';
import { meanOpinionScore, QualityHysteresis, receiveQuality, sendQuality, type NetworkQuality } from './network-quality.js';
import type { ConnectionStats } from './stats.js';

const CLEAN: ConnectionStats = {
  timestamp: 0,
  intervalMs: 1000,
  rttMs: 20,
  availableOutgoingBitrate: 2_000_000,
  sendBitrate: 1_000_000,
  receiveBitrate: 1_000_000,
  videoSendBitrate: 900_000,
  jitterMs: 5,
  lossRatio: 0,
  remoteLossRatio: 0,
  freshRemoteLossRatio: 0,
  remoteJitterMs: 5,
  qualityLimitationReason: 'none',
  framesSent: 100,
  framesReceived: 100,
  framesDecoded: 100,
  sentVideo: null,
  receivedVideo: null,
  freezeCount: 0,
  totalFreezesDuration: 0,
  concealmentRatio: 0,
  audioLevel: 0,
  localAudioLevel: 0,
  receiving: true,
  videoCodec: null,
};

describe('network quality', () => {
  it('scores a clean line near the top of the scale and degrades with delay and loss', () => {
    const clean = meanOpinionScore({ rttMs: 20, jitterMs: 5, lossRatio: 0 });
    expect(clean).to.be.above(4.3);
    expect(meanOpinionScore({ rttMs: 200, jitterMs: 20, lossRatio: 0 })).to.be.below(clean).and.above(3.6);
    expect(meanOpinionScore({ rttMs: 20, jitterMs: 5, lossRatio: 0.05 })).to.be.below(4.1);
    expect(meanOpinionScore({ rttMs: 600, jitterMs: 100, lossRatio: 0.1 })).to.be.below(3);
    expect(meanOpinionScore({ rttMs: 5000, jitterMs: 1000, lossRatio: 1 })).to.equal(1);
  });

  it('reads the receiving side: excellent, good with some loss, poor with much, lost when nothing arrives', () => {
    expect(receiveQuality(CLEAN)).to.equal('excellent');
    expect(receiveQuality({ ...CLEAN, lossRatio: 0.05 })).to.equal('good');
    expect(receiveQuality({ ...CLEAN, lossRatio: 0.1 })).to.equal('poor');
    expect(receiveQuality({ ...CLEAN, rttMs: 900, jitterMs: 80 })).to.equal('poor');
    expect(receiveQuality({ ...CLEAN, receiving: false })).to.equal('lost');
  });

  it('reads our uplink from their reports and from the bandwidth left for the camera', () => {
    expect(sendQuality(CLEAN, 1_500_000)).to.equal('excellent');
    expect(sendQuality({ ...CLEAN, remoteLossRatio: 0.12 }, 1_500_000)).to.equal('poor');
    expect(sendQuality({ ...CLEAN, availableOutgoingBitrate: 700_000 }, 1_500_000)).to.equal('good');
    expect(sendQuality({ ...CLEAN, availableOutgoingBitrate: 280_000 }, 1_500_000)).to.equal('poor');
    // No camera: bandwidth is no measure; and Firefox gives no estimate.
    expect(sendQuality({ ...CLEAN, availableOutgoingBitrate: 280_000 }, null)).to.equal('excellent');
    expect(sendQuality({ ...CLEAN, availableOutgoingBitrate: null }, 1_500_000)).to.equal('excellent');
  });

  it('steadies the level: down after two readings, up after three, a lone blip ignored', () => {
    const steady = new QualityHysteresis();
    const feed = (readings: NetworkQuality[]) => readings.map((reading) => steady.push(reading));
    expect(steady.level).to.equal(null);
    expect(feed(['excellent', 'poor', 'excellent', 'poor', 'poor', 'excellent', 'excellent', 'excellent'])).to.deep.equal([
      'excellent',
      'excellent',
      'excellent',
      'excellent',
      'poor',
      'poor',
      'poor',
      'excellent',
    ]);
    // Flapping between two levels never moves it.
    expect(feed(['good', 'excellent', 'good', 'excellent', 'good'])).to.deep.equal(['excellent', 'excellent', 'excellent', 'excellent', 'excellent']);
    expect(feed(['lost', 'lost'])).to.deep.equal(['excellent', 'lost']);
  });
});
