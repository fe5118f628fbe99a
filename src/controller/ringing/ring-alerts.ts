import type { CallControllerEventMap } from '../events.js';
import type { Call, CallState, UserInfo, UserProfile, WaitingCall } from '../model.js';
import type { RingKind, RingPlayer } from './ringtone.js';
import { describeCall } from '../text.js';
import { flashTitle, stopFlashing } from './title-flasher.js';

/**
 * When the controller may ask for the permission to show notifications: `ask-on-call` (the
 * default) asks when the user first places or accepts a call, which is a click of theirs and the
 * moment the question makes sense; `manual` only through `requestNotificationPermission()`; `off`
 * never shows a notification.
 */
export type NotificationMode = 'ask-on-call' | 'manual' | 'off';

/** What the alerts read of the controller. */
export interface RingSource {
  readonly state: CallState;
  readonly call: Call | null;
  readonly waitingCall: WaitingCall | null;
  profileOf(user: UserInfo): UserProfile;
  addEventListener<K extends keyof CallControllerEventMap>(type: K, listener: (event: CallControllerEventMap[K]) => unknown): void;
  removeEventListener<K extends keyof CallControllerEventMap>(type: K, listener: (event: CallControllerEventMap[K]) => unknown): void;
}

/** Asks the browser for the notification permission, unless it was answered already. */
export async function requestNotificationPermission(): Promise<NotificationPermission> {
  if (typeof Notification === 'undefined') return 'denied';
  if (Notification.permission !== 'default') return Notification.permission;
  try {
    return await Notification.requestPermission();
  } catch {
    return Notification.permission;
  }
}

/** A ring that wants the user's attention, or our own ring going out. */
interface Ring {
  kind: RingKind;
  callId: string;
  /** Who calls us; null for our own ring. */
  caller: UserProfile | null;
  details: string;
}

const WATCHED = ['call-state-change', 'call-waiting', 'call-waiting-ended', 'call-profile-change'] as const;

/**
 * Makes a ring noticed: the ringing sounds while a call rings (ours going out, or one coming in),
 * and, while the page is hidden or not focused, a system notification and a flashing tab title
 * ("Incoming call from Alice") for an incoming or waiting call. Everything stops when the ring ends.
 *
 * Notifications are plain `new Notification(...)`: a click focuses the page, where `<incoming-call>`
 * shows the ring. Accept and decline buttons on the notification itself need a service worker's
 * `showNotification` (and the page's own worker script), which a library cannot install for a page.
 */
export class RingAlerts {
  #ring: Ring | null = null;
  #notification: Notification | null = null;
  #asked = false;
  #answering: string | null = null;

  constructor(
    private readonly source: RingSource,
    private readonly player: RingPlayer | null,
    private readonly notifications: NotificationMode,
  ) {
    for (const type of WATCHED) source.addEventListener(type, this.#update);
    addEventListener('focus', this.#onAttention);
    addEventListener('blur', this.#onAttention);
    document.addEventListener('visibilitychange', this.#onAttention);
  }

  /** The user placed or accepted a call: a sensible moment to ask about notifications, if allowed. */
  noteUserCall(): void {
    if (this.notifications !== 'ask-on-call' || this.#asked) return;
    this.#asked = true;
    void requestNotificationPermission();
  }

  /** `acceptWaiting()` is answering this call: its ring, on the way to being answered, stays silent. */
  answering(callId: string): void {
    this.#answering = callId;
  }

  dispose(): void {
    for (const type of WATCHED) this.source.removeEventListener(type, this.#update);
    removeEventListener('focus', this.#onAttention);
    removeEventListener('blur', this.#onAttention);
    document.removeEventListener('visibilitychange', this.#onAttention);
    this.#end();
  }

  #update = (): void => {
    const next = this.#currentRing();
    const ring = this.#ring;
    if (ring && next && ring.callId === next.callId && ring.kind === next.kind) {
      // The same ring; the page's resolver may have named the caller since.
      this.#ring = next;
      if (next.caller?.name !== ring.caller?.name) this.#refreshAttention(true);
      return;
    }
    this.#end();
    if (!next) return;
    this.#ring = next;
    this.player?.play(next.kind);
    this.#refreshAttention();
  };

  #currentRing(): Ring | null {
    const { state, call, waitingCall } = this.source;
    if (state === 'incoming' && call && call.id !== this.#answering) {
      return { kind: 'ringtone', callId: call.id, caller: this.source.profileOf(call.caller), details: describeCall(call) };
    }
    if ((state === 'active' || state === 'outgoing') && waitingCall) {
      const caller = this.source.profileOf(waitingCall.caller);
      return { kind: 'waiting', callId: waitingCall.id, caller, details: `${describeCall(waitingCall)} · you are in a call` };
    }
    if (state === 'outgoing' && call) return { kind: 'ringback', callId: call.id, caller: null, details: '' };
    return null;
  }

  #end(): void {
    if (!this.#ring) return;
    this.#ring = null;
    this.player?.stop();
    this.#withdrawAttention();
  }

  #onAttention = (): void => this.#refreshAttention();

  /** Someone calls us while the user looks elsewhere: the title flashes and a notification shows. */
  #refreshAttention(renamed = false): void {
    const caller = this.#ring?.caller;
    if (!caller) return;
    const away = document.visibilityState === 'hidden' || !document.hasFocus();
    if (!away) {
      this.#withdrawAttention();
      return;
    }
    const text = `Incoming call from ${caller.name}`;
    flashTitle(this, text);
    if (renamed) this.#closeNotification();
    if (!this.#notification) this.#notify(text, caller);
  }

  #notify(text: string, caller: UserProfile): void {
    if (this.notifications === 'off' || typeof Notification === 'undefined' || Notification.permission !== 'granted') return;
    const ring = this.#ring!;
    let notification: Notification;
    try {
      notification = new Notification(text, {
        body: ring.details,
        tag: `meshcall-ring-${ring.callId}`,
        icon: caller.avatarUrl ?? undefined,
        requireInteraction: true,
      });
    } catch {
      // Some platforms allow notifications from service workers only: the title still flashes.
      return;
    }
    notification.addEventListener('click', () => {
      window.focus();
      notification.close();
    });
    this.#notification = notification;
  }

  #closeNotification(): void {
    this.#notification?.close();
    this.#notification = null;
  }

  #withdrawAttention(): void {
    stopFlashing(this);
    this.#closeNotification();
  }
}
