import {
  CallActiveSpeakerChangeEvent,
  CallAudioPlaybackEvent,
  CallSpeakingChangeEvent,
  CallStatsEvent,
  CallDevicesChangeEvent,
  CallDeviceAvailabilityEvent,
  CallPreviewChangeEvent,
  CallHistoryAddEvent,
  CallHistoryChangeEvent,
  CallHistoryMissedChangeEvent,
  CallIncomingEvent,
  CallParticipantChangeEvent,
  CallProfileChangeEvent,
  CallRingtonePlaybackEvent,
  CallStateChangeEvent,
  CallWaitingEndedEvent,
  CallWaitingEvent,
  type AcceptOptions,
  type Call,
  type CallControllerEventMap,
  type CallDirection,
  type CallError,
  type CallHistoryEntry,
  type CallHistoryQuery,
  type CallState,
  type ConnectionStats,
  type DeviceChoice,
  type DeviceList,
  type DevicePreview,
  type Participant,
  type StartCallOptions,
  type UserInfo,
  type UserProfile,
  type WaitingCall,
  type WaitingEndReason,
} from '../../src/controller/index.js';
import type { CallControllerView, CallHistoryView } from '../../src/controller/view.js';

type Mutable<T> = { -readonly [K in keyof T]: T[K] };

/** A participant a test can change, then announce with {@link FakeController.changed}. */
export type FakeParticipant = Mutable<Participant>;

/** A call a test can change; its participants are {@link FakeParticipant}s. */
export interface FakeCall extends Omit<Mutable<Call>, 'local' | 'participants'> {
  local: FakeParticipant;
  participants: Map<string, FakeParticipant>;
}

/** The controller methods elements call. */
export type ControllerAction =
  | 'startCall'
  | 'accept'
  | 'decline'
  | 'hangUp'
  | 'setMicrophoneEnabled'
  | 'setCameraEnabled'
  | 'setScreenShareEnabled'
  | 'resumeAudio'
  | 'listDevices'
  | 'setMicrophoneDevice'
  | 'setCameraDevice'
  | 'setSpeakerDevice'
  | 'startPreview'
  | 'setPreviewCameraEnabled'
  | 'stopPreview'
  | 'acceptWaiting'
  | 'declineWaiting';

/** One call an element made: the method's name, then its arguments. */
export type RecordedCall = { [A in ControllerAction]: [A, ...Parameters<CallControllerView[A]>] }[ControllerAction];

export interface FakeCallOptions {
  conversationId?: string;
  conversationTitle?: string | null;
  direction?: CallDirection;
  video?: boolean;
  caller?: UserInfo;
  /** Changes to the local participant, who is otherwise the fake's user with the microphone on. */
  local?: Partial<FakeParticipant>;
  remotes?: FakeParticipant[];
}

/** A remote participant, connected with the microphone on and the camera off unless `overrides` say otherwise. */
export function participant(id: string, overrides: Partial<FakeParticipant> = {}): FakeParticipant {
  return {
    id,
    name: id,
    isLocal: false,
    state: 'connected',
    microphoneEnabled: true,
    cameraEnabled: false,
    stream: null,
    networkQuality: null,
    videoPaused: false,
    speaking: false,
    away: false,
    reconnecting: false,
    screenStream: null,
    ...overrides,
  };
}

/** The preview the fake opens: an empty stream, and the microphone level a test sets. */
export class FakePreview implements DevicePreview {
  readonly stream = new MediaStream();
  level = 0;

  constructor(public cameraEnabled: boolean) {}

  microphoneLevel(): number {
    return this.level;
  }
}

let entryCount = 0;

/**
 * A history entry: by default a completed outgoing voice call with Bob in conversation "team" that
 * ended a minute ago after 42 s.
 */
export function historyEntry(overrides: Partial<CallHistoryEntry> = {}): CallHistoryEntry {
  entryCount += 1;
  const endedAt = Date.now() - 60000;
  const bob = { id: 'bob', name: 'Bob' };
  return {
    id: `entry-${entryCount}`,
    callId: `call-${entryCount}`,
    conversationId: 'team',
    conversationTitle: null,
    direction: 'outgoing',
    video: false,
    caller: { id: 'me', name: 'Me' },
    participants: [bob],
    joined: [bob],
    startedAt: endedAt - 50000,
    answeredAt: endedAt - 42000,
    endedAt,
    duration: 42000,
    outcome: 'completed',
    endReason: 'hangup',
    failureReason: null,
    errorType: null,
    seen: true,
    ...overrides,
  };
}

/**
 * The history the fake controller shows: entries a test adds with {@link add}, announced on the
 * controller the way the real history does.
 */
export class FakeHistory implements CallHistoryView {
  /** Oldest first. */
  readonly entries: CallHistoryEntry[] = [];

  constructor(readonly controller: FakeController) {}

  get userId(): string | null {
    return this.controller.user?.id ?? null;
  }

  get missedCount(): number {
    return this.entries.filter((entry) => !entry.seen).length;
  }

  missedCountOf(conversationId: string): number {
    return this.entries.filter((entry) => !entry.seen && entry.conversationId === conversationId).length;
  }

  async list(query: CallHistoryQuery = {}): Promise<CallHistoryEntry[]> {
    const entries = this.entries.filter((entry) => query.conversationId === undefined || entry.conversationId === query.conversationId);
    return entries.reverse().slice(0, query.limit ?? Infinity);
  }

  /** Adds entries as if their calls had just ended: `call-history-add` for each, and the missed count. */
  add(...entries: CallHistoryEntry[]): void {
    for (const entry of entries) {
      this.entries.push(entry);
      this.controller.dispatchEvent(new CallHistoryAddEvent(entry));
      if (!entry.seen) this.controller.dispatchEvent(new CallHistoryMissedChangeEvent(this.missedCount));
    }
  }

  /** Marks every entry seen, as `markSeen()` would. */
  markAllSeen(): void {
    this.entries.splice(0, this.entries.length, ...this.entries.map((entry) => ({ ...entry, seen: true })));
    this.controller.dispatchEvent(new CallHistoryChangeEvent());
    this.controller.dispatchEvent(new CallHistoryMissedChangeEvent(0));
  }
}

// EventTarget's own listener methods take any Event: declare the controller's typed ones over them,
// as CallController does, so that the fake has the shape elements expect.
export interface FakeController {
  addEventListener<K extends keyof CallControllerEventMap>(
    type: K,
    listener: (event: CallControllerEventMap[K]) => unknown,
    options?: boolean | AddEventListenerOptions,
  ): void;
  addEventListener(type: string, listener: EventListenerOrEventListenerObject | null, options?: boolean | AddEventListenerOptions): void;
  removeEventListener<K extends keyof CallControllerEventMap>(
    type: K,
    listener: (event: CallControllerEventMap[K]) => unknown,
    options?: boolean | EventListenerOptions,
  ): void;
  removeEventListener(type: string, listener: EventListenerOrEventListenerObject | null, options?: boolean | EventListenerOptions): void;
}

/**
 * A stand-in for the controller with exactly what elements see of one ({@link CallControllerView}),
 * for element tests that need no network. A test sets `state` and `call` (with `setState`, `enter`,
 * `ring`), which dispatches the events the controller would. Every action an element asks for is
 * recorded in `calls`, then acted out the way the controller would (the state and call change at
 * once, and the promise resolves), unless the test makes that action `refuse` or `hold`.
 */
export class FakeController extends EventTarget implements CallControllerView {
  state: CallState = 'idle';
  call: FakeCall | null = null;
  /** Set by a test, then announced with {@link setAudioBlocked}. */
  audioBlocked = false;
  /** Set and announced with {@link setRingtoneBlocked}. */
  ringtoneBlocked = false;
  /** Set and announced with {@link waitWith}; cleared by the waiting actions. */
  waitingCall: WaitingCall | null = null;
  /** What the page's resolver would say, by user id; announce a change with {@link setProfile}. */
  readonly profiles = new Map<string, Partial<UserProfile>>();
  /** Every action elements asked for, in order. */
  readonly calls: RecordedCall[] = [];
  readonly history: FakeHistory = new FakeHistory(this);
  #outcomes = new Map<ControllerAction, CallError | 'hold'>();

  constructor(public user: UserInfo | null = { id: 'me', name: 'Me' }) {
    super();
  }

  // Read from the local participant, as the controller does: a test changes one place only.
  get microphoneEnabled(): boolean {
    return this.call?.local.microphoneEnabled ?? false;
  }

  get cameraEnabled(): boolean {
    return this.call?.local.cameraEnabled ?? false;
  }

  /** Set and announced with {@link setUnavailable}. */
  readonly unavailable: { microphone: CallError | null; camera: CallError | null } = { microphone: null, camera: null };

  get microphoneAvailable(): boolean {
    return !this.unavailable.microphone;
  }

  get cameraAvailable(): boolean {
    return !this.unavailable.camera;
  }

  unavailableReason(device: 'microphone' | 'camera'): CallError | null {
    return this.unavailable[device];
  }

  /** Marks a device unavailable (with why) or available again (null), announced as the controller does. */
  setUnavailable(device: 'microphone' | 'camera', error: CallError | null): void {
    this.unavailable[device] = error;
    this.dispatchEvent(new CallDeviceAvailabilityEvent(device, !error, error));
  }

  get screenShareEnabled(): boolean {
    return !!this.call?.local.screenStream;
  }

  /** Set by a test: false as on a phone, where no screen can be shared. */
  screenShareSupported = true;

  /** Set and announced with {@link setDevices}. */
  devices: DeviceList = { microphones: [], cameras: [], speakers: [] };
  selectedDevices: DeviceChoice = { microphone: null, camera: null, speaker: null };
  /** Set by a test: false as in a browser without `setSinkId`. */
  speakerSelectionSupported = true;

  /** Offers these devices (and these choices), announced with `call-devices-change` as the controller does. */
  setDevices(devices: DeviceList, selected: Partial<DeviceChoice> = {}): void {
    this.devices = devices;
    this.selectedDevices = { ...this.selectedDevices, ...selected };
    this.dispatchEvent(new CallDevicesChangeEvent(this.devices, this.selectedDevices));
  }

  listDevices(): Promise<void> {
    return this.#act(['listDevices'], () => undefined);
  }

  setMicrophoneDevice(deviceId: string | null): Promise<void> {
    return this.#act(['setMicrophoneDevice', deviceId], () => this.setDevices(this.devices, { microphone: deviceId }));
  }

  setCameraDevice(deviceId: string | null): Promise<void> {
    return this.#act(['setCameraDevice', deviceId], () => this.setDevices(this.devices, { camera: deviceId }));
  }

  setSpeakerDevice(deviceId: string | null): Promise<void> {
    return this.#act(['setSpeakerDevice', deviceId], () => this.setDevices(this.devices, { speaker: deviceId }));
  }

  /** Set by the preview actions; a test sets {@link FakePreview.level} to move the meter. */
  preview: FakePreview | null = null;

  startPreview(options: { video?: boolean } = {}): Promise<void> {
    return this.#act(['startPreview', options], () => {
      this.preview ??= new FakePreview(options.video ?? true);
      this.dispatchEvent(new CallPreviewChangeEvent(this.preview));
    });
  }

  setPreviewCameraEnabled(enabled: boolean): Promise<void> {
    return this.#act(['setPreviewCameraEnabled', enabled], () => {
      if (!this.preview) return;
      this.preview.cameraEnabled = enabled;
      this.dispatchEvent(new CallPreviewChangeEvent(this.preview));
    });
  }

  stopPreview(): Promise<void> {
    return this.#act(['stopPreview'], () => {
      this.preview = null;
      this.dispatchEvent(new CallPreviewChangeEvent(null));
    });
  }

  /** From now on `action` rejects with `error` and changes nothing. */
  refuse(action: ControllerAction, error: CallError): void {
    this.#outcomes.set(action, error);
  }

  /** From now on `action` never settles, as if it were still under way. */
  hold(action: ControllerAction): void {
    this.#outcomes.set(action, 'hold');
  }

  /** Moves to `state` with `call` and dispatches `call-state-change`. */
  setState(state: CallState, call: FakeCall | null = this.call): void {
    const previous = this.state;
    this.state = state;
    this.call = call;
    this.dispatchEvent(new CallStateChangeEvent(state, previous));
  }

  /** Moves to `state` with a new call (by default an outgoing video call in conversation "team"). */
  enter(state: CallState, options: FakeCallOptions = {}): FakeCall {
    const { conversationId = 'team', conversationTitle = null, direction = 'outgoing', video = true, remotes = [] } = options;
    const self = this.user ?? { id: 'me', name: 'Me' };
    const call: FakeCall = {
      id: 'call-1',
      conversationId,
      conversationTitle,
      direction,
      video,
      caller: options.caller ?? { id: self.id, name: self.name },
      local: participant(self.id, { name: self.name, isLocal: true, cameraEnabled: video, ...options.local }),
      participants: new Map(remotes.map((remote) => [remote.id, remote])),
      createdAt: Date.now(),
      answeredAt: null,
      activeSpeakerId: null,
      resumed: false,
    };
    this.setState(state, call);
    return call;
  }

  /** Rings the local user with a call from `callerName`, announced with `call-incoming` as the controller does. */
  ring(callerName: string, { video = false, conversationId = 'team', conversationTitle = null as string | null } = {}): FakeCall {
    const caller = { id: callerName.toLowerCase(), name: callerName };
    const call = this.enter('incoming', {
      conversationId,
      conversationTitle,
      direction: 'incoming',
      video,
      caller,
      local: { cameraEnabled: false },
      remotes: [participant(caller.id, { name: caller.name, state: 'connecting' })],
    });
    this.dispatchEvent(new CallIncomingEvent(call));
    return call;
  }

  /** Blocks or lets through the call's sound, as a browser's autoplay rules would, and says so. */
  setAudioBlocked(blocked: boolean): void {
    this.audioBlocked = blocked;
    this.dispatchEvent(new CallAudioPlaybackEvent(blocked));
  }

  setRingtoneBlocked(blocked: boolean): void {
    this.ringtoneBlocked = blocked;
    this.dispatchEvent(new CallRingtonePlaybackEvent(blocked));
  }

  readonly #stats = new Map<string, ConnectionStats>();

  statsOf(userId: string): ConnectionStats | null {
    return this.#stats.get(userId) ?? null;
  }

  /** A new sample of the connection with a remote participant, announced with `call-stats` as the controller does. */
  setStats(userId: string, stats: ConnectionStats): void {
    this.#stats.set(userId, stats);
    const participant = this.call?.participants.get(userId);
    if (this.call && participant) this.dispatchEvent(new CallStatsEvent(this.call, participant, stats));
  }

  /** Someone started or stopped speaking, announced as the controller does. */
  setSpeaking(participant: FakeParticipant, speaking: boolean): void {
    participant.speaking = speaking;
    if (this.call) this.dispatchEvent(new CallSpeakingChangeEvent(this.call, participant, speaking));
  }

  /** The active speaker changed, announced as the controller does. */
  setActiveSpeaker(userId: string | null): void {
    if (!this.call) return;
    this.call.activeSpeakerId = userId;
    this.dispatchEvent(new CallActiveSpeakerChangeEvent(this.call, userId === null ? null : (this.call.participants.get(userId) ?? null)));
  }

  profileOf(user: UserInfo): UserProfile {
    const known = this.profiles.get(user.id);
    return { id: user.id, name: known?.name ?? user.name, avatarUrl: known?.avatarUrl ?? null };
  }

  /** What the page's resolver now says about `userId`, announced as the controller does. */
  setProfile(userId: string, profile: Partial<UserProfile>): void {
    this.profiles.set(userId, profile);
    this.dispatchEvent(new CallProfileChangeEvent(userId));
  }

  /** A call from `callerName` rings while in the current call (`call-waiting`). */
  waitWith(callerName: string, { video = false, conversationId = 'other', conversationTitle = null as string | null } = {}): WaitingCall {
    const waiting: WaitingCall = {
      id: 'call-2',
      conversationId,
      conversationTitle,
      video,
      caller: { id: callerName.toLowerCase(), name: callerName },
      receivedAt: Date.now(),
    };
    this.waitingCall = waiting;
    this.dispatchEvent(new CallWaitingEvent(waiting));
    return waiting;
  }

  /** The waiting call is over without the user (the caller gave up). */
  endWaiting(reason: WaitingEndReason = 'cancelled'): void {
    const waiting = this.waitingCall;
    if (!waiting) return;
    this.waitingCall = null;
    this.dispatchEvent(new CallWaitingEndedEvent(waiting, reason));
  }

  acceptWaiting(options: AcceptOptions = {}): Promise<void> {
    return this.#act(['acceptWaiting', options], () => {
      const waiting = this.waitingCall;
      if (!waiting) return;
      this.waitingCall = null;
      this.dispatchEvent(new CallWaitingEndedEvent(waiting, 'accepted'));
      this.enter('active', { conversationId: waiting.conversationId, direction: 'incoming', video: options.video ?? false, caller: waiting.caller });
    });
  }

  declineWaiting(): Promise<void> {
    return this.#act(['declineWaiting'], () => this.endWaiting('declined'));
  }

  resumeAudio(): Promise<void> {
    return this.#act(['resumeAudio'], () => this.setAudioBlocked(false));
  }

  /** Dispatches `call-participant-change` for a participant the test changed. */
  changed(who: FakeParticipant): void {
    if (this.call) this.dispatchEvent(new CallParticipantChangeEvent(this.call, who));
  }

  startCall(options: StartCallOptions): Promise<void> {
    return this.#act(['startCall', options], () => {
      const remotes = options.participants.map((invitee) =>
        typeof invitee === 'string'
          ? participant(invitee, { state: 'ringing' })
          : participant(invitee.id, { name: invitee.name ?? invitee.id, state: 'ringing' }),
      );
      this.enter('outgoing', { conversationId: options.conversationId, video: options.video ?? false, remotes });
    });
  }

  accept(options: AcceptOptions = {}): Promise<void> {
    return this.#act(['accept', options], () => {
      if (!this.call) return;
      this.call.local.cameraEnabled = options.video ?? this.call.video;
      this.call.answeredAt = Date.now();
      this.setState('active');
    });
  }

  decline(): Promise<void> {
    return this.#act(['decline'], () => this.setState('ending', null));
  }

  hangUp(): Promise<void> {
    return this.#act(['hangUp'], () => this.setState('idle', null));
  }

  setMicrophoneEnabled(enabled: boolean): Promise<void> {
    return this.#act(['setMicrophoneEnabled', enabled], () => {
      if (!this.call) return;
      this.call.local.microphoneEnabled = enabled;
      // As the controller: a microphone that opens is available again.
      if (enabled && this.unavailable.microphone) this.setUnavailable('microphone', null);
      this.changed(this.call.local);
    });
  }

  setCameraEnabled(enabled: boolean): Promise<void> {
    return this.#act(['setCameraEnabled', enabled], () => {
      if (!this.call) return;
      this.call.local.cameraEnabled = enabled;
      if (enabled && this.unavailable.camera) this.setUnavailable('camera', null);
      this.changed(this.call.local);
    });
  }

  /** Shares (a stream the test gives, else an empty one) or stops, as the controller would. */
  setScreenShareEnabled(enabled: boolean): Promise<void> {
    return this.#act(['setScreenShareEnabled', enabled], () => {
      if (!this.call) return;
      this.call.local.screenStream = enabled ? (this.call.local.screenStream ?? new MediaStream()) : null;
      this.changed(this.call.local);
    });
  }

  #act(recorded: RecordedCall, effect: () => void): Promise<void> {
    this.calls.push(recorded);
    const outcome = this.#outcomes.get(recorded[0]);
    if (outcome === 'hold') return new Promise(() => {});
    if (outcome) return Promise.reject(outcome);
    effect();
    return Promise.resolve();
  }
}
