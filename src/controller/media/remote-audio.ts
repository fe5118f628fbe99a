/**
 * Plays what the other participants say, whatever the page shows: one `<audio>` element per remote
 * participant, owned by the controller and kept out of the document. A `<video>` holding a video
 * track that never delivers a frame (a camera that is off) stays paused, and so would its sound;
 * and a grid that is taken off the page would take the sound with it. Tiles play video only, muted.
 */
export class RemoteAudio {
  #elements = new Map<string, HTMLAudioElement>();
  #blocked = false;
  #waitingForGesture = false;
  /** The output every element plays to; null is the browser's default. */
  #sinkId: string | null = null;

  constructor(private readonly onBlockedChange: (blocked: boolean) => void) {}

  /** The elements playing each participant's audio, by user id: for speaker choice and diagnostics. */
  get elements(): ReadonlyMap<string, HTMLAudioElement> {
    return this.#elements;
  }

  /** The browser refused to play sound without a user gesture; {@link resume} from one. */
  get blocked(): boolean {
    return this.#blocked;
  }

  /** Plays exactly these tracks, by user id; elements of everyone else are released. */
  update(tracks: ReadonlyMap<string, MediaStreamTrack>): void {
    for (const [userId, element] of this.#elements) {
      if (!tracks.has(userId)) this.#release(userId, element);
    }
    for (const [userId, track] of tracks) {
      let element = this.#elements.get(userId);
      if (!element) {
        element = document.createElement('audio');
        element.autoplay = true;
        element.dataset.participantId = userId;
        this.#elements.set(userId, element);
        if (this.#sinkId) this.#route(element, this.#sinkId).catch(() => undefined);
      }
      const current = (element.srcObject as MediaStream | null)?.getAudioTracks()[0];
      if (current !== track) {
        element.srcObject = new MediaStream([track]);
        this.#play(element);
      }
    }
    if (this.#elements.size === 0) this.#setBlocked(false);
  }

  /** Starts every element again; call it from a user gesture (a click on "enable sound"). */
  async resume(): Promise<void> {
    const results = await Promise.allSettled([...this.#elements.values()].map((element) => element.play()));
    if (results.every((result) => result.status === 'fulfilled')) this.#setBlocked(false);
  }

  /**
   * Plays everyone to that output (null: the default), now and for participants who join later.
   * Rejects when the browser cannot route sound (no `setSinkId`) or refuses that output.
   */
  async setSpeaker(deviceId: string | null): Promise<void> {
    this.#sinkId = deviceId;
    await Promise.all([...this.#elements.values()].map((element) => this.#route(element, deviceId ?? '')));
  }

  async #route(element: HTMLAudioElement, sinkId: string): Promise<void> {
    const routable = element as HTMLAudioElement & { setSinkId?: (id: string) => Promise<void>; sinkId?: string };
    if (!routable.setSinkId) throw new DOMException('This browser cannot choose where sound plays.', 'NotSupportedError');
    if (routable.sinkId !== sinkId) await routable.setSinkId(sinkId);
  }

  stop(): void {
    for (const [userId, element] of this.#elements) this.#release(userId, element);
    this.#setBlocked(false);
  }

  #play(element: HTMLAudioElement): void {
    element.play().then(
      () => {
        if ([...this.#elements.values()].every((each) => !each.paused)) this.#setBlocked(false);
      },
      (error: unknown) => {
        if ((error as DOMException)?.name === 'NotAllowedError' && this.#elements.get(element.dataset.participantId!) === element) {
          this.#setBlocked(true);
        }
      },
    );
  }

  #release(userId: string, element: HTMLAudioElement): void {
    element.pause();
    element.srcObject = null;
    this.#elements.delete(userId);
  }

  #setBlocked(blocked: boolean): void {
    if (blocked) this.#waitForGesture();
    else this.#stopWaitingForGesture();
    if (this.#blocked === blocked) return;
    this.#blocked = blocked;
    this.onBlockedChange(blocked);
  }

  /** Any interaction with the page counts as the gesture the browser wants: try again on the next one. */
  #onGesture = (): void => {
    void this.resume();
  };

  #waitForGesture(): void {
    if (this.#waitingForGesture) return;
    this.#waitingForGesture = true;
    addEventListener('pointerdown', this.#onGesture, { capture: true });
    addEventListener('keydown', this.#onGesture, { capture: true });
  }

  #stopWaitingForGesture(): void {
    if (!this.#waitingForGesture) return;
    this.#waitingForGesture = false;
    removeEventListener('pointerdown', this.#onGesture, { capture: true });
    removeEventListener('keydown', this.#onGesture, { capture: true });
  }
}
