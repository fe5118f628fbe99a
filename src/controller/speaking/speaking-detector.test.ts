import { expect } from '@open-wc/testing';
import { SpeakingDetector } from './speaking-detector.js';

const STEP = 100;

/** Feeds `levels` one every 100 ms from `start`; returns whether they spoke after each sample. */
function feed(detector: SpeakingDetector, levels: number[], start = 0, muted = false): boolean[] {
  return levels.map((level, index) => detector.push(level, start + index * STEP, muted));
}

/** What Chromium's fake microphone gives the far side: a beep every 500 ms, its level decaying. */
const CHROMIUM_BEEPS = Array.from({ length: 6 }, () => [0.7, 0.2, 0.05, 0.012, 0.004]).flat();

describe('SpeakingDetector', () => {
  it('starts only after about 250 ms of voice, not on a click', () => {
    const detector = new SpeakingDetector();
    expect(feed(detector, [0, 0.3, 0, 0, 0, 0, 0])).to.deep.equal([false, false, false, false, false, false, false]);
    expect(feed(detector, [0.1, 0.1, 0.1, 0.1], 1000)).to.deep.equal([false, false, false, true]);
    expect(detector.since).to.equal(1000);
  });

  it('stops after a second without voice, not on a breath', () => {
    const detector = new SpeakingDetector();
    feed(detector, [0.1, 0.1, 0.1, 0.1]);
    expect(detector.speaking).to.equal(true);
    // 700 ms of pause, then voice again: still one stretch of speech, begun at 0.
    expect(feed(detector, [0, 0, 0, 0, 0, 0, 0, 0.1], 400).every(Boolean)).to.equal(true);
    expect(detector.since).to.equal(0);
    const after = feed(detector, Array(12).fill(0.005), 1200);
    // The last voice was at 1100 ms: speaking until 2000 ms, silent from 2100 ms on.
    expect(after.indexOf(false)).to.equal(9);
    expect(after.slice(9).some(Boolean)).to.equal(false);
    expect(detector.since).to.equal(null);
  });

  it('bridges the short gaps inside speech, not longer ones', () => {
    const bridged = new SpeakingDetector();
    // Voice, 300 ms gap, voice: one run of 400 ms.
    expect(feed(bridged, [0.1, 0, 0, 0, 0.1]).at(-1)).to.equal(true);
    const apart = new SpeakingDetector();
    // Voice, 500 ms gap, voice: two runs of 0 ms.
    expect(feed(apart, [0.1, 0, 0, 0, 0, 0, 0.1]).some(Boolean)).to.equal(false);
  });

  it("hears Chromium's fake beeps as speech, and Firefox's constant tone", () => {
    const beeps = feed(new SpeakingDetector(), CHROMIUM_BEEPS);
    expect(beeps.indexOf(true)).to.be.within(3, 6);
    expect(beeps.slice(6).every(Boolean)).to.equal(true);
    const tone = feed(new SpeakingDetector(), Array(10).fill(0.1));
    expect(tone.indexOf(true)).to.equal(3);
  });

  it('never has a muted person speaking, and starts afresh when they unmute', () => {
    const detector = new SpeakingDetector();
    feed(detector, Array(5).fill(0.5));
    expect(detector.speaking).to.equal(true);
    expect(detector.push(0.5, 500, true)).to.equal(false);
    expect(feed(detector, Array(5).fill(0.5), 600, true).some(Boolean)).to.equal(false);
    expect(feed(detector, [0.5, 0.5, 0.5, 0.5], 1100)).to.deep.equal([false, false, false, true]);
  });

  it('takes its thresholds from options', () => {
    const detector = new SpeakingDetector({ threshold: 0.2, startMs: 0 });
    expect(detector.push(0.1, 0)).to.equal(false);
    expect(detector.push(0.25, 100)).to.equal(true);
  });
});
