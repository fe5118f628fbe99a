import { LitElement, type PropertyValues } from 'lit';
import { property } from 'lit/decorators.js';
import { CallError, CallErrorEvent, callController, type CallControllerEventMap } from '../controller/index.js';
import type { CallControllerView } from '../controller/view.js';

/** The controller events every element re-renders on. */
export const CONTROLLER_EVENTS: ReadonlyArray<keyof CallControllerEventMap> = [
  'call-state-change',
  'call-incoming',
  'call-participant-joined',
  'call-participant-left',
  'call-participant-change',
  'call-ended',
  'call-error',
  'call-audio-playback',
  'call-history-add',
  'call-history-change',
  'call-history-missed-change',
  'call-ringtone-playback',
  'call-profile-change',
  'call-waiting',
  'call-waiting-ended',
  'call-quality-change',
  'call-screen-share-ended',
  'call-devices-change',
  'call-device-fallback',
  'call-device-availability',
  'call-speaking-change',
  'call-active-speaker-change',
  'call-preview-change',
];

/**
 * Base of every meshcall element: follows a controller and re-renders on its events. Elements hold no
 * call logic; they read the controller and call its methods, through {@link CallControllerView} only.
 */
export abstract class CallElement extends LitElement {
  /** The controller this element shows and drives; the shared one unless set (tests run several). */
  @property({ attribute: false }) controller: CallControllerView = callController;

  #subscribed: CallControllerView | null = null;

  /** The events this kind of element follows; an element that needs more (frequent ones) adds them. */
  protected static readonly controllerEvents: ReadonlyArray<keyof CallControllerEventMap> = CONTROLLER_EVENTS;

  /** Whether this controller event should re-render the element. */
  protected wantsUpdate(_event: Event): boolean {
    return true;
  }

  override connectedCallback(): void {
    super.connectedCallback();
    this.#subscribe();
  }

  override disconnectedCallback(): void {
    super.disconnectedCallback();
    this.#unsubscribe();
  }

  protected override willUpdate(changed: PropertyValues<this>): void {
    super.willUpdate(changed);
    if (changed.has('controller') && this.isConnected) this.#subscribe();
  }

  /**
   * Runs an action the user started and passes its failure on to the page as `call-error` from this
   * element (anything that is not a CallError is a bug, reported as such). Never rejects.
   */
  protected relayFailure(action: Promise<unknown>): Promise<void> {
    return action.then(
      () => undefined,
      (error: unknown) => {
        if (!(error instanceof CallError)) return reportError(error);
        // Through a variable: the manifest analyzer reads `dispatchEvent(new X(arg))` as an event named `arg`.
        const failure = new CallErrorEvent(error);
        this.dispatchEvent(failure);
      },
    );
  }

  /** Called for every controller event, after an update has been requested. */
  protected onControllerEvent(_event: Event): void {}

  #onEvent = (event: Event): void => {
    if (this.wantsUpdate(event)) this.requestUpdate();
    this.onControllerEvent(event);
  };

  #subscribe(): void {
    if (this.#subscribed === this.controller) return;
    this.#unsubscribe();
    for (const type of this.#events()) this.controller.addEventListener(type, this.#onEvent);
    this.#subscribed = this.controller;
  }

  #unsubscribe(): void {
    if (!this.#subscribed) return;
    for (const type of this.#events()) this.#subscribed.removeEventListener(type, this.#onEvent);
    this.#subscribed = null;
  }

  #events(): ReadonlyArray<keyof CallControllerEventMap> {
    return (this.constructor as typeof CallElement).controllerEvents;
  }
}
