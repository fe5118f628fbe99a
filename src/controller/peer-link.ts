import type { DataConnection, MediaConnection } from 'peerjs';
import { toWire, type ControlMessage, type WireMessage } from './protocol.js';

/**
 * Everything between the local user and one remote participant: the control channel (a PeerJS
 * data connection) and the media connection. Messages sent before the channel opens are queued.
 */
export class PeerLink {
  /** Control channels of this pair, newest last; two exist only when both sides dialled at once. */
  readonly channels: DataConnection[] = [];
  media: MediaConnection | null = null;
  /** Set once the link is being closed, so that the close events it causes are not taken for a loss. */
  closing = false;
  #queue: WireMessage[] = [];
  #lossTimer: ReturnType<typeof setTimeout> | undefined;

  constructor(
    readonly userId: string,
    readonly peerId: string,
  ) {}

  addChannel(channel: DataConnection): void {
    this.channels.push(channel);
    if (channel.open) this.#flush(channel);
    else channel.once('open', () => this.#flush(channel));
  }

  removeChannel(channel: DataConnection): void {
    const index = this.channels.indexOf(channel);
    if (index >= 0) this.channels.splice(index, 1);
  }

  get hasChannel(): boolean {
    return this.channels.length > 0;
  }

  send(message: ControlMessage): void {
    const channel = this.#openChannel();
    if (channel) channel.send(toWire(message));
    else this.#queue.push(toWire(message));
  }

  /** Starts the grace period of a dropped media connection; `onLost` runs if it does not come back. */
  watchForLoss(graceMs: number, onLost: () => void): void {
    if (this.#lossTimer !== undefined) return;
    this.#lossTimer = setTimeout(() => {
      this.#lossTimer = undefined;
      onLost();
    }, graceMs);
  }

  cancelLossWatch(): void {
    clearTimeout(this.#lossTimer);
    this.#lossTimer = undefined;
  }

  /**
   * Resolves once the remote side has closed every control channel (it does so on receiving a
   * goodbye), or after `timeoutMs`; closing first could drop the goodbye still in flight.
   */
  async drain(timeoutMs: number): Promise<void> {
    const pending = this.channels.filter((channel) => channel.open || this.#queue.length > 0);
    if (pending.length === 0) return;
    let timer: ReturnType<typeof setTimeout> | undefined;
    const listeners: Array<[DataConnection, () => void]> = [];
    await Promise.race([
      Promise.all(
        pending.map(
          (channel) =>
            new Promise<void>((resolve) => {
              listeners.push([channel, resolve]);
              channel.once('close', resolve);
            }),
        ),
      ),
      new Promise<void>((resolve) => (timer = setTimeout(resolve, timeoutMs))),
    ]);
    clearTimeout(timer);
    for (const [channel, listener] of listeners) channel.off('close', listener);
  }

  close(): void {
    this.closing = true;
    this.cancelLossWatch();
    this.#queue = [];
    this.media?.close();
    this.media = null;
    for (const channel of this.channels.splice(0)) channel.close();
  }

  #openChannel(): DataConnection | undefined {
    for (let index = this.channels.length - 1; index >= 0; index--) {
      if (this.channels[index].open) return this.channels[index];
    }
    return undefined;
  }

  #flush(channel: DataConnection): void {
    for (const message of this.#queue.splice(0)) channel.send(message);
  }
}
