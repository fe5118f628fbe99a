import { expect, fixture, html } from '@open-wc/testing';
import '../../define.js';
import { CallEndedEvent, CallParticipantJoinedEvent, CallParticipantLeftEvent, type LeaveReason } from '../../controller/index.js';
import { FakeController, participant } from '../../../test/support/fake-controller.js';
import type { CallAnnouncer } from './call-announcer.js';

async function announcer(fake: FakeController): Promise<CallAnnouncer> {
  const el = await fixture<CallAnnouncer>(html`<call-announcer .controller=${fake}></call-announcer>`);
  await el.updateComplete;
  return el;
}

function lines(el: CallAnnouncer): string[] {
  return [...el.shadowRoot!.querySelectorAll('[part~="line"]')].map((line) => line.textContent!.trim());
}

describe('<call-announcer> with a fake controller', () => {
  it('is a polite log, out of sight, that starts empty', async () => {
    const el = await announcer(new FakeController());
    const log = el.shadowRoot!.querySelector('[part~="base"]')!;
    expect(log.getAttribute('role')).to.equal('log');
    expect(log.getAttribute('aria-live')).to.equal('polite');
    expect(lines(el)).to.deep.equal([]);
    expect(log.getBoundingClientRect().width).to.be.at.most(1);
    await expect(el).to.be.accessible();
  });

  it('announces a ring with the names the page gives', async () => {
    const fake = new FakeController();
    fake.profiles.set('alice', { name: 'Alice Liddell' });
    const el = await announcer(fake);
    fake.ring('Alice', { conversationTitle: 'Design team' });
    await el.updateComplete;
    expect(lines(el)).to.deep.equal(['Alice Liddell is calling. Voice call · Design team.']);
  });

  it('announces who joins and why people leave, while in the call', async () => {
    const fake = new FakeController();
    const el = await announcer(fake);
    const bob = participant('bob', { name: 'Bob', state: 'ringing' });
    const call = fake.enter('outgoing', { remotes: [bob] });
    await el.updateComplete;
    expect(lines(el)).to.deep.equal(['Calling Bob…']);
    fake.dispatchEvent(new CallParticipantJoinedEvent(call, bob));
    const reasons: LeaveReason[] = ['busy', 'declined', 'no-answer', 'hangup'];
    for (const reason of reasons) fake.dispatchEvent(new CallParticipantLeftEvent(call, bob, reason));
    await el.updateComplete;
    expect(lines(el)).to.deep.equal([
      'Bob joined the call',
      'Bob is busy in another call',
      'Bob declined the call',
      'Bob did not answer',
      'Bob left the call',
    ]);
    fake.dispatchEvent(new CallEndedEvent(call, 'busy'));
    await el.updateComplete;
    expect(lines(el), 'the last five').to.have.length(5);
    expect(lines(el).at(-1)).to.equal('Call ended');
  });

  it('announces muting and unmuting, not how the call started', async () => {
    const fake = new FakeController();
    const el = await announcer(fake);
    const call = fake.enter('active', { local: { stream: new MediaStream() } });
    fake.changed(call.local);
    await el.updateComplete;
    expect(lines(el)).to.deep.equal([]);
    await fake.setMicrophoneEnabled(false);
    await el.updateComplete;
    expect(lines(el)).to.deep.equal(['You are muted']);
    await fake.setMicrophoneEnabled(true);
    await fake.setCameraEnabled(false);
    await el.updateComplete;
    expect(lines(el)).to.deep.equal(['You are muted', 'You are unmuted', 'Your camera is off']);
  });

  it('announces a call waiting and how it ended', async () => {
    const fake = new FakeController();
    fake.enter('active');
    const el = await announcer(fake);
    fake.waitWith('Carol');
    await el.updateComplete;
    await fake.declineWaiting();
    fake.waitWith('Dave');
    fake.endWaiting();
    await el.updateComplete;
    expect(lines(el)).to.deep.equal([
      'Carol is calling. You are in a call.',
      'Declined the call from Carol',
      'Dave is calling. You are in a call.',
      'Missed call from Dave',
    ]);
  });
});
