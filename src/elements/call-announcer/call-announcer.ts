import { html } from 'lit';
import { property, state } from 'lit/decorators.js';
import { repeat } from 'lit/directives/repeat.js';
import {
  CallEndedEvent,
  CallIncomingEvent,
  CallParticipantChangeEvent,
  CallParticipantJoinedEvent,
  CallParticipantLeftEvent,
  CallStateChangeEvent,
  CallWaitingEndedEvent,
  CallWaitingEvent,
  describeCall,
  type Call,
  type LeaveReason,
  type UserInfo,
} from '../../controller/index.js';
import { CallElement } from '../call-element.js';
import { callAnnouncerStyles } from './call-announcer.styles.js';

/** The last few lines stay in the log: a screen reader reads additions, not the history. */
const KEPT_LINES = 5;

const LEFT_TEXT: Record<LeaveReason, (name: string) => string> = {
  hangup: (name) => `${name} left the call`,
  declined: (name) => `${name} declined the call`,
  busy: (name) => `${name} is busy in another call`,
  'no-answer': (name) => `${name} did not answer`,
  cancelled: (name) => `${name} left the call`,
  unavailable: (name) => `${name} is not available`,
  'connection-lost': (name) => `Lost the connection with ${name}`,
  'did-not-return': (name) => `${name} left the page and did not come back`,
};

/**
 * @tag call-announcer
 * @summary Tells screen reader users what happens in a call, politely: ringing, who joined and left,
 * that they are muted, a call waiting, the end of the call.
 *
 * A `role="log"` live region, out of sight unless the `visible` attribute is set. Put one on the page,
 * next to the other elements; it follows the same controller. The page's resolver names the people.
 *
 * @csspart base - The live region.
 * @csspart line - Each announcement.
 *
 * @cssproperty [--meshcall-announcer-color=inherit] - Text colour, with `visible`.
 * @cssproperty [--meshcall-announcer-font=inherit] - Font, with `visible`.
 */
export class CallAnnouncer extends CallElement {
  static override styles = callAnnouncerStyles;

  /** Shows the announcements on the page (they are otherwise for screen readers only). */
  @property({ type: Boolean, reflect: true }) visible = false;

  @state() private lines: ReadonlyArray<{ key: number; text: string }> = [];

  #nextKey = 0;
  /** The local microphone and camera as last announced, per call, so that only changes are said. */
  #localMedia: { callId: string; microphone: boolean; camera: boolean } | null = null;

  /** What was announced, oldest first (the last few). */
  get announcements(): string[] {
    return this.lines.map((line) => line.text);
  }

  override render() {
    return html`<div part="base" class="log" role="log" aria-live="polite" aria-label="Call announcements">
      ${repeat(
        this.lines,
        (line) => line.key,
        (line) => html`<p part="line" class="line">${line.text}</p>`,
      )}
    </div>`;
  }

  protected override onControllerEvent(event: Event): void {
    const text = this.#textFor(event);
    if (text) this.#announce(text);
  }

  #textFor(event: Event): string | null {
    const nameOf = (user: UserInfo) => this.controller.profileOf(user).name;
    const { state, call } = this.controller;
    const inCall = state === 'active' || state === 'outgoing';
    if (event instanceof CallIncomingEvent) return `${nameOf(event.call.caller)} is calling. ${describeCall(event.call)}.`;
    if (event instanceof CallStateChangeEvent) {
      if (event.state === 'outgoing' && call) return `Calling ${this.#namesOf(call)}…`;
      if (event.state === 'active' && event.previousState === 'incoming' && call) return `In a call with ${this.#namesOf(call)}`;
      return null;
    }
    if (event instanceof CallParticipantJoinedEvent) return inCall ? `${nameOf(event.participant)} joined the call` : null;
    if (event instanceof CallParticipantLeftEvent) return inCall ? LEFT_TEXT[event.reason](nameOf(event.participant)) : null;
    if (event instanceof CallParticipantChangeEvent) return event.participant.isLocal ? this.#localMediaText(event.call, event.participant) : null;
    if (event instanceof CallEndedEvent) {
      this.#localMedia = null;
      if (event.reason === 'missed') return `Missed call from ${nameOf(event.call.caller)}`;
      if (event.reason === 'declined' && event.call.direction === 'incoming') return 'Call declined';
      // Their call, which we called at the same moment, takes its place at once.
      if (event.reason === 'crossed') return null;
      return 'Call ended';
    }
    if (event instanceof CallWaitingEvent) return `${nameOf(event.waitingCall.caller)} is calling. You are in a call.`;
    if (event instanceof CallWaitingEndedEvent) {
      const caller = nameOf(event.waitingCall.caller);
      if (event.reason === 'declined') return `Declined the call from ${caller}`;
      if (event.reason === 'cancelled' || event.reason === 'missed') return `Missed call from ${caller}`;
    }
    return null;
  }

  #namesOf(call: Call): string {
    const names = [...call.participants.values()].filter((p) => p.state !== 'left').map((p) => this.controller.profileOf(p).name);
    if (names.length <= 1) return names[0] ?? 'nobody';
    return `${names.slice(0, -1).join(', ')} and ${names[names.length - 1]}`;
  }

  /** "You are muted" and the like, once the microphone is on; nothing for how a call starts. */
  #localMediaText(call: Call, local: { microphoneEnabled: boolean; cameraEnabled: boolean; stream: MediaStream | null }): string | null {
    if (!local.stream) return null;
    const previous = this.#localMedia?.callId === call.id ? this.#localMedia : null;
    this.#localMedia = { callId: call.id, microphone: local.microphoneEnabled, camera: local.cameraEnabled };
    if (!previous) return null;
    if (previous.microphone !== local.microphoneEnabled) return local.microphoneEnabled ? 'You are unmuted' : 'You are muted';
    if (previous.camera !== local.cameraEnabled) return local.cameraEnabled ? 'Your camera is on' : 'Your camera is off';
    return null;
  }

  #announce(text: string): void {
    this.lines = [...this.lines, { key: this.#nextKey++, text }].slice(-KEPT_LINES);
  }
}
