import type { AcceptOptions, StartCallOptions } from './call-controller.js';
import type { CallError } from './errors.js';
import type { CallControllerEventMap } from './events.js';
import type { CallHistory } from './history/call-history.js';
import type { DeviceChoice, DeviceList } from './media/devices.js';
import type { ConnectionStats } from './quality/stats.js';
import type { DevicePreview } from './media/device-preview.js';
import type { Call, CallState, UserInfo, UserProfile, WaitingCall } from './model.js';

/** What the elements read of the call history; they listen for its events on the controller. */
export type CallHistoryView = Pick<CallHistory, 'userId' | 'missedCount' | 'missedCountOf' | 'list'>;

/**
 * What the elements see of a controller: the state they show, the actions they start, and the
 * events that make them re-render. {@link CallController} has this shape; so can a test double.
 */
export interface CallControllerView {
  readonly state: CallState;
  /** The connected user, or null. */
  readonly user: UserInfo | null;
  /** The current call, ringing or answered, or null. */
  readonly call: Call | null;
  readonly microphoneEnabled: boolean;
  readonly cameraEnabled: boolean;
  /** False while the current call's microphone was refused or is missing (the call receives only). */
  readonly microphoneAvailable: boolean;
  /** False while the current call's camera was refused or is missing. */
  readonly cameraAvailable: boolean;
  /** Why that device is unavailable in the current call (`call-device-availability` tells), or null. */
  unavailableReason(device: 'microphone' | 'camera'): CallError | null;
  /** Whether we share a screen in the current call. */
  readonly screenShareEnabled: boolean;
  /** Whether a screen can be shared here at all (not on phones): the toggle shows only then. */
  readonly screenShareSupported: boolean;
  /** The browser blocks the call's sound until a user gesture; {@link resumeAudio} from one. */
  readonly audioBlocked: boolean;
  /** The user's past calls; its events (`call-history-add`, …) are dispatched on the controller. */
  readonly history: CallHistoryView;
  /** The browser keeps the ringtone silent until a user gesture: the ring shows only. */
  readonly ringtoneBlocked: boolean;
  /** A call ringing while we are in another one, or null. */
  readonly waitingCall: WaitingCall | null;

  /** The microphones, cameras and speakers on offer (`call-devices-change` tells of changes). */
  readonly devices: DeviceList;
  /** The device of each kind in use, or chosen for the next call; null is the browser's default. */
  readonly selectedDevices: DeviceChoice;
  /** Whether a speaker can be chosen (`setSinkId`): the choice is hidden otherwise. */
  readonly speakerSelectionSupported: boolean;
  /** The devices opened before a call (`call-preview-change` tells), or null. */
  readonly preview: DevicePreview | null;

  /** How to show a person: the page's name and picture for them, else the one they gave. */
  profileOf(user: UserInfo): UserProfile;

  /** The last stats of the connection with a participant (`call-stats` tells of each new one), or null. */
  statsOf(userId: string): ConnectionStats | null;

  /** Elements only wait for it to settle; what it resolves with is the controller's business. */
  startCall(options: StartCallOptions): Promise<unknown>;
  accept(options?: AcceptOptions): Promise<void>;
  decline(): Promise<void>;
  hangUp(): Promise<void>;
  setMicrophoneEnabled(enabled: boolean): Promise<void>;
  setCameraEnabled(enabled: boolean): Promise<void>;
  setScreenShareEnabled(enabled: boolean): Promise<void>;
  resumeAudio(): Promise<void>;
  listDevices(): Promise<unknown>;
  setMicrophoneDevice(deviceId: string | null): Promise<void>;
  setCameraDevice(deviceId: string | null): Promise<void>;
  setSpeakerDevice(deviceId: string | null): Promise<void>;
  startPreview(options?: { video?: boolean }): Promise<void>;
  setPreviewCameraEnabled(enabled: boolean): Promise<void>;
  stopPreview(): Promise<void>;
  acceptWaiting(options?: AcceptOptions): Promise<void>;
  declineWaiting(): Promise<void>;

  addEventListener<K extends keyof CallControllerEventMap>(
    type: K,
    listener: (event: CallControllerEventMap[K]) => unknown,
    options?: boolean | AddEventListenerOptions,
  ): void;
  removeEventListener<K extends keyof CallControllerEventMap>(
    type: K,
    listener: (event: CallControllerEventMap[K]) => unknown,
    options?: boolean | EventListenerOptions,
  ): void;
}
