import { expect } from '@open-wc/testing';
import type { RosterEntry } from '../protocol.js';
import { decideRosterEntry, dialsFirst, type KnownUser } from './roster.js';

const stranger: KnownUser = { participant: null, departedEpoch: null, liveLink: false, ownInvitee: false };
const entry = (state: RosterEntry['state'], epoch = 1): RosterEntry => ({ id: 'dave', name: 'Dave', state, epoch });

describe('roster merge', () => {
  it('adds people it did not know, joined ones to be met', () => {
    expect(decideRosterEntry(entry('joined'), stranger)).to.include({ action: 'add-joined', meet: true });
    expect(decideRosterEntry(entry('ringing'), stranger)).to.include({ action: 'add-ringing', meet: false });
  });

  it('marks someone else\'s invitee answered, but waits for its own invitees to say so', () => {
    const ringing = { ...stranger, participant: { state: 'ringing' as const, epoch: 1 } };
    expect(decideRosterEntry(entry('joined'), ringing)).to.include({ action: 'answered', meet: true });
    expect(decideRosterEntry(entry('joined'), { ...ringing, ownInvitee: true })).to.include({ action: 'none', meet: true });
  });

  it('removes someone who left, unless its own link to them still works', () => {
    const connected = { ...stranger, participant: { state: 'connected' as const, epoch: 1 } };
    expect(decideRosterEntry(entry('left'), connected).action).to.equal('remove');
    expect(decideRosterEntry(entry('left'), { ...connected, liveLink: true }).action).to.equal('none');
    expect(decideRosterEntry(entry('left'), stranger).action).to.equal('depart');
  });

  it('lets news of an older invitation lose, and a newer invitation bring someone back', () => {
    const gone = { ...stranger, departedEpoch: 2 };
    expect(decideRosterEntry(entry('joined', 1), gone)).to.deep.equal({ action: 'none', forgetDeparture: false, raiseEpoch: false, meet: false });
    expect(decideRosterEntry(entry('joined', 2), gone).action, 'the invitation they left').to.equal('none');
    expect(decideRosterEntry(entry('ringing', 3), gone)).to.include({ action: 'add-ringing', forgetDeparture: true });
    const rejoined = { ...stranger, participant: { state: 'connected' as const, epoch: 3 } };
    expect(decideRosterEntry(entry('left', 2), rejoined).action, 'a stale departure').to.equal('none');
    expect(decideRosterEntry(entry('joined', 4), rejoined)).to.include({ raiseEpoch: true });
  });

  it('has exactly one side of every pair dial', () => {
    for (const [a, b] of [['alice', 'bob'], ['bob', 'alice'], ['x1', 'x10']]) {
      expect(dialsFirst(a, b), `${a}-${b}`).to.not.equal(dialsFirst(b, a));
    }
  });
});
