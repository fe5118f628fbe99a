import { aTimeout, expect, fixture, html, oneEvent, waitUntil } from '@open-wc/testing';
import '../../define.js';
import { CallController, CallError, type CallErrorEvent, type CallState } from '../../controller/index.js';
import { FakeController } from '../../../test/support/fake-controller.js';
import { peerServer } from '../../../test/support/peer-server.js';
import { CallButton, CallStartEvent } from './call-button.js';

async function callButton(fake: FakeController, template = html`<call-button conversation="team" participants="bob carol"></call-button>`) {
  const el = await fixture<CallButton>(template);
  el.controller = fake;
  await el.updateComplete;
  return el;
}

function base(el: CallButton): HTMLButtonElement {
  return el.shadowRoot!.querySelector('[part="base"]')!;
}

function label(el: CallButton): string {
  const slot = el.shadowRoot!.querySelector('slot')!;
  const assigned = slot.assignedNodes({ flatten: true });
  return assigned.map((node) => node.textContent).join('').trim();
}

describe('<call-button> with a fake controller', () => {
  it('renders a button with an icon and the default label', async () => {
    const el = await callButton(new FakeController());
    const button = base(el);
    expect(button).to.be.instanceOf(HTMLButtonElement);
    expect(button.dataset.state).to.equal('ready');
    expect(button.hasAttribute('aria-disabled')).to.equal(false);
    expect(el.shadowRoot!.querySelector('[part="icon"]')!.getAttribute('aria-hidden')).to.equal('true');
    expect(label(el)).to.equal('Call');
    await expect(el).to.be.accessible();
  });

  it('says "Video call" and shows a camera for video calls, and keeps a label the page gives', async () => {
    const el = await callButton(new FakeController(), html`<call-button video conversation="team" participants="bob"></call-button>`);
    expect(label(el)).to.equal('Video call');
    const custom = await callButton(new FakeController(), html`<call-button participants="bob">Ring Bob</call-button>`);
    expect(label(custom)).to.equal('Ring Bob');
  });

  it("takes a page's custom properties set on an ancestor", async () => {
    const page = await fixture<HTMLElement>(html`
      <div style="--meshcall-button-background: rgb(1, 2, 3); --meshcall-button-radius: 3px">
        <call-button conversation="team" participants="bob"></call-button>
      </div>
    `);
    const el = page.querySelector('call-button')!;
    el.controller = new FakeController();
    await el.updateComplete;
    const button = getComputedStyle(base(el));
    expect(button.backgroundColor).to.equal('rgb(1, 2, 3)');
    expect(button.borderTopLeftRadius).to.equal('3px');
  });

  it('reads space-separated participants into participantIds', async () => {
    const el = await callButton(new FakeController(), html`<call-button participants="  bob   carol "></call-button>`);
    expect(el.participantIds).to.deep.equal(['bob', 'carol']);
    el.participants = '';
    expect(el.participantIds).to.deep.equal([]);
  });

  it('fires call-start and starts the call on click', async () => {
    const fake = new FakeController();
    const el = await callButton(fake, html`<call-button video conversation="team" participants="bob carol"></call-button>`);
    setTimeout(() => base(el).click());
    const event = (await oneEvent(el, 'call-start')) as CallStartEvent;
    expect(event).to.be.instanceOf(CallStartEvent);
    expect(event.cancelable && event.bubbles && event.composed).to.equal(true);
    expect(event.conversationId).to.equal('team');
    expect(event.participants).to.deep.equal(['bob', 'carol']);
    expect(event.video).to.equal(true);
    expect(fake.calls).to.deep.equal([['startCall', { conversationId: 'team', participants: ['bob', 'carol'], video: true }]]);
  });

  it('passes the conversation-title attribute on to the call and the event', async () => {
    const fake = new FakeController();
    const el = await callButton(fake, html`<call-button conversation="dm-1" conversation-title=" Design team " participants="bob"></call-button>`);
    expect(el.conversationTitle).to.equal(' Design team ');
    setTimeout(() => base(el).click());
    const event = (await oneEvent(el, 'call-start')) as CallStartEvent;
    expect(event.conversationTitle).to.equal('Design team');
    expect(fake.calls).to.deep.equal([['startCall', { conversationId: 'dm-1', participants: ['bob'], video: false, conversationTitle: 'Design team' }]]);
  });

  it('does not start the call when call-start is prevented', async () => {
    const fake = new FakeController();
    const el = await callButton(fake);
    el.addEventListener('call-start', (event) => event.preventDefault());
    base(el).click();
    expect(fake.calls).to.deep.equal([]);
  });

  it('re-dispatches a refusal from the controller as call-error', async () => {
    const fake = new FakeController();
    const error = new CallError('permission-denied', 'Access to the microphone was denied.');
    fake.refuse('startCall', error);
    const el = await callButton(fake);
    setTimeout(() => base(el).click());
    const event = (await oneEvent(el, 'call-error')) as CallErrorEvent;
    expect(event.error).to.equal(error);
  });

  const reasons: Array<[CallState, string]> = [
    ['disconnected', 'Not connected'],
    ['connecting', 'Connecting…'],
    ['incoming', 'Already in a call'],
    ['active', 'Already in a call'],
    ['ending', 'Already in a call'],
  ];
  for (const [state, reason] of reasons) {
    it(`is unavailable with the reason "${reason}" while ${state}`, async () => {
      const fake = new FakeController();
      const el = await callButton(fake);
      if (state === 'active') fake.enter(state, { conversationId: 'elsewhere', video: false });
      else fake.setState(state, null);
      await el.updateComplete;
      const button = base(el);
      expect(button.dataset.state).to.equal('unavailable');
      expect(button.getAttribute('aria-disabled')).to.equal('true');
      expect(button.disabled, 'stays focusable so the reason can be read').to.equal(false);
      expect(button.title).to.equal(reason);
      const description = el.shadowRoot!.getElementById(button.getAttribute('aria-describedby')!)!;
      expect(description.textContent).to.equal(reason);
      expect(el.unavailableReason).to.equal(reason);

      let fired = false;
      el.addEventListener('call-start', () => (fired = true));
      button.click();
      expect(fired).to.equal(false);
      expect(fake.calls).to.deep.equal([]);
      await expect(el).to.be.accessible();
    });
  }

  it('is unavailable with no one to call, the local user not counting', async () => {
    const fake = new FakeController();
    const el = await callButton(fake, html`<call-button conversation="team" participants="me"></call-button>`);
    expect(base(el).title).to.equal('No one to call');
    el.participants = 'me bob';
    await el.updateComplete;
    expect(base(el).dataset.state).to.equal('ready');
  });

  it('follows the controller: available once it connects', async () => {
    const fake = new FakeController();
    fake.state = 'connecting';
    const el = await callButton(fake);
    expect(base(el).dataset.state).to.equal('unavailable');
    fake.setState('idle');
    await el.updateComplete;
    expect(base(el).dataset.state).to.equal('ready');
  });

  it('is really disabled when the page sets disabled', async () => {
    const fake = new FakeController();
    const el = await callButton(fake, html`<call-button disabled conversation="team" participants="bob"></call-button>`);
    const button = base(el);
    expect(button.disabled).to.equal(true);
    expect(button.dataset.state).to.equal('disabled');
    el.click();
    button.click();
    expect(fake.calls).to.deep.equal([]);
    await expect(el).to.be.accessible();
  });

  it('shows "Calling…" while its own call rings out, and only its own', async () => {
    const fake = new FakeController();
    const el = await callButton(fake);
    const video = await callButton(fake, html`<call-button video conversation="team" participants="bob"></call-button>`);
    const other = await callButton(fake, html`<call-button conversation="other" participants="bob"></call-button>`);
    fake.enter('outgoing', { conversationId: 'team', video: false });
    await Promise.all([el.updateComplete, video.updateComplete, other.updateComplete]);
    expect(el.calling).to.equal(true);
    expect(base(el).dataset.state).to.equal('calling');
    expect(base(el).getAttribute('aria-disabled')).to.equal('true');
    expect(label(el)).to.equal('Calling…');
    expect(base(video).dataset.state).to.equal('unavailable');
    expect(base(other).title).to.equal('Already in a call');
    await expect(el).to.be.accessible();
  });
});

describe('<call-button> with real controllers', () => {
  const controllers: CallController[] = [];

  async function connect(name: string): Promise<CallController> {
    const controller = new CallController();
    controllers.push(controller);
    const id = `${name.toLowerCase()}${crypto.randomUUID().replaceAll('-', '').slice(0, 8)}`;
    await controller.connect({ user: { id, name }, server: await peerServer(), iceServers: [] });
    return controller;
  }

  afterEach(async () => {
    await Promise.all(controllers.splice(0).map((controller) => controller.disconnect()));
  });

  it('rings the participants when clicked', async () => {
    const [alice, bob] = await Promise.all([connect('Alice'), connect('Bob')]);
    const el = await fixture<CallButton>(html`<call-button conversation="team"></call-button>`);
    el.controller = alice;
    el.participants = bob.user!.id;
    await el.updateComplete;
    expect(base(el).dataset.state).to.equal('ready');

    base(el).click();
    await waitUntil(() => bob.state === 'incoming', 'bob is rung', { timeout: 10000 });
    expect(bob.call!.caller.id).to.equal(alice.user!.id);
    expect(bob.call!.conversationId).to.equal('team');
    expect(bob.call!.video).to.equal(false);
    expect(alice.state).to.equal('outgoing');
    await el.updateComplete;
    expect(base(el).dataset.state).to.equal('calling');
    expect(label(el)).to.equal('Calling…');

    await alice.hangUp();
    await aTimeout(0);
    await el.updateComplete;
    expect(base(el).dataset.state).to.equal('ready');
  });
});
