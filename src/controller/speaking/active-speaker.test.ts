import { expect } from '@open-wc/testing';
import { ActiveSpeakerSelector } from './active-speaker.js';
import { SpeakingDetector } from './speaking-detector.js';

const EVERYONE = new Set(['alice', 'bob', 'carol']);

/**
 * Runs a conversation through real detectors, 100 ms a step: `levels[id][step]` is each person's
 * level. Returns the stage after every step.
 */
function converse(levels: Record<string, number[]>, selector = new ActiveSpeakerSelector()): Array<string | null> {
  const detectors = new Map(Object.keys(levels).map((id) => [id, new SpeakingDetector()]));
  const steps = Math.max(...Object.values(levels).map((sequence) => sequence.length));
  const stages: Array<string | null> = [];
  for (let step = 0; step < steps; step += 1) {
    const now = step * 100;
    const since = new Map<string, number>();
    for (const [id, detector] of detectors) {
      detector.push(levels[id][step] ?? 0, now);
      if (detector.since !== null) since.set(id, detector.since);
    }
    stages.push(selector.update(since, EVERYONE, now));
  }
  return stages;
}

const voice = (ms: number) => Array(ms / 100).fill(0.1);
const silence = (ms: number) => Array(ms / 100).fill(0);
/** How many times the stage changed hands (a first speaker on an empty stage included). */
const changes = (stages: Array<string | null>) => stages.filter((id, index) => id !== (index === 0 ? null : stages[index - 1])).length;

describe('ActiveSpeakerSelector', () => {
  it('puts the first speaker on the empty stage at once and keeps the last one through silence', () => {
    const stages = converse({ alice: [...voice(1000), ...silence(5000)] });
    expect(stages.indexOf('alice')).to.equal(3);
    expect(stages.at(-1)).to.equal('alice');
  });

  it('hands the stage over only after the new speaker spoke 1.5 s', () => {
    const stages = converse({
      alice: [...voice(3000)],
      bob: [...silence(3000), ...voice(3000)],
    });
    // Alice stops being a speaker at 4 s (a second after her last voice); Bob speaks since 3 s.
    expect(stages[44]).to.equal('alice');
    expect(stages.indexOf('bob')).to.equal(45);
  });

  it('keeps a speaker on the stage while another cuts in, and ignores a quick "yes"', () => {
    const stages = converse({
      alice: [...voice(6000)],
      bob: [...silence(2500), ...voice(600), ...silence(2900)],
      carol: [...silence(4000), ...voice(2000)],
    });
    expect(new Set(stages.slice(3))).to.deep.equal(new Set(['alice']));
  });

  it('changes at most every 2 s when people take quick turns', () => {
    // Turns of 1.6 s, each long enough to take the stage, one after the other.
    const turn = 1600;
    const people = ['alice', 'bob', 'carol'];
    const rounds = 6;
    const levels = Object.fromEntries(
      people.map((id, index) => [
        id,
        Array.from({ length: rounds }, (_, round) => (round % 3 === index ? voice(turn) : silence(turn))).flat(),
      ]),
    );
    const stages = converse(levels);
    const switches = stages.map((id, index) => (index > 0 && id !== stages[index - 1] ? index * 100 : null)).filter((at) => at !== null);
    for (let index = 1; index < switches.length; index += 1) expect(switches[index]! - switches[index - 1]!).to.be.at.least(2000);
    expect(changes(stages)).to.be.within(2, rounds);
  });

  it('empties the stage when its speaker leaves the call, and fills it with the next speaker', () => {
    const selector = new ActiveSpeakerSelector();
    expect(selector.update(new Map([['alice', 0]]), EVERYONE, 300)).to.equal('alice');
    expect(selector.update(new Map(), new Set(['bob', 'carol']), 400)).to.equal(null);
    expect(selector.update(new Map([['bob', 350]]), new Set(['bob', 'carol']), 500)).to.equal('bob');
  });
});
