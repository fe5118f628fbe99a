import { expect, fixture, html, oneEvent } from '@open-wc/testing';
import { sendKeys } from '@web/test-runner-commands';
import '../../define.js';
import { CallError, type CallErrorEvent } from '../../controller/index.js';
import { FakeController, historyEntry } from '../../../test/support/fake-controller.js';
import { CallHistoryCallbackEvent, CallHistoryList } from './call-history.js';
import { clockDuration, relativeTime, spokenDuration, summaryOf } from './history-format.js';

const MINUTE = 60000;

async function callHistory(fake: FakeController, template = html`<call-history conversation="team"></call-history>`) {
  const el = await fixture<CallHistoryList>(template);
  el.controller = fake;
  await el.loadComplete;
  return el;
}

const rows = (el: CallHistoryList) => [...el.shadowRoot!.querySelectorAll<HTMLLIElement>('[part="entry"]')];
const partText = (row: ParentNode, part: string) => row.querySelector(`[part="${part}"]`)?.textContent?.replace(/\s+/g, ' ').trim() ?? null;
const buttons = (el: CallHistoryList) => [...el.shadowRoot!.querySelectorAll<HTMLButtonElement>('[part="callback-button"]')];

const bob = { id: 'bob', name: 'Bob' };
const carol = { id: 'carol', name: 'Carol' };

/** A missed video call from Carol and a completed voice call with Bob, in "team"; one in "dm-dave". */
function seed(fake: FakeController): void {
  const now = Date.now();
  fake.history.add(
    historyEntry({ id: 'old', endedAt: now - 3 * 24 * 60 * MINUTE, duration: 125000, answeredAt: now - 3 * 24 * 60 * MINUTE - 125000 }),
    historyEntry({ id: 'elsewhere', conversationId: 'dm-dave', participants: [{ id: 'dave', name: 'Dave' }] }),
    historyEntry({
      id: 'missed',
      direction: 'incoming',
      video: true,
      caller: carol,
      participants: [carol, bob],
      joined: [],
      answeredAt: null,
      duration: 0,
      endedAt: now - 5 * MINUTE,
      outcome: 'missed',
      endReason: 'missed',
      seen: false,
    }),
  );
}

describe('<call-history> with a fake controller', () => {
  it('lists a conversation’s calls newest first: icon, people, summary, time and duration', async () => {
    const fake = new FakeController();
    seed(fake);
    const el = await callHistory(fake);
    const [missed, old] = rows(el);
    expect(rows(el)).to.have.length(2);
    expect(missed.dataset.outcome).to.equal('missed');
    expect(missed.dataset.direction).to.equal('incoming');
    expect(missed.hasAttribute('data-unseen')).to.equal(true);
    expect(partText(missed, 'people')).to.equal('Carol and Bob');
    expect(partText(missed, 'summary')).to.equal('Missed video call, new');
    expect(partText(missed, 'time')).to.equal('5 minutes ago');
    expect(missed.querySelector('[part="duration"]'), 'an unanswered call has no duration').to.equal(null);
    expect(missed.querySelector('[part="icon"]')!.getAttribute('aria-hidden')).to.equal('true');

    expect(old.dataset.outcome).to.equal('completed');
    expect(partText(old, 'summary')).to.equal('Outgoing voice call');
    expect(partText(old, 'time')).to.equal('3 days ago');
    expect(partText(old, 'duration')).to.equal('2:05, lasted 2 minutes 5 seconds');
    const time = old.querySelector('time')!;
    expect(new Date(time.dateTime).getTime()).to.equal(fake.history.entries[0].endedAt);
    expect(time.title).not.to.equal('');

    const list = el.shadowRoot!.querySelector('[part="list"]')!;
    expect(list.tagName).to.equal('UL');
    expect(list.getAttribute('aria-label')).to.equal('Call history');
    await expect(el).to.be.accessible();
  });

  it('lists every conversation without the attribute', async () => {
    const fake = new FakeController();
    seed(fake);
    const el = await callHistory(fake, html`<call-history></call-history>`);
    expect(rows(el).map((row) => row.dataset.entryId)).to.deep.equal(['missed', 'elsewhere', 'old']);
    el.limit = 1;
    await el.loadComplete;
    expect(rows(el).map((row) => row.dataset.entryId)).to.deep.equal(['missed']);
  });

  it('shows an empty state, which the page can replace', async () => {
    const el = await callHistory(new FakeController());
    expect(el.shadowRoot!.querySelector('[part="list"]')).to.equal(null);
    expect(partText(el.shadowRoot!, 'empty')).to.equal('No calls yet');
    await expect(el).to.be.accessible();
    const custom = await callHistory(new FakeController(), html`<call-history><span slot="empty">Nobody called</span></call-history>`);
    const slot = custom.shadowRoot!.querySelector<HTMLSlotElement>('slot[name="empty"]')!;
    expect(slot.assignedNodes()[0].textContent).to.equal('Nobody called');
  });

  it('shows a call as it is added, and reflects the unseen missed count until it is seen', async () => {
    const fake = new FakeController();
    const el = await callHistory(fake);
    expect(el.getAttribute('missed-count')).to.equal('0');
    fake.history.add(historyEntry({ id: 'new', direction: 'incoming', caller: bob, outcome: 'missed', answeredAt: null, seen: false }));
    fake.history.add(historyEntry({ id: 'other', conversationId: 'dm-dave', outcome: 'missed', answeredAt: null, seen: false }));
    await el.loadComplete;
    expect(rows(el).map((row) => row.dataset.entryId)).to.deep.equal(['new']);
    expect(el.missedCount, 'only this conversation counts').to.equal(1);
    expect(el.getAttribute('missed-count')).to.equal('1');
    const all = await callHistory(fake, html`<call-history></call-history>`);
    expect(all.getAttribute('missed-count')).to.equal('2');

    fake.history.markAllSeen();
    await Promise.all([el.loadComplete, all.loadComplete]);
    expect(el.getAttribute('missed-count')).to.equal('0');
    expect(all.getAttribute('missed-count')).to.equal('0');
    expect(rows(el)[0].hasAttribute('data-unseen')).to.equal(false);
  });

  it('calls back the same people, in the same conversation and kind, after a cancelable event', async () => {
    const fake = new FakeController();
    seed(fake);
    const el = await callHistory(fake);
    const button = buttons(el)[0];
    expect(button.getAttribute('aria-label')).to.equal('Video call Carol and Bob back');
    setTimeout(() => button.click());
    const event = (await oneEvent(el, 'call-history-callback')) as CallHistoryCallbackEvent;
    expect(event).to.be.instanceOf(CallHistoryCallbackEvent);
    expect(event.cancelable && event.bubbles && event.composed).to.equal(true);
    expect(event.entry.id).to.equal('missed');
    expect(fake.calls).to.deep.equal([
      ['startCall', { conversationId: 'team', participants: [carol, bob], video: true }],
    ]);
  });

  it('does not call back when the event is prevented', async () => {
    const fake = new FakeController();
    seed(fake);
    const el = await callHistory(fake);
    el.addEventListener('call-history-callback', (event) => event.preventDefault());
    buttons(el)[1].click();
    expect(fake.calls).to.deep.equal([]);
  });

  it('re-dispatches a refused call back as call-error', async () => {
    const fake = new FakeController();
    seed(fake);
    const error = new CallError('permission-denied', 'Access to the microphone was denied.');
    fake.refuse('startCall', error);
    const el = await callHistory(fake);
    setTimeout(() => buttons(el)[0].click());
    expect(((await oneEvent(el, 'call-error')) as CallErrorEvent).error).to.equal(error);
  });

  it('cannot call back during a call, and says why', async () => {
    const fake = new FakeController();
    seed(fake);
    const el = await callHistory(fake);
    fake.enter('active', { conversationId: 'elsewhere' });
    await el.updateComplete;
    const button = buttons(el)[0];
    expect(button.getAttribute('aria-disabled')).to.equal('true');
    expect(button.title).to.equal('Already in a call');
    let fired = false;
    el.addEventListener('call-history-callback', () => (fired = true));
    button.click();
    expect(fired).to.equal(false);
    expect(fake.calls).to.deep.equal([]);
    await expect(el).to.be.accessible();
  });

  it('is one tab stop; the arrow keys, Home and End move between the call-back buttons', async () => {
    const fake = new FakeController();
    seed(fake);
    fake.history.add(historyEntry({ id: 'newest', endedAt: Date.now() }));
    const el = await callHistory(fake);
    expect(buttons(el).map((button) => button.tabIndex)).to.deep.equal([0, -1, -1]);
    buttons(el)[0].focus();
    const focused = () => buttons(el).indexOf(el.shadowRoot!.activeElement as HTMLButtonElement);
    await sendKeys({ press: 'ArrowDown' });
    expect(focused()).to.equal(1);
    await el.updateComplete;
    expect(buttons(el).map((button) => button.tabIndex)).to.deep.equal([-1, 0, -1]);
    await sendKeys({ press: 'End' });
    expect(focused()).to.equal(2);
    await sendKeys({ press: 'ArrowDown' });
    expect(focused()).to.equal(2);
    await sendKeys({ press: 'Home' });
    expect(focused()).to.equal(0);
    await sendKeys({ press: 'ArrowUp' });
    expect(focused()).to.equal(0);
  });

  it('writes times and names in the language of the page', async () => {
    const fake = new FakeController();
    seed(fake);
    const page = await fixture<HTMLElement>(html`<div lang="de"><call-history conversation="team"></call-history></div>`);
    const el = page.querySelector('call-history')!;
    el.controller = fake;
    await el.loadComplete;
    expect(partText(rows(el)[0], 'time')).to.equal('vor 5 Minuten');
    expect(partText(rows(el)[0], 'people')).to.equal('Carol und Bob');
  });
});

describe('call history wording', () => {
  it('says relative times in the largest unit that fits', () => {
    const now = Date.UTC(2025, 0, 31, 12);
    const ago = (ms: number) => relativeTime(now - ms, now, 'en');
    expect(ago(10000)).to.equal('now');
    expect(ago(MINUTE)).to.equal('1 minute ago');
    expect(ago(59 * MINUTE)).to.equal('59 minutes ago');
    expect(ago(2 * 60 * MINUTE)).to.equal('2 hours ago');
    expect(ago(24 * 60 * MINUTE)).to.equal('yesterday');
    expect(ago(14 * 24 * 60 * MINUTE)).to.equal('2 weeks ago');
    expect(ago(60 * 24 * 60 * MINUTE)).to.equal('2 months ago');
    expect(ago(800 * 24 * 60 * MINUTE)).to.equal('2 years ago');
  });

  it('writes durations for the eye and for the ear', () => {
    expect(clockDuration(42000)).to.equal('0:42');
    expect(clockDuration(12 * MINUTE + 5000)).to.equal('12:05');
    expect(clockDuration(62 * MINUTE + 3000)).to.equal('1:02:03');
    expect(spokenDuration(1000)).to.equal('1 second');
    expect(spokenDuration(62 * MINUTE)).to.equal('1 hour 2 minutes');
    expect(spokenDuration(0)).to.equal('0 seconds');
  });

  it('says how each kind of call went', () => {
    const say = (overrides: Parameters<typeof historyEntry>[0]) => summaryOf(historyEntry(overrides));
    expect(say({ direction: 'incoming', video: true })).to.equal('Incoming video call');
    expect(say({ endReason: 'connection-lost' })).to.equal('Outgoing voice call · dropped');
    expect(say({ outcome: 'missed', direction: 'incoming' })).to.equal('Missed voice call');
    expect(say({ outcome: 'declined', direction: 'incoming' })).to.equal('Incoming voice call · declined');
    expect(say({ outcome: 'declined' })).to.equal('Outgoing voice call · declined');
    expect(say({ outcome: 'cancelled' })).to.equal('Outgoing voice call · cancelled');
    expect(say({ outcome: 'no-answer' })).to.equal('Outgoing voice call · no answer');
    expect(say({ outcome: 'busy' })).to.equal('Outgoing voice call · busy');
    expect(say({ outcome: 'failed', failureReason: 'unavailable' })).to.equal('Outgoing voice call · unavailable');
    expect(say({ outcome: 'failed', failureReason: 'connection-lost' })).to.equal('Outgoing voice call · could not connect');
    expect(say({ outcome: 'failed', failureReason: 'error' })).to.equal('Outgoing voice call · failed');
    expect(say({ outcome: 'answered-elsewhere', direction: 'incoming' })).to.equal('Incoming voice call · answered elsewhere');
  });
});
