import { expect, fixture, html, waitUntil } from '@open-wc/testing';
import { executeServerCommand, sendKeys } from '@web/test-runner-commands';
import '../src/define.js';
import type { CallAnnouncer } from '../src/elements/call-announcer/call-announcer.js';
import type { CallGrid } from '../src/elements/call-grid/call-grid.js';
import type { IncomingCall } from '../src/elements/incoming-call/incoming-call.js';
import { waitForAudio } from './support/media.js';
import { connectParty, disconnectAll, establishCall, idOf, nextEvent, remoteStream } from './support/parties.js';

/**
 * Measures what Web Audio plays: every node connected to a context's speakers is also connected to
 * an analyser of that context (through a silent gain, so that nothing is heard twice). Contexts are
 * recorded as they are made.
 */
function instrumentAudio() {
  const contexts: AudioContext[] = [];
  const taps = new Map<BaseAudioContext, AnalyserNode>();
  const OriginalContext = window.AudioContext;
  const originalConnect = AudioNode.prototype.connect;
  const connect = (from: AudioNode, to: AudioNode) => (originalConnect as (this: AudioNode, to: AudioNode) => AudioNode).call(from, to);
  window.AudioContext = class extends OriginalContext {
    constructor(options?: AudioContextOptions) {
      super(options);
      contexts.push(this);
    }
  };
  function tapOf(context: BaseAudioContext): AnalyserNode {
    let tap = taps.get(context);
    if (!tap) {
      tap = context.createAnalyser();
      tap.fftSize = 4096;
      const silent = context.createGain();
      silent.gain.value = 0;
      connect(tap, silent);
      connect(silent, context.destination);
      taps.set(context, tap);
    }
    return tap;
  }
  AudioNode.prototype.connect = function (this: AudioNode, destination: AudioNode | AudioParam, ...rest: number[]) {
    if (destination instanceof AudioDestinationNode) connect(this, tapOf(destination.context));
    return (originalConnect as (...args: unknown[]) => AudioNode).call(this, destination, ...rest);
  } as typeof AudioNode.prototype.connect;

  /** The loudest running context right now: its level (RMS) and its strongest frequency in Hz. */
  function playing(): { rms: number; frequency: number } {
    let best = { rms: 0, frequency: 0 };
    for (const [context, tap] of taps) {
      if (context.state !== 'running') continue;
      const samples = new Float32Array(tap.fftSize);
      tap.getFloatTimeDomainData(samples);
      const rms = Math.sqrt(samples.reduce((sum, value) => sum + value * value, 0) / samples.length);
      if (rms <= best.rms) continue;
      const spectrum = new Float32Array(tap.frequencyBinCount);
      tap.getFloatFrequencyData(spectrum);
      const peak = spectrum.indexOf(Math.max(...spectrum));
      best = { rms, frequency: (peak * context.sampleRate) / tap.fftSize };
    }
    return best;
  }

  return {
    contexts,
    playing,
    restore() {
      window.AudioContext = OriginalContext;
      AudioNode.prototype.connect = originalConnect;
    },
  };
}

/** Waits until a tone is heard, and says at which frequency. */
async function heardTone(audio: ReturnType<typeof instrumentAudio>, message: string): Promise<number> {
  let sound = { rms: 0, frequency: 0 };
  await waitUntil(() => (sound = audio.playing()).rms > 0.02, message, { timeout: 8000, interval: 20 });
  return sound.frequency;
}

/** Nothing is heard any more: every context the ringtone made is suspended or closed. */
async function silence(audio: ReturnType<typeof instrumentAudio>, message: string): Promise<void> {
  await waitUntil(() => audio.contexts.length > 0 && audio.contexts.every((context) => context.state !== 'running'), message, {
    timeout: 3000,
  });
  expect(audio.playing().rms).to.equal(0);
}

/**
 * Makes Web Audio behave as under an autoplay policy that wants a user gesture (Chromium's default
 * `document-user-activation-required`, Firefox's "block audio"), which a test cannot switch on for one
 * test: every new context starts suspended, and `resume()` stays pending until it is called during a
 * real user activation (`navigator.userActivation.isActive`, set by trusted input such as `sendKeys`).
 * The contexts are real: while held they play nothing.
 */
function holdAudioUntilGesture() {
  const Current = window.AudioContext;
  window.AudioContext = class extends Current {
    #pending: Array<() => void> = [];

    constructor(options?: AudioContextOptions) {
      super(options);
      void super.suspend();
    }

    override resume(): Promise<void> {
      if (!navigator.userActivation.isActive) return new Promise((resolve) => this.#pending.push(resolve));
      return super.resume().then(() => {
        for (const resolve of this.#pending.splice(0)) resolve();
      });
    }
  };
  return {
    restore() {
      window.AudioContext = Current;
    },
  };
}

describe('ringing a person notices, with real controllers', () => {
  afterEach(() => disconnectAll());

  describe('sounds', () => {
    let audio: ReturnType<typeof instrumentAudio>;
    beforeEach(() => {
      audio = instrumentAudio();
    });
    afterEach(() => audio.restore());

    it('plays the ringtone while the callee is rung, and stops it on accept', async () => {
      const alice = await connectParty('alice', { ringtone: false });
      const bob = await connectParty('bob');
      expect(audio.contexts, 'no audio before a ring').to.have.length(0);
      const ring = nextEvent(bob, 'call-incoming');
      await alice.startCall({ conversationId: 'c', participants: [idOf(bob)] });
      await ring;
      const frequency = await heardTone(audio, "Bob's ringtone is not heard");
      expect(frequency, 'the ringtone trills between C6 and E6').to.be.within(1000, 1360);
      expect(bob.ringtoneBlocked).to.equal(false);
      await bob.accept();
      await silence(audio, 'the ringtone goes on after accept');
      expect(audio.contexts).to.have.length(1);
    });

    it('stops the ringtone on decline, and closes its audio context on disconnect', async () => {
      const alice = await connectParty('alice', { ringtone: false });
      const bob = await connectParty('bob');
      const ring = nextEvent(bob, 'call-incoming');
      await alice.startCall({ conversationId: 'c', participants: [idOf(bob)] });
      await ring;
      await heardTone(audio, "Bob's ringtone is not heard");
      await bob.decline();
      await silence(audio, 'the ringtone goes on after decline');
      await bob.disconnect();
      await waitUntil(() => audio.contexts[0].state === 'closed', 'the audio context is left open', { timeout: 2000 });
    });

    it('plays ringback to the caller until the callee answers, and stops when the ring times out', async () => {
      const alice = await connectParty('alice', { ringTimeout: 2500 });
      const bob = await connectParty('bob', { ringtone: false });
      await alice.startCall({ conversationId: 'c', participants: [idOf(bob)] });
      const frequency = await heardTone(audio, "Alice's ringback is not heard");
      expect(frequency, 'ringback is 440 Hz + 480 Hz').to.be.within(420, 500);
      const ended = await nextEvent(alice, 'call-ended');
      expect(ended.reason).to.equal('no-answer');
      await silence(audio, 'the ringback goes on after the ring timed out');
    });

    it('says when autoplay rules silence the ringtone, shows it in the dialog, and rings at the first key press', async () => {
      const held = holdAudioUntilGesture();
      try {
        const alice = await connectParty('alice', { ringtone: false });
        const bob = await connectParty('bob');
        const dialog = await fixture<IncomingCall>(html`<incoming-call .controller=${bob}></incoming-call>`);
        const said: boolean[] = [];
        bob.addEventListener('call-ringtone-playback', (event) => said.push(event.blocked));
        await alice.startCall({ conversationId: 'c', participants: [idOf(bob)] });
        await waitUntil(() => bob.ringtoneBlocked, 'the blocked ringtone is not reported', { timeout: 5000 });
        expect(said).to.deep.equal([true]);
        expect(audio.contexts.map((context) => context.state)).to.deep.equal(['suspended']);
        expect(audio.playing().rms, 'nothing is heard').to.equal(0);
        await dialog.updateComplete;
        const note = () => dialog.shadowRoot!.querySelector('[part~="sound-blocked"]');
        expect(note()?.textContent?.trim()).to.equal('The browser silenced the ringtone until you click or press a key on this page.');

        await sendKeys({ press: 'a' });
        const frequency = await heardTone(audio, 'the ringtone does not start after a key press');
        expect(frequency, 'the ringtone trills between C6 and E6').to.be.within(1000, 1360);
        await waitUntil(() => !bob.ringtoneBlocked, 'the ringtone still counts as blocked');
        expect(said).to.deep.equal([true, false]);
        await dialog.updateComplete;
        expect(note(), 'the note goes once it rings').to.equal(null);
        expect(bob.state, 'a key press is no answer').to.equal('incoming');
        await bob.decline();
        await silence(audio, 'the ringtone goes on after decline');
      } finally {
        held.restore();
      }
    });

    it('vibrates with the ringtone where the device can, and stops when the ring ends', async () => {
      const buzzes: Array<number | number[]> = [];
      Object.defineProperty(navigator, 'vibrate', {
        configurable: true,
        value: (pattern: number | number[]) => {
          buzzes.push(pattern);
          return true;
        },
      });
      try {
        const alice = await connectParty('alice', { ringtone: false });
        const bob = await connectParty('bob');
        const ring = nextEvent(bob, 'call-incoming');
        await alice.startCall({ conversationId: 'c', participants: [idOf(bob)] });
        await ring;
        await waitUntil(() => buzzes.length > 0, 'no vibration');
        expect(buzzes[0], 'in the rhythm of the ringtone').to.deep.equal([450, 200, 450]);
        await waitUntil(() => buzzes.length > 1, 'the vibration does not repeat while it rings', { timeout: 4500 });
        await bob.decline();
        expect(buzzes.at(-1), 'the motor is stopped').to.equal(0);
        const count = buzzes.length;
        await new Promise((resolve) => setTimeout(resolve, 3300));
        expect(buzzes, 'nothing more after the ring').to.have.length(count);
      } finally {
        delete (navigator as { vibrate?: unknown }).vibrate;
      }
    });

    it('plays nothing with ringtone: false, and lets the page play its own', async () => {
      const played: string[] = [];
      const alice = await connectParty('alice', { ringtone: false });
      const bob = await connectParty('bob', { ringtone: { play: (kind) => played.push(kind), stop: () => played.push('stop') } });
      const ring = nextEvent(bob, 'call-incoming');
      await alice.startCall({ conversationId: 'c', participants: [idOf(bob)] });
      await ring;
      expect(played).to.deep.equal(['ringtone']);
      await bob.decline();
      expect(played).to.deep.equal(['ringtone', 'stop']);
      expect(audio.contexts, 'no Web Audio of our own').to.have.length(0);
    });
  });

  describe('while the page is hidden', () => {
    const originalTitle = document.title;
    let notifications: Array<{ title: string; body: string; closed: boolean; notification: Notification }>;
    const OriginalNotification = window.Notification;

    beforeEach(async () => {
      await executeServerCommand('grant-notifications');
      notifications = [];
      const recorded = notifications;
      // Real notifications, recorded as they are made and closed.
      window.Notification = class extends OriginalNotification {
        constructor(title: string, options?: NotificationOptions) {
          super(title, options);
          const entry = { title, body: options?.body ?? '', closed: false, notification: this as Notification };
          recorded.push(entry);
          const close = this.close.bind(this);
          this.close = () => {
            entry.closed = true;
            close();
          };
        }
      } as typeof Notification;
    });

    afterEach(async () => {
      window.Notification = OriginalNotification;
      await executeServerCommand('show-page');
      document.title = originalTitle;
    });

    it('shows a notification and flashes the tab title, and takes both back when the ring ends', async () => {
      expect(Notification.permission).to.equal('granted');
      const alice = await connectParty('alice', { ringtone: false });
      const bob = await connectParty('bob', {
        ringtone: false,
        resolveUser: (id) => (id === idOf(alice) ? { name: 'Alice Liddell' } : null),
      });
      document.title = 'Chat';
      await executeServerCommand('hide-page');
      await waitUntil(() => document.visibilityState === 'hidden', 'the page is not hidden');
      await alice.startCall({ conversationId: 'c', conversationTitle: 'Design team', participants: [idOf(bob)] });
      await waitUntil(() => notifications.length > 0, 'no notification', { timeout: 10000 });
      expect(notifications).to.have.length(1);
      expect(notifications[0].title).to.equal('Incoming call from Alice Liddell');
      expect(notifications[0].body).to.equal('Voice call · Design team');
      await waitUntil(() => document.title === 'Incoming call from Alice Liddell', 'the title does not say who calls', { timeout: 5000 });
      await waitUntil(() => document.title === 'Chat', 'the title does not flash', { timeout: 5000 });

      await alice.hangUp();
      await waitUntil(() => bob.state === 'idle', 'the ring does not end', { timeout: 10000 });
      expect(notifications[0].closed, 'the notification is closed').to.equal(true);
      expect(document.title).to.equal('Chat');
      await new Promise((resolve) => setTimeout(resolve, 1500));
      expect(document.title, 'the title stops flashing').to.equal('Chat');
    });

    it('stops flashing and closes the notification when the page is looked at, while it still rings', async () => {
      const alice = await connectParty('alice', { ringtone: false });
      const bob = await connectParty('bob', { ringtone: false });
      document.title = 'Chat';
      await executeServerCommand('hide-page');
      await waitUntil(() => document.visibilityState === 'hidden', 'the page is not hidden');
      await alice.startCall({ conversationId: 'c', participants: [idOf(bob)] });
      await waitUntil(() => notifications.length > 0, 'no notification', { timeout: 10000 });
      await waitUntil(() => document.title.startsWith('Incoming call from'), 'the title does not flash', { timeout: 5000 });

      await executeServerCommand('show-page');
      await waitUntil(() => document.title === 'Chat', 'the title is not given back', { timeout: 3000 });
      expect(notifications[0].closed, 'the notification is closed').to.equal(true);
      expect(bob.state, 'still ringing, in the dialog').to.equal('incoming');
      await new Promise((resolve) => setTimeout(resolve, 1500));
      expect(document.title, 'the title stops flashing').to.equal('Chat');
      expect(notifications, 'no new notification').to.have.length(1);
    });

    it('gives the title back and closes the notification when the controller disconnects during the ring', async () => {
      const alice = await connectParty('alice', { ringtone: false });
      const bob = await connectParty('bob', { ringtone: false });
      document.title = 'Chat';
      await executeServerCommand('hide-page');
      await waitUntil(() => document.visibilityState === 'hidden', 'the page is not hidden');
      await alice.startCall({ conversationId: 'c', participants: [idOf(bob)] });
      await waitUntil(() => notifications.length > 0, 'no notification', { timeout: 10000 });
      await waitUntil(() => document.title.startsWith('Incoming call from'), 'the title does not flash', { timeout: 5000 });

      await bob.disconnect();
      expect(document.title).to.equal('Chat');
      expect(notifications[0].closed, 'the notification is closed').to.equal(true);
      await new Promise((resolve) => setTimeout(resolve, 1500));
      expect(document.title, 'the title stops flashing').to.equal('Chat');
    });

    it('focuses the page and closes the notification when it is clicked', async () => {
      const alice = await connectParty('alice', { ringtone: false });
      const bob = await connectParty('bob', { ringtone: false });
      await executeServerCommand('hide-page');
      await waitUntil(() => document.visibilityState === 'hidden', 'the page is not hidden');
      await alice.startCall({ conversationId: 'c', participants: [idOf(bob)] });
      await waitUntil(() => notifications.length > 0, 'no notification', { timeout: 10000 });
      let focused = false;
      const originalFocus = window.focus;
      window.focus = () => {
        focused = true;
        originalFocus.call(window);
      };
      try {
        notifications[0].notification.dispatchEvent(new Event('click'));
      } finally {
        window.focus = originalFocus;
      }
      expect(focused).to.equal(true);
      expect(notifications[0].closed).to.equal(true);
      expect(bob.state, 'still ringing, for the dialog to answer').to.equal('incoming');
    });

    it('shows nothing while the page is visible and focused', async () => {
      const alice = await connectParty('alice', { ringtone: false });
      const bob = await connectParty('bob', { ringtone: false });
      await executeServerCommand('show-page');
      await waitUntil(() => document.visibilityState === 'visible' && document.hasFocus(), 'the page is not in front');
      document.title = 'Chat';
      const ring = nextEvent(bob, 'call-incoming');
      await alice.startCall({ conversationId: 'c', participants: [idOf(bob)] });
      await ring;
      await new Promise((resolve) => setTimeout(resolve, 1200));
      expect(notifications).to.have.length(0);
      expect(document.title).to.equal('Chat');
    });
  });

  describe('the notification permission', () => {
    const OriginalNotification = window.Notification;
    let asked: number;

    // The browser's prompt cannot be answered headless: a permission not asked yet, whose request is
    // counted and refused.
    beforeEach(() => {
      asked = 0;
      const Unasked = class extends OriginalNotification {} as typeof Notification;
      Object.defineProperty(Unasked, 'permission', { get: () => 'default' });
      Object.defineProperty(Unasked, 'requestPermission', {
        value: () => {
          asked += 1;
          return Promise.resolve('denied');
        },
      });
      window.Notification = Unasked;
    });
    afterEach(() => {
      window.Notification = OriginalNotification;
    });

    it('is asked when the user first places or accepts a call, never on connect or when rung', async () => {
      const alice = await connectParty('alice', { ringtone: false });
      const bob = await connectParty('bob', { ringtone: false });
      expect(asked, 'not on connect').to.equal(0);
      const ring = nextEvent(bob, 'call-incoming');
      await alice.startCall({ conversationId: 'c', participants: [idOf(bob)] });
      await ring;
      expect(asked, "Alice's call asks her, Bob's ring does not ask him").to.equal(1);
      await bob.accept();
      expect(asked, 'Bob is asked when he accepts').to.equal(2);
      const ended = nextEvent(bob, 'call-ended');
      await alice.hangUp();
      await ended;
      await waitUntil(() => alice.state === 'idle' && bob.state === 'idle', 'the call does not end');
      await bob.startCall({ conversationId: 'c', participants: [idOf(alice)] });
      expect(asked, 'once per controller').to.equal(2);
    });

    it("is asked only through requestNotificationPermission() with notifications: 'manual'", async () => {
      const alice = await connectParty('alice', { ringtone: false, notifications: 'manual' });
      const bob = await connectParty('bob', { ringtone: false, notifications: 'off' });
      const ring = nextEvent(bob, 'call-incoming');
      await alice.startCall({ conversationId: 'c', participants: [idOf(bob)] });
      await ring;
      await bob.accept();
      expect(asked).to.equal(0);
      expect(await alice.requestNotificationPermission()).to.equal('denied');
      expect(asked).to.equal(1);
    });
  });

  describe('who and where', () => {
    it("shows the conversation's title in the callee's dialog, and the page's names on the caller's tiles", async () => {
      const avatar = 'data:image/svg+xml,' + encodeURIComponent('<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 2 2"><rect width="2" height="2" fill="teal"/></svg>');
      // Bob calls himself Mallory; Alice's page knows better.
      const bob = await connectParty('Mallory', { ringtone: false });
      const alice = await connectParty('alice', {
        ringtone: false,
        resolveUser: async (id) => (id === idOf(bob) ? { name: 'Bob Builder', avatarUrl: avatar } : null),
      });
      const dialog = await fixture<IncomingCall>(html`<incoming-call .controller=${bob}></incoming-call>`);
      const grid = await fixture<CallGrid>(html`<call-grid .controller=${alice}></call-grid>`);
      await alice.startCall({ conversationId: 'dm-1', conversationTitle: 'Design\nteam \u202e review', participants: [idOf(bob)] });

      const shadow = dialog.shadowRoot!;
      await waitUntil(() => shadow.querySelector('[part~="details"]'), 'the ring is not shown', { timeout: 10000 });
      expect(shadow.querySelector('[part~="details"]')!.textContent!.trim()).to.equal('Voice call · Design team review');
      expect(shadow.textContent).to.not.contain('dm-1');

      const tileName = () => grid.shadowRoot!.querySelector(`[data-participant-id="${idOf(bob)}"] [part~="name"]`)?.textContent?.trim();
      await waitUntil(() => tileName() === 'Bob Builder', `the ringing tile says ${tileName()}`);
      const tile = grid.shadowRoot!.querySelector(`[data-participant-id="${idOf(bob)}"]`)!;
      expect(tile.querySelector('[part~="status"]')!.textContent).to.equal('Ringing…');
      expect(tile.querySelector<HTMLImageElement>('[part~="avatar-image"]')!.src).to.equal(avatar);

      await bob.accept({ video: false });
      await waitUntil(() => alice.call?.participants.get(idOf(bob))?.state === 'connected', 'Bob never connects', { timeout: 10000 });
      expect(alice.call!.participants.get(idOf(bob))!.name, 'what Bob says of himself').to.equal('Mallory');
      await grid.updateComplete;
      expect(tileName(), 'the page wins over what a peer says').to.equal('Bob Builder');
    });
  });

  describe('call waiting', () => {
    it('shows a call that rings during a call; accepting ends the current call and answers it', async () => {
      const alice = await connectParty('alice', { ringtone: false });
      const bob = await connectParty('bob', { ringtone: false });
      const carol = await connectParty('carol', { ringtone: false });
      await establishCall(alice, [bob], { video: false });
      const dialog = await fixture<IncomingCall>(html`<incoming-call .controller=${bob}></incoming-call>`);

      const waiting = nextEvent(bob, 'call-waiting');
      const call = await carol.startCall({ conversationId: 'dm-bc', conversationTitle: 'Bob & Carol', participants: [idOf(bob)] });
      const event = await waiting;
      expect(event.waitingCall).to.include({ id: call.id, conversationId: 'dm-bc', conversationTitle: 'Bob & Carol', video: false });
      expect(event.waitingCall.caller.id).to.equal(idOf(carol));
      expect(bob.state, 'the call goes on meanwhile').to.equal('active');
      expect(carol.call!.participants.get(idOf(bob))!.state, 'Carol still rings Bob').to.equal('ringing');

      await dialog.updateComplete;
      const shadow = dialog.shadowRoot!;
      expect(shadow.querySelector('[part~="caller"]')!.textContent!.trim()).to.equal('carol is calling');
      expect(shadow.querySelector('[part~="details"]')!.textContent!.trim()).to.equal('Voice call · Bob & Carol');
      expect(shadow.querySelector('[part~="overlay"]')!.classList.contains('overlay--waiting')).to.equal(true);

      const aliceEnded = nextEvent(alice, 'call-ended');
      shadow.querySelector<HTMLButtonElement>('[part~="end-and-accept-button"]')!.click();
      expect((await aliceEnded).reason, 'Alice hears that Bob left').to.equal('remote-hangup');
      await waitUntil(() => carol.state === 'active' && bob.state === 'active' && bob.call?.id === call.id, 'Bob never joins Carol', {
        timeout: 10000,
      });
      await waitForAudio(await remoteStream(carol, bob));
      await waitForAudio(await remoteStream(bob, carol));
      expect(bob.waitingCall).to.equal(null);
      await dialog.updateComplete;
      expect(shadow.querySelector('[part~="base"]'), 'the dialog is gone').to.equal(null);
    });

    it('declining answers busy: the caller learns that Bob is busy, and Bob stays in his call', async () => {
      const alice = await connectParty('alice', { ringtone: false });
      const bob = await connectParty('bob', { ringtone: false, resolveUser: () => ({ name: 'Bob' }) });
      const carol = await connectParty('carol', { ringtone: false });
      await establishCall(alice, [bob], { video: false });
      const aliceAtBob = () => bob.call?.participants.get(idOf(alice))?.state;
      await waitUntil(() => aliceAtBob() === 'connected', 'Bob and Alice never connected', { timeout: 10000 });
      const waiting = nextEvent(bob, 'call-waiting');
      await carol.startCall({ conversationId: 'dm-bc', participants: [idOf(bob)] });
      await waiting;
      const left = nextEvent(carol, 'call-participant-left');
      const ended = nextEvent(carol, 'call-ended');
      const waitingEnded = nextEvent(bob, 'call-waiting-ended');
      await bob.declineWaiting();
      expect((await waitingEnded).reason).to.equal('declined');
      const leftEvent = await left;
      expect(leftEvent.reason).to.equal('busy');
      expect(leftEvent.participant.id).to.equal(idOf(bob));
      expect((await ended).reason).to.equal('busy');
      expect(bob.state).to.equal('active');
      expect(bob.call!.participants.get(idOf(alice))!.state, 'Alice is still in Bob\'s call').to.equal('connected');
      await waitForAudio(await remoteStream(bob, alice));
    });

    it("ends unanswered at the caller's ring timeout, as no answer", async () => {
      const alice = await connectParty('alice', { ringtone: false });
      const bob = await connectParty('bob', { ringtone: false });
      const carol = await connectParty('carol', { ringtone: false, ringTimeout: 2000 });
      await establishCall(alice, [bob], { video: false });
      const waiting = nextEvent(bob, 'call-waiting');
      await carol.startCall({ conversationId: 'dm-bc', participants: [idOf(bob)] });
      await waiting;
      const waitingEnded = nextEvent(bob, 'call-waiting-ended');
      expect((await nextEvent(carol, 'call-ended')).reason).to.equal('no-answer');
      expect((await waitingEnded).reason).to.equal('cancelled');
      expect(bob.waitingCall).to.equal(null);
      expect(bob.state).to.equal('active');
    });

    it('rings as an ordinary call once the current call ends first', async () => {
      const alice = await connectParty('alice', { ringtone: false });
      const bob = await connectParty('bob', { ringtone: false });
      const carol = await connectParty('carol', { ringtone: false });
      await establishCall(alice, [bob], { video: false });
      const dialog = await fixture<IncomingCall>(html`<incoming-call .controller=${bob}></incoming-call>`);
      const waiting = nextEvent(bob, 'call-waiting');
      const call = await carol.startCall({ conversationId: 'dm-bc', participants: [idOf(bob)] });
      await waiting;
      const rings = nextEvent(bob, 'call-incoming');
      await alice.hangUp();
      expect((await rings).call.id).to.equal(call.id);
      expect(bob.state).to.equal('incoming');
      await dialog.updateComplete;
      const accept = dialog.shadowRoot!.querySelector('[part~="accept-button"]');
      expect(accept !== null && dialog.shadowRoot!.activeElement === accept, 'the ring is focused on Accept').to.equal(true);
      await bob.accept();
      await waitForAudio(await remoteStream(carol, bob));
    });
  });

  describe('<call-announcer>', () => {
    it('announces the ring, the answer, muting and the end', async () => {
      const alice = await connectParty('alice', { ringtone: false });
      const bob = await connectParty('bob', { ringtone: false, resolveUser: (id) => (id === idOf(alice) ? { name: 'Alice' } : null) });
      const announcer = await fixture<CallAnnouncer>(html`<call-announcer .controller=${bob}></call-announcer>`);
      const log = announcer.shadowRoot!.querySelector('[part~="base"]')!;
      expect(log.getAttribute('role')).to.equal('log');
      expect(log.getAttribute('aria-live')).to.equal('polite');
      const lastLine = () => [...log.querySelectorAll('[part~="line"]')].at(-1)?.textContent?.trim();

      const ring = nextEvent(bob, 'call-incoming');
      await alice.startCall({ conversationId: 'c', conversationTitle: 'Design team', participants: [idOf(bob)] });
      await ring;
      await announcer.updateComplete;
      expect(lastLine()).to.equal('Alice is calling. Voice call · Design team.');

      await bob.accept();
      await announcer.updateComplete;
      expect(lastLine()).to.equal('In a call with Alice');

      await bob.setMicrophoneEnabled(false);
      await announcer.updateComplete;
      expect(lastLine()).to.equal('You are muted');

      const ended = nextEvent(bob, 'call-ended');
      await alice.hangUp();
      await ended;
      await announcer.updateComplete;
      expect(announcer.announcements.slice(-2)).to.deep.equal(['Alice left the call', 'Call ended']);
    });
  });
});
