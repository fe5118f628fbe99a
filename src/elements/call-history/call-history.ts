import { html, nothing, type PropertyValues } from 'lit';
import { property, state } from 'lit/decorators.js';
import type { CallHistoryEntry } from '../../controller/index.js';
import { CallElement } from '../call-element.js';
import { cameraIcon, callFailedIcon, callIncomingIcon, callMissedIcon, callOutgoingIcon, phoneIcon } from '../shared/icons.js';
import { visuallyHidden } from '../shared/shared.styles.js';
import { CallHistoryCallbackEvent } from './call-history.events.js';
import { clockDuration, listNames, relativeTime, spokenDuration, summaryOf } from './history-format.js';
import { callHistoryStyles } from './call-history.styles.js';

export * from './call-history.events.js';

/** Controller events after which the shown entries may be out of date. */
const RELOAD_ON = new Set(['call-history-add', 'call-history-change']);
/** Relative times ("5 minutes ago") are kept current at this pace. */
const CLOCK_INTERVAL_MS = 30000;

/**
 * Lists past calls, newest first, from the controller's history: who, which way, how it went, when
 * and how long, with a button to call back. Without `conversation`, the whole log. People are named
 * as the page names them (the controller's `profileOf`), not as the entry stored them.
 *
 * The list is one stop in the tab order: the arrow keys (and Home, End) move between the call-back
 * buttons. Each entry reads as a sentence, and each button names who it calls.
 *
 * @tag call-history
 * @summary The call history of a conversation, or of the user: past calls with a call-back button.
 *
 * @slot empty - Shown when there is no call to list. Defaults to "No calls yet".
 *
 * @event {CallHistoryCallbackEvent} call-history-callback - The user asked to call back. Cancelable: when prevented, no call is started.
 * @event {CallErrorEvent} call-error - The controller refused to start the call back (not connected, no microphone, …).
 *
 * @csspart base - The wrapper around the list or the empty state.
 * @csspart list - The `<ul>` of calls.
 * @csspart entry - One call (`<li>`), with `data-outcome` (`completed`, `missed`, `declined`, `cancelled`, `no-answer`, `busy`, `failed`, `answered-elsewhere`), `data-direction` (`incoming`, `outgoing`) and `data-unseen` on a missed call not seen yet.
 * @csspart icon - The direction or outcome icon.
 * @csspart people - Who else was in the call, or rung.
 * @csspart summary - Which way the call went and how ("Missed video call", "Outgoing voice call · busy").
 * @csspart time - When the call was, relative to now (a `<time>`; the exact date is its title).
 * @csspart duration - How long the call lasted; absent for a call never answered.
 * @csspart callback-button - The call-back button.
 * @csspart empty - The empty state.
 *
 * @cssproperty [--meshcall-history-color=#0f172a] - Text colour of the entries.
 * @cssproperty [--meshcall-history-muted-color=#475569] - Colour of the summary, time and duration.
 * @cssproperty [--meshcall-history-missed-color=#b91c1c] - Colour of missed calls' icon and summary.
 * @cssproperty [--meshcall-history-divider=#e2e8f0] - The line between entries.
 * @cssproperty [--meshcall-history-hover-background=#f1f5f9] - Background of an entry under the pointer.
 * @cssproperty [--meshcall-history-button-background=#15803d] - Background of the call-back buttons.
 * @cssproperty [--meshcall-history-button-color=#ffffff] - Icon colour of the call-back buttons.
 * @cssproperty [--meshcall-focus-ring-color=#2563eb] - Colour of the keyboard focus ring.
 */
export class CallHistoryList extends CallElement {
  static override styles = [visuallyHidden, callHistoryStyles];

  /** Lists only the calls of this conversation (a `conversationId`); all calls when empty. */
  @property() conversation = '';

  /** Lists at most this many calls, the newest. */
  @property({ type: Number }) limit = 50;

  /** The list's accessible name. */
  @property() label = 'Call history';

  /**
   * Missed calls not seen yet, in `conversation` (or in all of them), for a badge; set by the element
   * from the controller and reflected as `missed-count`. The page resets it with
   * `controller.history.markSeen(conversationId)`.
   */
  @property({ type: Number, reflect: true, attribute: 'missed-count' }) missedCount = 0;

  /** The calls shown, newest first. */
  @state() entries: readonly CallHistoryEntry[] = [];

  /** Whether the entries were read at least once; until then neither a list nor the empty state shows. */
  @state() private loaded = false;

  /** Which call-back button the arrow keys are on: the one in the tab order. */
  @state() private focusIndex = 0;

  /** Resolves once the entries for the current `conversation`, user and history are shown. */
  get loadComplete(): Promise<void> {
    // A pending update may start a new load: wait for it, then for that load, then for its rendering.
    return this.updateComplete
      .then(() => this.#loading)
      .then(() => this.updateComplete)
      .then(() => undefined);
  }

  #loading: Promise<void> = Promise.resolve();
  #loadedFor: { controller: unknown; userId: string | null } | null = null;
  #loadToken = 0;
  #clock?: ReturnType<typeof setInterval>;

  override connectedCallback(): void {
    super.connectedCallback();
    this.#clock = setInterval(() => this.requestUpdate(), CLOCK_INTERVAL_MS);
  }

  override disconnectedCallback(): void {
    super.disconnectedCallback();
    clearInterval(this.#clock);
  }

  protected override willUpdate(changed: PropertyValues<this>): void {
    super.willUpdate(changed);
    const history = this.controller.history;
    const stale =
      changed.has('conversation') ||
      changed.has('limit') ||
      this.#loadedFor?.controller !== this.controller ||
      this.#loadedFor.userId !== history.userId;
    if (stale) this.#reload();
    this.missedCount = this.conversation ? history.missedCountOf(this.conversation) : history.missedCount;
    if (this.focusIndex >= this.entries.length) this.focusIndex = Math.max(0, this.entries.length - 1);
  }

  protected override onControllerEvent(event: Event): void {
    if (RELOAD_ON.has(event.type)) this.#reload();
  }

  #reload(): void {
    const history = this.controller.history;
    const token = ++this.#loadToken;
    this.#loadedFor = { controller: this.controller, userId: history.userId };
    const query = { limit: this.limit, ...(this.conversation ? { conversationId: this.conversation } : {}) };
    this.#loading = history.list(query).then(
      (entries) => {
        if (token !== this.#loadToken) return;
        this.entries = entries;
        this.loaded = true;
      },
      (error: unknown) => reportError(error),
    );
  }

  override render() {
    const now = Date.now();
    const locale = this.#locale();
    return html`
      <div part="base" class="base">
        ${this.entries.length > 0
          ? html`<ul part="list" class="list" aria-label=${this.label} @keydown=${this.#onKeydown}>
              ${this.entries.map((entry, index) => this.#renderEntry(entry, index, now, locale))}
            </ul>`
          : this.loaded
            ? html`<p part="empty" class="empty"><slot name="empty">No calls yet</slot></p>`
            : nothing}
      </div>
    `;
  }

  #renderEntry(entry: CallHistoryEntry, index: number, now: number, locale: string | undefined) {
    const names = listNames(entry.participants.map((person) => this.controller.profileOf(person).name), locale) || entry.conversationId;
    const unavailable = this.#callBackUnavailable();
    const ended = new Date(entry.endedAt);
    const label = `${entry.video ? 'Video call' : 'Call'} ${names} back`;
    return html`
      <li
        part="entry"
        class="entry"
        data-entry-id=${entry.id}
        data-outcome=${entry.outcome}
        data-direction=${entry.direction}
        ?data-unseen=${!entry.seen}
      >
        <svg part="icon" class="icon" viewBox="0 0 24 24" aria-hidden="true" focusable="false">${iconOf(entry)}</svg>
        <span class="text">
          <span part="people" class="people">${names}</span>
          <span part="summary" class="summary">${summaryOf(entry)}${entry.seen ? '' : html`<span class="visually-hidden">, new</span>`}</span>
        </span>
        <span class="meta">
          <time part="time" class="time" datetime=${ended.toISOString()} title=${ended.toLocaleString(locale)}
            >${relativeTime(entry.endedAt, now, locale)}</time
          >
          ${entry.answeredAt !== null
            ? html`<span part="duration" class="duration"
                ><span aria-hidden="true">${clockDuration(entry.duration)}</span
                ><span class="visually-hidden">, lasted ${spokenDuration(entry.duration)}</span></span
              >`
            : nothing}
        </span>
        <button
          part="callback-button"
          class="callback"
          type="button"
          tabindex=${index === this.focusIndex ? 0 : -1}
          aria-label=${label}
          aria-disabled=${unavailable ? 'true' : nothing}
          title=${unavailable ?? label}
          @click=${() => this.#callBack(entry)}
          @focus=${() => (this.focusIndex = index)}
        >
          <svg class="callback-icon" viewBox="0 0 24 24" aria-hidden="true" focusable="false">${entry.video ? cameraIcon : phoneIcon}</svg>
        </button>
      </li>
    `;
  }

  /** Why calling back cannot work right now, or null when it can. */
  #callBackUnavailable(): string | null {
    switch (this.controller.state) {
      case 'idle':
        return null;
      case 'disconnected':
        return 'Not connected';
      case 'connecting':
        return 'Connecting…';
      default:
        return 'Already in a call';
    }
  }

  #callBack(entry: CallHistoryEntry): void {
    if (this.#callBackUnavailable() !== null) return;
    const request = new CallHistoryCallbackEvent(entry);
    if (!this.dispatchEvent(request)) return;
    const title = entry.conversationTitle;
    void this.relayFailure(
      this.controller.startCall({
        conversationId: entry.conversationId,
        ...(title ? { conversationTitle: title } : {}),
        participants: entry.participants.map((person) => ({ id: person.id, name: this.controller.profileOf(person).name })),
        video: entry.video,
      }),
    );
  }

  #onKeydown(event: KeyboardEvent): void {
    const last = this.entries.length - 1;
    const moves: Record<string, number> = {
      ArrowDown: Math.min(last, this.focusIndex + 1),
      ArrowUp: Math.max(0, this.focusIndex - 1),
      Home: 0,
      End: last,
    };
    const next = moves[event.key];
    if (next === undefined) return;
    event.preventDefault();
    this.focusIndex = next;
    this.renderRoot.querySelectorAll<HTMLButtonElement>('.callback')[next]?.focus();
  }

  /** The language of the page around the element, for dates, times and lists of names. */
  #locale(): string | undefined {
    return this.closest<HTMLElement>('[lang]')?.lang || undefined;
  }
}

function iconOf(entry: CallHistoryEntry) {
  switch (entry.outcome) {
    case 'completed':
    case 'answered-elsewhere':
      return entry.direction === 'incoming' ? callIncomingIcon : callOutgoingIcon;
    case 'missed':
    case 'no-answer':
    case 'busy':
      return callMissedIcon;
    default:
      return callFailedIcon;
  }
}
