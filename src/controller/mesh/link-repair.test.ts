import { expect } from '@open-wc/testing';
import { LinkRepair, REPAIR_TIMES, type RepairClock } from './link-repair.js';

/** A clock that only moves when told, and the ladder's actions with when each happened. */
function ladder(polite = false) {
  let now = 0;
  const timers = new Map<number, { at: number; callback: () => void }>();
  let nextHandle = 1;
  const clock: RepairClock = {
    now: () => now,
    setTimeout: (callback, ms) => {
      const handle = nextHandle++;
      timers.set(handle, { at: now + ms, callback });
      return handle;
    },
    clearTimeout: (handle) => timers.delete(handle as number),
  };
  const actions: string[] = [];
  const repair = new LinkRepair(
    polite,
    {
      restartIce: () => actions.push(`restart@${now}`),
      renew: () => actions.push(`fresh@${now}`),
      lost: () => actions.push(`lost@${now}`),
    },
    REPAIR_TIMES,
    clock,
  );
  const advance = (ms: number) => {
    const end = now + ms;
    for (;;) {
      const due = [...timers.entries()].filter(([, timer]) => timer.at <= end).sort((a, b) => a[1].at - b[1].at)[0];
      if (!due) break;
      timers.delete(due[0]);
      now = due[1].at;
      due[1].callback();
    }
    now = end;
  };
  return { repair, actions, advance, pending: () => timers.size };
}

describe('link repair', () => {
  it('restarts ICE after the grace, again while it stays down, then makes a fresh connection, then gives up', () => {
    const { repair, actions, advance, pending } = ladder();
    repair.interrupted('disconnected');
    advance(40_000);
    expect(actions).to.deep.equal([
      'restart@2000',
      'restart@5000',
      'fresh@8000',
      'restart@11000',
      'restart@14000',
      'restart@17000',
      'fresh@18000',
      'restart@21000',
      'restart@24000',
      'restart@27000',
      'fresh@28000',
      'lost@30000',
    ]);
    expect(repair.repairing).to.equal(false);
    expect(pending(), 'no timer left').to.equal(0);
  });

  it('does nothing once the connection is back within the grace', () => {
    const { repair, actions, advance, pending } = ladder();
    repair.interrupted('disconnected');
    advance(1500);
    repair.recovered();
    advance(40_000);
    expect(actions).to.deep.equal([]);
    expect(pending()).to.equal(0);
  });

  it('restarts ICE at once on failed', () => {
    const { repair, actions, advance } = ladder();
    repair.interrupted('failed');
    advance(100);
    expect(actions).to.deep.equal(['restart@0']);
  });

  it('makes a fresh connection at once when the data channel is gone, and is not back until it is', () => {
    const impolite = ladder();
    impolite.repair.interrupted('channel-closed');
    expect(impolite.actions).to.deep.equal(['fresh@0']);
    const polite = ladder(true);
    polite.repair.interrupted('channel-closed');
    // The old connection's media may still flow: that is not a repair.
    polite.repair.recovered();
    expect(polite.repair.repairing).to.equal(true);
    polite.advance(2000);
    expect(polite.actions).to.deep.equal(['fresh@1500']);
    polite.repair.recovered();
    expect(polite.repair.repairing).to.equal(false);
  });

  it('makes at most one fresh connection per 10 s however often the channel closes', () => {
    const { repair, actions, advance } = ladder();
    for (let at = 0; at < 25_000; at += 500) {
      repair.interrupted('channel-closed');
      advance(500);
    }
    expect(actions.filter((action) => action.startsWith('fresh'))).to.deep.equal(['fresh@0', 'fresh@10000', 'fresh@20000']);
  });

  it('waits longer on the polite side, and counts the far side\'s fresh connection as its own', () => {
    const { repair, actions, advance } = ladder(true);
    repair.interrupted('channel-closed');
    advance(1000);
    expect(actions).to.deep.equal([]);
    repair.renewed();
    advance(9000);
    expect(actions.filter((action) => action.startsWith('fresh'))).to.deep.equal([]);
  });

  it('restarts ICE at once when the network changes during a repair, and not outside one', () => {
    const { repair, actions, advance } = ladder();
    repair.networkChanged();
    expect(actions).to.deep.equal([]);
    repair.interrupted('disconnected');
    advance(500);
    repair.networkChanged();
    expect(actions).to.deep.equal(['restart@500']);
  });
});
