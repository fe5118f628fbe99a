import { html, nothing } from 'lit';
import { property } from 'lit/decorators.js';
import { CallElement } from '../call-element.js';
import { CallStartEvent } from './call-button.events.js';
import { cameraIcon, phoneIcon } from '../shared/icons.js';
import { visuallyHidden } from '../shared/shared.styles.js';
import { callButtonStyles } from './call-button.styles.js';

export * from './call-button.events.js';

/** What the button shows: it can call, its own call is ringing out, it cannot call, or the page disabled it. */
export type CallButtonState = 'ready' | 'calling' | 'unavailable' | 'disabled';

/**
 * @tag call-button
 * @summary A button that rings the participants of a conversation, for a voice or a video call.
 *
 * @slot - The label. Defaults to "Call" or "Video call", and to "Calling…" while this button's call rings out.
 *
 * @event {CallStartEvent} call-start - The user asked for the call. Cancelable: when prevented, the call is not started.
 * @event {CallErrorEvent} call-error - The controller refused to start the call (not connected, no camera, …).
 *
 * @csspart base - The `<button>`. Its `data-state` attribute is `ready`, `calling`, `unavailable` or `disabled`.
 * @csspart icon - The phone or camera icon.
 * @csspart label - The wrapper around the label.
 *
 * @cssproperty [--meshcall-button-background=#15803d] - Background of the button.
 * @cssproperty [--meshcall-button-color=#ffffff] - Text and icon colour of the button.
 * @cssproperty [--meshcall-button-radius=999px] - Corner radius of the button.
 * @cssproperty [--meshcall-button-padding=0.5em 1.1em] - Padding of the button.
 * @cssproperty [--meshcall-button-calling-background=#b45309] - Background while this button's call rings out.
 * @cssproperty [--meshcall-focus-ring-color=#2563eb] - Colour of the keyboard focus ring.
 */
export class CallButton extends CallElement {
  static override styles = [visuallyHidden, callButtonStyles];
  static override shadowRootOptions: ShadowRootInit = { ...CallElement.shadowRootOptions, delegatesFocus: true };

  /** The page's conversation the call belongs to (`conversationId` of the call). */
  @property() conversation = '';

  /** The conversation's name, shown to the people rung instead of its id (`conversationTitle` of the call). */
  @property({ attribute: 'conversation-title' }) conversationTitle = '';

  /** The user ids to ring, separated by spaces. Read them as an array from `participantIds`. */
  @property() participants = '';

  /** Places a video call instead of a voice call. */
  @property({ type: Boolean, reflect: true }) video = false;

  /** Disables the button regardless of the controller. */
  @property({ type: Boolean, reflect: true }) disabled = false;

  /** The `participants` attribute as a list of user ids. */
  get participantIds(): string[] {
    return this.participants.split(/\s+/).filter(Boolean);
  }

  /** Whether a call placed by this button (same conversation and kind) is ringing out. */
  get calling(): boolean {
    const call = this.controller.call;
    return (
      this.controller.state === 'outgoing' &&
      call !== null &&
      call.direction === 'outgoing' &&
      call.conversationId === this.conversation &&
      call.video === this.video
    );
  }

  /**
   * Why the button cannot place a call right now, as a short sentence for people, or null when it can
   * (and when the page disabled it, which has no reason to tell).
   */
  get unavailableReason(): string | null {
    switch (this.controller.state) {
      case 'disconnected':
        return 'Not connected';
      case 'connecting':
        return 'Connecting…';
      case 'idle':
        break;
      default:
        return this.calling ? 'Calling…' : 'Already in a call';
    }
    const self = this.controller.user?.id;
    return this.participantIds.some((id) => id !== self) ? null : 'No one to call';
  }

  /** What the button shows; also its `base` part's `data-state`. */
  get buttonState(): CallButtonState {
    if (this.disabled) return 'disabled';
    if (this.calling) return 'calling';
    return this.unavailableReason === null ? 'ready' : 'unavailable';
  }

  override render() {
    const state = this.buttonState;
    // Unavailable stays focusable (aria-disabled), so keyboard and screen reader users can learn why.
    const reason = state === 'unavailable' || state === 'calling' ? this.unavailableReason : null;
    const defaultLabel = state === 'calling' ? 'Calling…' : this.video ? 'Video call' : 'Call';
    return html`
      <button
        part="base"
        class="base"
        type="button"
        data-state=${state}
        ?disabled=${this.disabled}
        aria-disabled=${reason ? 'true' : nothing}
        aria-describedby=${reason ? 'reason' : nothing}
        title=${reason ?? nothing}
        @click=${this.#onClick}
      >
        <svg part="icon" class="icon" viewBox="0 0 24 24" aria-hidden="true" focusable="false">
          ${this.video ? cameraIcon : phoneIcon}
        </svg>
        <span part="label" class="label"><slot>${defaultLabel}</slot></span>
        <span id="reason" class="visually-hidden">${reason ?? ''}</span>
      </button>
    `;
  }

  #onClick(): void {
    if (this.buttonState !== 'ready') return;
    const conversationId = this.conversation;
    const participants = this.participantIds;
    const video = this.video;
    const conversationTitle = this.conversationTitle.trim() || null;
    const request = new CallStartEvent(conversationId, participants, video, conversationTitle);
    if (!this.dispatchEvent(request)) return;
    const titled = conversationTitle ? { conversationTitle } : {};
    void this.relayFailure(this.controller.startCall({ conversationId, participants, video, ...titled }));
  }
}
