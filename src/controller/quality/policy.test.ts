import { expect } from '@open-wc/testing';
import { videoEncodingFor } from '../mesh/send-ladder.js';
import { AdaptationPolicy, AUDIO_RESERVE, shareOut, withDataSaver, type PolicyInput, type SenderReport } from './policy.js';

const ONE_TO_ONE = videoEncodingFor(2, 480);
/** Congestion by loss: the receiver reports 15 % of our packets lost. */
const CONGESTED = { remoteLossRatio: 0.15 } as const;
const THREE = videoEncodingFor(3, 480);

function report(userId: string, available: number | null, changes: Partial<SenderReport> = {}): SenderReport {
  return {
    userId,
    availableOutgoingBitrate: available,
    sendBitrate: available === null ? 500_000 : Math.min(available, 1_500_000),
    videoSendBitrate: 0,
    remoteLossRatio: 0,
    rttMs: 20,
    qualityLimitationReason: 'none',
    ...changes,
  };
}

function input(now: number, connections: SenderReport[], changes: Partial<PolicyInput> = {}): PolicyInput {
  return { now, ladder: connections.length > 1 ? THREE : ONE_TO_ONE, captureHeight: 480, cameraOn: true, connections, ...changes };
}

describe('adaptation policy', () => {
  it('shares a total equally, giving what a capped share leaves to the others', () => {
    expect(shareOut(900, [1000, 1000, 1000])).to.deep.equal([300, 300, 300]);
    expect(shareOut(900, [100, 1000, 1000])).to.deep.equal([100, 400, 400]);
    expect(shareOut(900, [100, 200, 1000])).to.deep.equal([100, 200, 600]);
  });

  it('sends the ladder\'s rung, never more, on a good network', () => {
    const policy = new AdaptationPolicy();
    const decision = policy.decide(input(0, [report('bob', 5_000_000)]));
    expect(decision.connections[0]!.camera).to.deep.equal({ ...ONE_TO_ONE, active: true });
    const three = policy.decide(input(1000, [report('bob', 5_000_000), report('carol', 5_000_000)]));
    for (const connection of three.connections) expect(connection.camera).to.deep.equal({ ...THREE, active: true });
  });

  it('budgets the uplink across the mesh: connections that compete get equal shares of the sum', () => {
    // One 400 kbit/s uplink, two connections whose estimates fight (the measured 107 and 276 kbit/s).
    const decision = new AdaptationPolicy().decide(
      input(0, [report('bob', 107_000, { ...CONGESTED }), report('carol', 276_000, { ...CONGESTED })]),
    );
    expect(decision.uplink).to.equal(383_000);
    const [bob, carol] = decision.connections;
    // Bob's share is capped a margin above his own estimate; Carol gets the rest.
    expect(bob!.budget).to.equal(133_750);
    expect(carol!.budget).to.equal(249_250);
    for (const connection of decision.connections) {
      expect(connection.camera.maxBitrate).to.be.at.most(connection.budget - AUDIO_RESERVE);
      expect(connection.camera.scaleResolutionDownBy).to.be.at.least(THREE.scaleResolutionDownBy);
    }
    // Equal estimates: equal, smaller video for both.
    const equal = new AdaptationPolicy().decide(
      input(0, [report('bob', 200_000, { ...CONGESTED }), report('carol', 200_000, { ...CONGESTED })]),
    );
    expect(equal.connections[0]!.camera).to.deep.equal(equal.connections[1]!.camera);
    expect(equal.connections[0]!.camera).to.deep.include({ maxBitrate: 132_000, maxFramerate: 15, scaleResolutionDownBy: 480 / 180, active: true });
  });

  it('keeps the audio reserve out of the camera\'s share', () => {
    const decision = new AdaptationPolicy().decide(input(0, [report('bob', 300_000, { ...CONGESTED })]));
    expect(decision.connections[0]!.camera.maxBitrate).to.equal(300_000 * 0.9 - AUDIO_RESERVE);
  });

  it('pauses the camera after two samples too small for video, then probes, backing off when the probe fails', () => {
    const policy = new AdaptationPolicy();
    const starved = (now: number) => policy.decide(input(now, [report('bob', 80_000, { ...CONGESTED })])).connections[0]!.camera;
    expect(starved(0).active).to.equal(true);
    expect(starved(1000).active).to.equal(false);
    expect(policy.isPaused('bob')).to.equal(true);
    expect(starved(2000).active).to.equal(false);
    // 3 s after the pause, a try at the smallest size.
    expect(starved(4000)).to.deep.include({ active: true, scaleResolutionDownBy: 480 / 180, maxFramerate: 10 });
    expect(starved(5000).active).to.equal(true);
    expect(starved(6000).active).to.equal(false);
    // That try failed: the next waits 6 s.
    expect(starved(11_000).active).to.equal(false);
    expect(starved(12_000).active).to.equal(true);
  });

  it('sends small video rather than pausing while a share carries it: two connections on a 400 kbit/s uplink estimated low', () => {
    const policy = new AdaptationPolicy();
    const decide = (now: number) =>
      policy.decide(input(now, [report('bob', 110_000, { ...CONGESTED, sendBitrate: 100_000 }), report('carol', 110_000, { ...CONGESTED, sendBitrate: 100_000 })]));
    for (const now of [0, 1000, 2000, 3000]) {
      for (const connection of decide(now).connections) {
        expect(connection.camera, `${connection.userId} at ${now} ms`).to.deep.include({ active: true, scaleResolutionDownBy: 480 / 180, maxFramerate: 10 });
        expect(connection.camera.maxBitrate).to.be.within(35_000, 60_000);
      }
    }
  });

  it('takes a growing round trip for congestion, holds after it, then opens the budget 1.5x a sample', () => {
    const policy = new AdaptationPolicy();
    const budget = (now: number, rttMs: number, available: number) =>
      policy.decide(input(now, [report('bob', available, { rttMs, sendBitrate: available })])).connections[0]!.budget;
    expect(budget(0, 20, 2_000_000)).to.equal(Math.round((1_500_000 + AUDIO_RESERVE) / 0.9));
    // 300 ms above the lowest round trip: a queue. The budget falls to the estimate.
    expect(budget(1000, 320, 250_000)).to.equal(250_000);
    // Clean again, but held for 5 s after the congestion.
    expect(budget(2000, 25, 230_000)).to.equal(250_000);
    expect(budget(5000, 25, 230_000)).to.equal(250_000);
    expect(budget(6000, 25, 230_000)).to.equal(375_000);
    expect(budget(7000, 25, 220_000)).to.equal(562_500);
    // The browser's estimate falling by more than 15 % is congestion too, with no queue to see.
    expect(budget(8000, 25, 150_000)).to.equal(150_000);
  });

  it('restores the full encoding as soon as the estimate is back, not step by step', () => {
    const policy = new AdaptationPolicy();
    const sequence = [
      ...Array.from({ length: 5 }, () => report('bob', 300_000, { ...CONGESTED })),
      report('bob', 2_500_000),
    ];
    const cameras = sequence.map((each, index) => policy.decide(input(index * 1000, [each])).connections[0]!.camera);
    expect(cameras[4]!.scaleResolutionDownBy).to.be.greaterThan(1);
    expect(cameras[5]).to.deep.equal({ ...ONE_TO_ONE, active: true });
  });

  it('lets an estimate that only follows what we send grow while nothing limits the connection', () => {
    // Chromium's estimate stays near what we allowed; with no congestion, the cap opens 1.5x a sample.
    const decision = new AdaptationPolicy().decide(input(0, [report('bob', 400_000, { sendBitrate: 400_000 })]));
    expect(decision.connections[0]!.budget).to.equal(600_000);
  });

  it('estimates from loss where the browser gives no estimate (Firefox)', () => {
    const policy = new AdaptationPolicy();
    const lossy = (now: number, loss: number, sent: number) =>
      policy.decide(input(now, [report('bob', null, { remoteLossRatio: loss, sendBitrate: sent })])).connections[0]!;
    expect(lossy(0, 0, 1_000_000).camera).to.deep.equal({ ...ONE_TO_ONE, active: true });
    // 30 % lost at 400 kbit/s: the estimate falls to 340 kbit/s.
    expect(lossy(1000, 0.3, 400_000).budget).to.equal(340_000);
    // 5 %: held.
    expect(lossy(2000, 0.05, 300_000).budget).to.equal(340_000);
    // Clean: grows 8 % a sample.
    expect(lossy(3000, 0, 300_000).budget).to.equal(Math.round(340_000 * 1.08));
  });

  it('takes a sample without a new loss report as no news, on either browser', () => {
    const firefox = new AdaptationPolicy();
    const withoutEstimate = (now: number, loss: number | null) =>
      firefox.decide(input(now, [report('bob', null, { remoteLossRatio: loss, sendBitrate: 400_000 })])).connections[0]!;
    withoutEstimate(0, 0);
    expect(withoutEstimate(1000, 0.3).budget).to.equal(340_000);
    expect(withoutEstimate(2000, null).budget, 'neither falls nor grows').to.equal(340_000);

    // Chromium: congestion by loss holds the budget; with no report since, the hold ends and it grows.
    const chromium = new AdaptationPolicy();
    const withEstimate = (now: number, loss: number | null) =>
      chromium.decide(input(now, [report('bob', 300_000, { remoteLossRatio: loss, sendBitrate: 300_000 })])).connections[0]!;
    withEstimate(0, 0);
    expect(withEstimate(1000, 0.3).budget).to.equal(300_000);
    expect(withEstimate(7000, null).budget, 'grows after the hold').to.be.above(300_000);
  });

  it('does not make a Firefox connection regrow to a ceiling that was only ours (data saver turned off)', () => {
    const policy = new AdaptationPolicy();
    const saver = withDataSaver(ONE_TO_ONE, 480);
    for (let now = 0; now < 5000; now += 1000) policy.decide(input(now, [report('bob', null, { sendBitrate: 160_000 })], { ladder: saver }));
    const after = policy.decide(input(5000, [report('bob', null, { sendBitrate: 160_000 })]));
    expect(after.connections[0]!.camera).to.deep.equal({ ...ONE_TO_ONE, active: true });
  });

  it('gives a screen share its part before the camera', () => {
    const screen = { maxBitrate: 1_000_000, maxFramerate: 5, scaleResolutionDownBy: 1 };
    const decision = new AdaptationPolicy().decide(input(0, [report('bob', 600_000, { ...CONGESTED })], { screen }));
    const [bob] = decision.connections;
    const video = 600_000 * 0.9 - AUDIO_RESERVE;
    expect(bob!.screen).to.deep.include({ maxBitrate: Math.round(video * 0.7), active: true });
    expect(bob!.camera.maxBitrate).to.equal(Math.round(video * 0.3));
  });

  it('neither pauses nor adapts without a camera', () => {
    const policy = new AdaptationPolicy();
    for (let now = 0; now < 5000; now += 1000) {
      const decision = policy.decide(input(now, [report('bob', 50_000, { ...CONGESTED })], { cameraOn: false }));
      expect(decision.connections[0]!.camera.active).to.equal(true);
    }
    expect(policy.isPaused('bob')).to.equal(false);
  });

  it('saves data: 180 lines, 150 kbit/s, 15 fps at most, and a smaller rung stays smaller', () => {
    expect(withDataSaver(ONE_TO_ONE, 480)).to.deep.equal({ maxBitrate: 150_000, maxFramerate: 15, scaleResolutionDownBy: 480 / 180 });
    const small = videoEncodingFor(6, 480);
    expect(withDataSaver(small, 120)).to.deep.equal({ ...withDataSaver(small, 120), maxBitrate: 150_000, maxFramerate: 15, scaleResolutionDownBy: 2 });
    const decision = new AdaptationPolicy().decide(input(0, [report('bob', 5_000_000)], { ladder: withDataSaver(ONE_TO_ONE, 480) }));
    expect(decision.connections[0]!.camera).to.deep.equal({ ...withDataSaver(ONE_TO_ONE, 480), active: true });
  });

  it('forgets connections that are gone', () => {
    const policy = new AdaptationPolicy();
    const starved = report('bob', 50_000, { ...CONGESTED });
    policy.decide(input(0, [starved]));
    policy.decide(input(1000, [starved]));
    expect(policy.isPaused('bob')).to.equal(true);
    policy.decide(input(2000, [report('carol', 5_000_000)]));
    expect(policy.isPaused('bob')).to.equal(false);
  });
});
