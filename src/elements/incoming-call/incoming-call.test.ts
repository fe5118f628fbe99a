import { aTimeout, expect, fixture, html, oneEvent, waitUntil } from '@open-wc/testing';
import '../../define.js';
import { CallController, CallError, type CallEndReason, type CallErrorEvent } from '../../controller/index.js';
import type { CallControllerView } from '../../controller/view.js';
import { FakeController } from '../../../test/support/fake-controller.js';
import { peerServer } from '../../../test/support/peer-server.js';
import { waitForAudio, waitForDecodedFrames } from '../../../test/support/media.js';
import { CallAcceptEvent, CallDeclineEvent, CallWaitingAcceptEvent, IncomingCall } from './incoming-call.js';

async function incomingCall(controller: CallControllerView): Promise<IncomingCall> {
  const el = await fixture<IncomingCall>(html`<incoming-call></incoming-call>`);
  el.controller = controller;
  await el.updateComplete;
  return el;
}

function part(el: IncomingCall, name: string): HTMLElement | null {
  return el.shadowRoot!.querySelector(`[part~="${name}"]`);
}

function button(el: IncomingCall, name: 'accept-button' | 'accept-video-button' | 'decline-button'): HTMLButtonElement {
  return part(el, name) as HTMLButtonElement;
}

function focused(el: IncomingCall): Element | null {
  return el.shadowRoot!.activeElement;
}

function press(target: Element, key: string, shiftKey = false): KeyboardEvent {
  const event = new KeyboardEvent('keydown', { key, shiftKey, bubbles: true, composed: true, cancelable: true });
  target.dispatchEvent(event);
  return event;
}

describe('<incoming-call> with a fake controller', () => {
  it('renders nothing while no call rings', async () => {
    const el = await incomingCall(new FakeController());
    expect(el.ringing).to.equal(false);
    expect(part(el, 'base')).to.equal(null);
    expect(el.getBoundingClientRect().height).to.equal(0);
    await expect(el).to.be.accessible();
  });

  for (const waiting of [false, true]) {
    it(`keeps no button alone on a row in a phone-sized dialog${waiting ? ' (call waiting)' : ''}`, async () => {
      const fake = new FakeController();
      const el = await incomingCall(fake);
      if (waiting) {
        fake.enter('active', { remotes: [] });
        fake.waitWith('Carol');
      } else fake.ring('Alice', { video: true });
      await el.updateComplete;
      // A 390px-wide phone: the dialog is the viewport less the overlay's padding.
      part(el, 'base')!.style.width = '358px';
      const buttons = [...part(el, 'actions')!.querySelectorAll('button')];
      const rows = new Map<number, DOMRect[]>();
      for (const rect of buttons.map((b) => b.getBoundingClientRect())) {
        const top = Math.round(rect.top);
        rows.set(top, [...(rows.get(top) ?? []), rect]);
      }
      const decline = button(el, 'decline-button').getBoundingClientRect();
      const declineRow = rows.get(Math.round(decline.top))!;
      expect(declineRow.length, 'Decline shares its row').to.equal(2);
      if (!waiting) {
        expect(rows.size).to.equal(2);
        expect(Math.round(button(el, 'accept-button').getBoundingClientRect().top)).to.equal(Math.round(decline.top));
        expect(button(el, 'accept-button').getBoundingClientRect().left).to.be.above(decline.right);
      }
      for (const b of buttons) expect(b.getBoundingClientRect().right).to.be.at.most(part(el, 'base')!.getBoundingClientRect().right);
      await expect(el).to.be.accessible();
    });
  }

  it('shows an alert dialog named after the caller and described by the call', async () => {
    const fake = new FakeController();
    const el = await incomingCall(fake);
    fake.ring('Alice', { video: true });
    await el.updateComplete;

    const dialog = part(el, 'base')!;
    expect(dialog.getAttribute('role')).to.equal('alertdialog');
    expect(dialog.getAttribute('aria-modal')).to.equal('true');
    const name = el.shadowRoot!.getElementById(dialog.getAttribute('aria-labelledby')!)!;
    const description = el.shadowRoot!.getElementById(dialog.getAttribute('aria-describedby')!)!;
    expect(name).to.equal(part(el, 'caller'));
    expect(name.textContent!.trim()).to.equal('Alice is calling');
    expect(description).to.equal(part(el, 'details'));
    expect(description.textContent!.trim()).to.equal('Video call');
    expect(part(el, 'avatar')!.textContent!.trim()).to.equal('A');
    expect(button(el, 'accept-button').textContent!.trim()).to.equal('Accept');
    expect(button(el, 'accept-video-button').textContent!.trim()).to.equal('Accept with video');
    expect(button(el, 'decline-button').textContent!.trim()).to.equal('Decline');
    await expect(el).to.be.accessible();
  });

  it('says "Voice call" for voice calls and takes the page\'s avatar and details', async () => {
    const fake = new FakeController();
    const el = await fixture<IncomingCall>(html`
      <incoming-call>
        <img slot="avatar" alt="" src="data:image/gif;base64,R0lGODlhAQABAAAAACw=" />
        <span slot="details">Design review</span>
      </incoming-call>
    `);
    el.controller = fake;
    fake.ring('Mary Ann Lee');
    await el.updateComplete;
    const details = el.shadowRoot!.querySelector<HTMLSlotElement>('slot[name="details"]')!;
    expect(details.assignedElements()[0].textContent).to.equal('Design review');
    const avatar = el.shadowRoot!.querySelector<HTMLSlotElement>('slot[name="avatar"]')!;
    expect(avatar.assignedElements()[0].tagName).to.equal('IMG');
    await expect(el).to.be.accessible();

    const plain = await incomingCall(fake);
    expect(part(plain, 'details')!.textContent!.trim()).to.equal('Voice call');
    expect(part(plain, 'avatar')!.textContent!.trim(), 'first and last initial').to.equal('ML');
  });

  it("takes a page's custom properties set on an ancestor", async () => {
    const fake = new FakeController();
    const page = await fixture<HTMLElement>(html`
      <div style="--meshcall-incoming-background: rgb(1, 2, 3); --meshcall-decline-background: rgb(4, 5, 6)">
        <incoming-call .controller=${fake}></incoming-call>
      </div>
    `);
    const el = page.querySelector('incoming-call')!;
    fake.ring('Alice');
    await el.updateComplete;
    expect(getComputedStyle(part(el, 'base')!).backgroundColor).to.equal('rgb(1, 2, 3)');
    expect(getComputedStyle(button(el, 'decline-button')).backgroundColor).to.equal('rgb(4, 5, 6)');
  });

  it('moves focus to Accept when ringing, and back when the ring ends', async () => {
    const fake = new FakeController();
    const before = await fixture<HTMLButtonElement>(html`<button>Elsewhere</button>`);
    before.focus();
    const el = await incomingCall(fake);
    fake.ring('Alice', { video: true });
    await el.updateComplete;
    expect(focused(el)).to.equal(button(el, 'accept-button'));

    fake.setState('ending', null);
    await el.updateComplete;
    expect(part(el, 'base')).to.equal(null);
    expect(document.activeElement).to.equal(before);
  });

  it('accepts with the microphone only, or with video', async () => {
    const fake = new FakeController();
    fake.hold('accept');
    const el = await incomingCall(fake);
    const call = fake.ring('Alice', { video: true });
    await el.updateComplete;

    setTimeout(() => button(el, 'accept-button').click());
    const event = (await oneEvent(el, 'call-accept')) as CallAcceptEvent;
    expect(event).to.be.instanceOf(CallAcceptEvent);
    expect(event.cancelable && event.bubbles && event.composed).to.equal(true);
    expect(event.video).to.equal(false);
    expect(event.call).to.equal(call);
    expect(fake.calls).to.deep.equal([['accept', { video: false }]]);

    await el.updateComplete;
    expect(part(el, 'base')!.getAttribute('aria-busy')).to.equal('true');
    button(el, 'decline-button').click();
    expect(fake.calls, 'buttons wait while answering').to.deep.equal([['accept', { video: false }]]);
  });

  it('accepts with video', async () => {
    const fake = new FakeController();
    const el = await incomingCall(fake);
    fake.ring('Alice');
    await el.updateComplete;
    setTimeout(() => button(el, 'accept-video-button').click());
    const event = (await oneEvent(el, 'call-accept')) as CallAcceptEvent;
    expect(event.video).to.equal(true);
    expect(fake.calls).to.deep.equal([['accept', { video: true }]]);
  });

  it('does not answer when call-accept or call-decline is prevented', async () => {
    const fake = new FakeController();
    const el = await incomingCall(fake);
    fake.ring('Alice', { video: true });
    await el.updateComplete;
    el.addEventListener('call-accept', (event) => event.preventDefault());
    el.addEventListener('call-decline', (event) => event.preventDefault());
    button(el, 'accept-button').click();
    button(el, 'accept-video-button').click();
    button(el, 'decline-button').click();
    press(button(el, 'accept-button'), 'Escape');
    expect(fake.calls).to.deep.equal([]);
    await el.updateComplete;
    expect(part(el, 'base')).to.not.equal(null);
  });

  it('declines with the button', async () => {
    const fake = new FakeController();
    const el = await incomingCall(fake);
    fake.ring('Alice', { video: true });
    await el.updateComplete;
    setTimeout(() => button(el, 'decline-button').click());
    const event = (await oneEvent(el, 'call-decline')) as CallDeclineEvent;
    expect(event).to.be.instanceOf(CallDeclineEvent);
    expect(event.cancelable).to.equal(true);
    expect(fake.calls).to.deep.equal([['decline']]);
    await el.updateComplete;
    expect(part(el, 'base')).to.equal(null);
  });

  it('declines on Escape', async () => {
    const fake = new FakeController();
    const el = await incomingCall(fake);
    fake.ring('Alice', { video: true });
    await el.updateComplete;
    const escape = press(focused(el)!, 'Escape');
    expect(escape.defaultPrevented).to.equal(true);
    expect(fake.calls).to.deep.equal([['decline']]);
  });

  it('keeps Tab inside the dialog', async () => {
    const fake = new FakeController();
    const el = await incomingCall(fake);
    fake.ring('Alice', { video: true });
    await el.updateComplete;
    const buttons = [...el.shadowRoot!.querySelectorAll('button')];
    const [first, last] = [buttons[0], buttons[buttons.length - 1]];
    expect(focused(el)).to.equal(button(el, 'accept-button'));
    expect(last).to.equal(button(el, 'accept-button'));

    expect(press(last, 'Tab').defaultPrevented).to.equal(true);
    expect(focused(el)).to.equal(first);
    expect(press(first, 'Tab', true).defaultPrevented).to.equal(true);
    expect(focused(el)).to.equal(last);
    // Between the ends the browser moves focus itself.
    first.focus();
    expect(press(first, 'Tab').defaultPrevented).to.equal(false);
  });

  it("names the conversation by its title and the caller by the page's resolver, with their picture", async () => {
    const fake = new FakeController();
    const el = await incomingCall(fake);
    fake.ring('alice', { conversationId: 'dm-7', conversationTitle: 'Design review' });
    await el.updateComplete;
    expect(part(el, 'details')!.textContent!.trim()).to.equal('Voice call · Design review');
    expect(part(el, 'caller')!.textContent!.trim()).to.equal('alice is calling');
    const picture = 'data:image/gif;base64,R0lGODlhAQABAAAAACw=';
    fake.setProfile('alice', { name: 'Alice <b>Liddell</b>', avatarUrl: picture });
    await el.updateComplete;
    expect(part(el, 'caller')!.textContent!.trim(), 'names are text').to.equal('Alice <b>Liddell</b> is calling');
    expect(part(el, 'caller')!.querySelector('b')).to.equal(null);
    expect((part(el, 'avatar-image') as HTMLImageElement).src).to.equal(picture);
    expect(el.shadowRoot!.textContent).to.not.contain('dm-7');
    await expect(el).to.be.accessible();
  });

  it('says so while the browser silences the ringtone', async () => {
    const fake = new FakeController();
    const el = await incomingCall(fake);
    fake.ring('Alice');
    await el.updateComplete;
    expect(part(el, 'sound-blocked')).to.equal(null);
    fake.setRingtoneBlocked(true);
    await el.updateComplete;
    expect(part(el, 'sound-blocked')!.textContent!.trim()).to.equal('The browser silenced the ringtone until you click or press a key on this page.');
    fake.setRingtoneBlocked(false);
    await el.updateComplete;
    expect(part(el, 'sound-blocked')).to.equal(null);
  });

  it('shows a waiting call over the running call, focused on itself, and declines it with the button or Escape', async () => {
    const fake = new FakeController();
    fake.enter('active', { remotes: [] });
    const el = await incomingCall(fake);
    expect(part(el, 'base')).to.equal(null);
    fake.waitWith('Carol', { conversationTitle: 'Carol & me' });
    await el.updateComplete;
    const dialog = part(el, 'base')!;
    expect(dialog.getAttribute('role')).to.equal('alertdialog');
    expect(dialog.hasAttribute('aria-modal'), 'the call behind stays usable').to.equal(false);
    expect(focused(el), 'no key press ends the call by accident').to.equal(dialog);
    expect(part(el, 'caller')!.textContent!.trim()).to.equal('Carol is calling');
    expect(part(el, 'details')!.textContent!.trim()).to.equal('Voice call · Carol & me');
    expect(part(el, 'waiting-note')!.textContent!.trim()).to.equal('You are in a call: accepting ends it.');
    expect(getComputedStyle(part(el, 'overlay')!).pointerEvents).to.equal('none');
    await expect(el).to.be.accessible();

    el.addEventListener('call-waiting-decline', (event) => event.preventDefault(), { once: true });
    press(dialog, 'Escape');
    expect(fake.calls, 'prevented').to.deep.equal([]);
    press(dialog, 'Escape');
    expect(fake.calls).to.deep.equal([['declineWaiting']]);
    await el.updateComplete;
    expect(part(el, 'base')).to.equal(null);

    fake.waitWith('Dave');
    await el.updateComplete;
    (part(el, 'decline-button') as HTMLButtonElement).click();
    expect(fake.calls).to.deep.equal([['declineWaiting'], ['declineWaiting']]);
  });

  it('moves focus to Accept when a waiting call rings through after the current call ended', async () => {
    const fake = new FakeController();
    const before = await fixture<HTMLButtonElement>(html`<button>Elsewhere</button>`);
    before.focus();
    fake.enter('active', { remotes: [] });
    const el = await incomingCall(fake);
    fake.waitWith('Carol');
    await el.updateComplete;
    expect(focused(el)).to.equal(part(el, 'base'));

    // As the controller does it: the call ends, the wait ends, and the held ring rings.
    fake.setState('idle', null);
    fake.endWaiting('ringing');
    fake.ring('Carol');
    await el.updateComplete;
    expect(part(el, 'accept-button'), 'the ordinary dialog').to.not.equal(null);
    // Compared as booleans: chai would print the elements (and their controller) on failure.
    expect(focused(el) === button(el, 'accept-button'), 'focus is on Accept, not lost with the waiting card').to.equal(true);

    fake.setState('ending', null);
    await el.updateComplete;
    expect(document.activeElement === before, 'and back where it was before the wait').to.equal(true);
  });

  it('accepts a waiting call with "End call and accept"', async () => {
    const fake = new FakeController();
    fake.enter('active', { remotes: [] });
    const el = await incomingCall(fake);
    const waiting = fake.waitWith('Carol');
    await el.updateComplete;
    setTimeout(() => (part(el, 'end-and-accept-button') as HTMLButtonElement).click());
    const event = (await oneEvent(el, 'call-waiting-accept')) as CallWaitingAcceptEvent;
    expect(event.waitingCall).to.equal(waiting);
    expect(event.cancelable).to.equal(true);
    expect(fake.calls).to.deep.equal([['acceptWaiting', {}]]);
    await el.updateComplete;
    expect(part(el, 'base')).to.equal(null);
  });

  it('re-dispatches a refusal from the controller as call-error and lets the user try again', async () => {
    const fake = new FakeController();
    const error = new CallError('permission-denied', 'Access to the microphone was denied.');
    fake.refuse('accept', error);
    const el = await incomingCall(fake);
    fake.ring('Alice');
    await el.updateComplete;
    setTimeout(() => button(el, 'accept-button').click());
    const event = (await oneEvent(el, 'call-error')) as CallErrorEvent;
    expect(event.error).to.equal(error);
    await aTimeout(0);
    await el.updateComplete;
    expect(part(el, 'base')!.hasAttribute('aria-busy')).to.equal(false);
    expect(button(el, 'accept-button').hasAttribute('aria-disabled')).to.equal(false);
  });
});

describe('<incoming-call> with real controllers', () => {
  const controllers: CallController[] = [];

  async function connect(name: string): Promise<CallController> {
    const controller = new CallController();
    controllers.push(controller);
    const id = `${name.toLowerCase()}${crypto.randomUUID().replaceAll('-', '').slice(0, 8)}`;
    await controller.connect({ user: { id, name }, server: await peerServer(), iceServers: [] });
    return controller;
  }

  /** Alice calls Bob, whose <incoming-call> shows the ring. */
  async function ring(video: boolean) {
    const [alice, bob] = await Promise.all([connect('Alice'), connect('Bob')]);
    const el = await incomingCall(bob);
    expect(part(el, 'base')).to.equal(null);
    await alice.startCall({ conversationId: 'team', participants: [bob.user!.id], video });
    await waitUntil(() => part(el, 'base') !== null, 'the ring is shown', { timeout: 10000 });
    expect(part(el, 'caller')!.textContent!.trim()).to.equal('Alice is calling');
    expect(focused(el)).to.equal(button(el, 'accept-button'));
    return { alice, bob, el };
  }

  function remoteStreamOf(controller: CallController, userId: string): MediaStream | null {
    return controller.call?.participants.get(userId)?.stream ?? null;
  }

  afterEach(async () => {
    await Promise.all(controllers.splice(0).map((controller) => controller.disconnect()));
  });

  it('accepts with video: both sides are in the call and Alice sees and hears Bob', async () => {
    const { alice, bob, el } = await ring(true);
    button(el, 'accept-video-button').click();
    await waitUntil(() => alice.state === 'active' && bob.state === 'active', 'both are in the call', { timeout: 10000 });
    await el.updateComplete;
    expect(part(el, 'base')).to.equal(null);
    expect(bob.cameraEnabled).to.equal(true);

    await waitUntil(() => remoteStreamOf(alice, bob.user!.id), "Bob's media reaches Alice", { timeout: 10000 });
    const stream = remoteStreamOf(alice, bob.user!.id)!;
    const [frames, audio] = await Promise.all([
      waitForDecodedFrames(stream, { minFrames: 3, timeout: 15000 }),
      waitForAudio(stream, { timeout: 15000 }),
    ]);
    expect(frames.frames).to.be.at.least(3);
    expect(frames.width).to.be.greaterThan(0);
    expect(audio.rms).to.be.greaterThan(0.01);
  });

  it('accepts with the microphone only: Alice hears Bob, his camera stays off', async () => {
    const { alice, bob, el } = await ring(true);
    button(el, 'accept-button').click();
    await waitUntil(() => alice.state === 'active' && bob.state === 'active', 'both are in the call', { timeout: 10000 });
    expect(bob.cameraEnabled).to.equal(false);
    await waitUntil(() => remoteStreamOf(alice, bob.user!.id), "Bob's media reaches Alice", { timeout: 10000 });
    const audio = await waitForAudio(remoteStreamOf(alice, bob.user!.id)!, { timeout: 15000 });
    expect(audio.rms).to.be.greaterThan(0.01);
  });

  it("declines: Alice's call ends as declined and the dialog goes away", async () => {
    const { alice, el } = await ring(false);
    const ended = new Promise<CallEndReason>((resolve) => alice.addEventListener('call-ended', (event) => resolve(event.reason)));
    button(el, 'decline-button').click();
    expect(await ended).to.equal('declined');
    await el.updateComplete;
    expect(part(el, 'base')).to.equal(null);
  });
});
