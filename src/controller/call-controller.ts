import { CallError, mediaError } from './errors.js';
import {
  CallEndedEvent,
  CallErrorEvent,
  CallDeviceAvailabilityEvent,
  CallIncomingEvent,
  CallParticipantChangeEvent,
  CallParticipantJoinedEvent,
  CallParticipantLeftEvent,
  CallSignallingChangeEvent,
  CallStateChangeEvent,
  CallAudioPlaybackEvent,
  CallProfileChangeEvent,
  CallRingtonePlaybackEvent,
  CallWaitingEndedEvent,
  CallWaitingEvent,
  CallQualityChangeEvent,
  CallScreenShareEndedEvent,
  CallDevicesChangeEvent,
  CallPreviewChangeEvent,
  CallDeviceFallbackEvent,
  CallSpeakingChangeEvent,
  CallActiveSpeakerChangeEvent,
  CallStatsEvent,
  CallResumedEvent,
  type CallControllerEventMap,
} from './events.js';
import { DEFAULT_MEDIA_CONSTRAINTS, LocalMedia, type MediaConstraints } from './media/local-media.js';
import { PermissionWatch } from './media/permission-watch.js';
import { RemoteAudio } from './media/remote-audio.js';
import { DevicePreviewSession, type DevicePreview } from './media/device-preview.js';
import {
  canChooseSpeaker,
  DevicePreferences,
  devicesOfKind,
  enumerateDevices,
  NO_DEVICES,
  type DeviceChoice,
  type DeviceList,
} from './media/devices.js';
import { canShareScreen, captureScreen, ScreenCapture, type DisplayMediaSource } from './media/screen-capture.js';
import { isLaterShare } from './call/screen-share-order.js';
import { CallHistory } from './history/call-history.js';
import { decideRosterEntry, dialsFirst } from './call/roster.js';
import { newCallSecret, sameSecret } from './call/invitation.js';
import {
  DEFAULT_RESUME_GRACE_MS,
  isResumeGrace,
  saveResumableCall,
  takeResumableCall,
  type ResumableCall,
} from './call/resume.js';
import type { CallTopology } from './call/topology.js';
import { MeshTopology } from './mesh/mesh-topology.js';
import { screenEncodingFor, videoEncodingFor, type VideoEncoding } from './mesh/send-ladder.js';
import { worseOf } from './quality/network-quality.js';
import { withDataSaver } from './quality/policy.js';
import { QualityMonitor } from './quality/quality-monitor.js';
import type { ConnectionStats } from './quality/stats.js';
import { SpeakingMonitor } from './speaking/speaking-monitor.js';
import {
  CallRecord,
  ParticipantRecord,
  type Call,
  type CallEndReason,
  type CallState,
  type LeaveReason,
  type ParticipantState,
  type ScreenShareEndReason,
  type UserInfo,
  type UserProfile,
  type UserResolver,
  type WaitingCall,
} from './model.js';
import { UserDirectory } from './people/user-directory.js';
import {
  MAX_TITLE_LENGTH,
  parsePeerMessage,
  toWire,
  type ControlMessage,
  type MediaState,
  type RosterEntry,
  type SignalMessage,
} from './protocol.js';
import { CallWaiting, type HeldRing, type RingMessage } from './ringing/call-waiting.js';
import { RingScreen, type IncomingRingPolicy } from './ringing/ring-screen.js';
import { RelayLimiter } from './rate-limit.js';
import { RingAlerts, requestNotificationPermission, type NotificationMode } from './ringing/ring-alerts.js';
import { WebAudioRingtone, type RingPlayer } from './ringing/ringtone.js';
import { toOneLine } from './text.js';
import { peerJsSignalling } from './transport/peerjs-signalling.js';
import { isValidNamespace } from './transport/peer-id.js';
import type { SignallingFactory, SignallingState, SignallingTransport } from './transport/signalling.js';
import { randomId } from './random-id.js';

export interface ServerOptions {
  host: string;
  port: number;
  /** Where the PeerServer is mounted; defaults to `/`. */
  path?: string;
  secure?: boolean;
  /** The PeerServer's key (`peerjs` by default). PeerJS sends it in the WebSocket URL's query. */
  key?: string;
  /**
   * The host app's credential for this user, for a server that checks who registers (see
   * `meshcall/server`). PeerJS sends it in the WebSocket URL's query: the only place the `peer`
   * protocol has for it. Registering again after an outage reuses it.
   */
  token?: string;
}

/**
 * Where time-limited TURN credentials come from: usually a request to the app's own server, which
 * mints them (`mintTurnCredentials` in `meshcall/server`). Asked at `connect()` and again before
 * `expiresAt`; connections in a call take the new ones for their next ICE restart.
 */
export type IceServerProvider = () => Promise<{ iceServers: RTCIceServer[]; expiresAt?: number }>;

export interface ConnectOptions {
  user: { id: string; name?: string };
  /** The PeerServer to register with. Required: there is no public default. */
  server: ServerOptions;
  /** STUN/TURN servers; defaults to none (host candidates only), never to a public service. */
  iceServers?: RTCIceServer[] | IceServerProvider;
  iceTransportPolicy?: RTCIceTransportPolicy;
  /**
   * Connect to a caller while their ring is shown, so that answering costs only opening the devices
   * and the first frame. The caller then learns our network candidates before we answer (nothing
   * else: our devices are neither opened nor sent until accept). Defaults to true; with
   * `iceTransportPolicy: 'relay'` the candidates are the TURN server's anyway.
   */
  preconnect?: boolean;
  /**
   * Who may ring this page: asked about every ring for a new call before anything rings (no sound,
   * no connection, no event). A ring it turns down (false, a rejection, a throw) is answered `busy`,
   * as when the user is in another call, so that a caller cannot tell being refused from a busy line.
   * The caller's id is the signalling server's word; the name and title are the caller's own.
   */
  allowIncoming?: IncomingRingPolicy;
  /** Replaces the PeerJS signalling transport (tests, or a host app's own realtime channel). */
  signalling?: SignallingFactory;
  /** Keeps apps that share one PeerServer apart; letters and digits. Defaults to `meshcall`. */
  namespace?: string;
  /** How long a ring lasts before it counts as unanswered, in ms. Defaults to 30 s. */
  ringTimeout?: number;
  /** How long to wait for the PeerServer to register us, in ms. Defaults to 10 s. */
  connectTimeout?: number;
  media?: MediaConstraints;
  /** How the page names people, for every element (see {@link CallController.setUserResolver}). */
  resolveUser?: UserResolver;
  /**
   * The ringing sounds: by default tones made with Web Audio (a ringtone for an incoming call, a
   * ringback while ours rings out, a soft beep for a call waiting) and vibration; `false` for
   * silence, or the page's own player.
   */
  ringtone?: false | RingPlayer;
  /**
   * System notifications for a ring while the page is hidden or not focused (the tab title flashes
   * either way). Defaults to `ask-on-call`: the permission is asked for when the user first places
   * or accepts a call.
   */
  notifications?: NotificationMode;
  /**
   * Adapt what we send to the network: one uplink budget shared by every connection of the mesh,
   * audio first, video smaller or paused when the network cannot carry it, restored as soon as it
   * can. Defaults to true; with false, each connection sends the size-of-call ladder's encoding and
   * leaves the rest to the browser.
   */
  adaptation?: boolean;
  /** Send small video only (180 lines, 150 kbit/s, 15 fps at most); see {@link CallController.setDataSaver}. */
  dataSaver?: boolean;
  /**
   * Where a shared screen comes from; defaults to the browser's picker (`getDisplayMedia`). For an
   * app shell with a picker of its own (Electron's desktop capturer), and for tests in a browser
   * that has no screen to capture (headless Firefox): not needed in a web page.
   */
  displayMedia?: DisplayMediaSource;
  /**
   * Survive reloads and navigations: a page that goes away during an answered call tells the
   * others it may come back (they hold it as reconnecting for `resumeGrace`), and keeps the call in
   * sessionStorage; the next page of the same tab that connects as the same user within the grace
   * rejoins it (`call-resumed`), devices as they were. A closed tab, a hang-up, or `resume: false`
   * leaves the call as before. Defaults to true.
   */
  resume?: boolean;
  /** How long the others hold us after our page went away, in ms (1 s to 60 s). Defaults to 20 s. */
  resumeGrace?: number;
}

export interface StartCallOptions {
  conversationId: string;
  /** The users to ring: ids, or ids with display names. */
  participants: ReadonlyArray<string | { id: string; name?: string }>;
  video?: boolean;
  /** The conversation's name, shown to those rung (one line of text, up to 120 characters). */
  conversationTitle?: string;
}

export interface AcceptOptions {
  /** Answer with the camera on; defaults to whether the call was placed as a video call. */
  video?: boolean;
}

interface ResolvedOptions {
  server: Required<Omit<ServerOptions, 'token'>> & Pick<ServerOptions, 'token'>;
  rtcConfig: RTCConfiguration;
  iceServerProvider: IceServerProvider | null;
  preconnect: boolean;
  signalling: SignallingFactory;
  namespace: string;
  ringTimeout: number;
  connectTimeout: number;
  media: Required<MediaConstraints>;
  adaptation: boolean;
  displayMedia: DisplayMediaSource | null;
  resume: boolean;
  resumeGrace: number;
}

type JoinMessage = Extract<ControlMessage, { type: 'join' }>;

interface ActiveCall {
  record: CallRecord;
  /** The invitation: drawn by the caller, handed to every invitee with the ring (see call/invitation.ts). */
  secret: string;
  /** Who showed us the secret (a ring or a join of theirs): only they may open a connection to us. */
  admitted: Set<string>;
  /**
   * Joins that showed the secret from someone we count as gone: they wait until a member's roster
   * brings them back in (a new invitation), so that leaving and knowing the secret is not enough.
   */
  awaitingVouch: Map<string, JoinMessage>;
  media: LocalMedia | null;
  /** Why our microphone or camera cannot be used in this call (refused, missing); cleared once it can. */
  unavailable: { microphone: CallError | null; camera: CallError | null };
  /** Follows a refused permission of this call, so that allowing it in the browser's settings is seen. */
  permissionWatch: PermissionWatch | null;
  /** Set while the devices start, so that a second accept is refused instead of opening them twice. */
  startingMedia: boolean;
  /** Whose ring we answered; null for the call's caller. */
  inviterId: string | null;
  /** How long our ring lasts, as the inviter told us. */
  ringTimeout: number;
  /** Which invitation of ours to this call this is. */
  selfEpoch: number;
  /** Gives up on participants who stay ringing or connecting (see {@link CallController.#sweep}). */
  sweepTimer?: ReturnType<typeof setInterval>;
  ringTimers: Map<string, ReturnType<typeof setTimeout>>;
  incomingTimer?: ReturnType<typeof setTimeout>;
  /** Whom `startCall()` rings, known before the devices are on and the rings go out. */
  callees: readonly string[];
  /** Set when the call ends. */
  endReason: CallEndReason | null;
  /** The screen we share, if any. */
  screen: ScreenCapture | null;
  /** Set while the browser's picker is open. */
  choosingScreen: boolean;
  /** The latest share anyone in the call started, as far as we know (see `call/screen-share-order.ts`). */
  screenClock: number;
}

/** A call's bookkeeping before any device or timer is started. */
function newActiveCall(
  record: CallRecord,
  ringing: Pick<ActiveCall, 'inviterId' | 'ringTimeout' | 'selfEpoch' | 'secret'>,
  callees: readonly string[] = [],
): ActiveCall {
  return {
    record,
    media: null,
    unavailable: { microphone: null, camera: null },
    permissionWatch: null,
    startingMedia: false,
    ringTimers: new Map(),
    callees,
    endReason: null,
    screen: null,
    choosingScreen: false,
    screenClock: 0,
    admitted: new Set(),
    awaitingVouch: new Map(),
    ...ringing,
  };
}

function checkDeviceId(deviceId: unknown): asserts deviceId is string | null {
  if (deviceId !== null && typeof deviceId !== 'string') {
    throw new CallError('invalid-options', 'A device id is a string from `devices`, or null for the default.');
  }
}

const TRANSITIONS: Record<CallState, readonly CallState[]> = {
  disconnected: ['connecting'],
  connecting: ['idle', 'disconnected'],
  // Straight to active: a call resumed after a reload.
  idle: ['outgoing', 'incoming', 'active', 'connecting', 'disconnected'],
  outgoing: ['active', 'ending'],
  incoming: ['active', 'ending'],
  active: ['ending'],
  ending: ['idle', 'connecting', 'disconnected'],
};

const PARTICIPANT_TRANSITIONS: Record<ParticipantState, readonly ParticipantState[]> = {
  ringing: ['connecting', 'left'],
  connecting: ['connected', 'left'],
  connected: ['connecting', 'left'],
  left: [],
};

/** A callee ends its own ring this long after the caller's timeout, in case the caller vanished. */
const RING_FALLBACK_MS = 5000;
/** An answered participant whose connection makes no progress for this long is given up. */
const CONNECT_TIMEOUT_MS = 20000;
/** However it progresses, a connection that has not come up in this time is given up. */
const CONNECT_GIVE_UP_MS = 60000;
const SWEEP_INTERVAL_MS = 2000;
/** After a failed renewal of the ICE servers, how long until it is tried again. */
const ICE_RENEWAL_RETRY_MS = 10000;
/** Senders reported per call; beyond, offences are dropped unreported (a flood of made-up senders). */
const MAX_OFFENDERS = 256;
/** Joins kept until a member vouches for them. */
const MAX_AWAITING_VOUCH = 32;
/**
 * After a reload, the server may not have noticed yet that the previous page's socket is gone, and
 * refuses our id as taken: a resuming page tries again this often, for this long.
 */
const RESUME_REGISTER_RETRY_MS = 200;
const RESUME_REGISTER_MS = 5000;

export interface CallController {
  addEventListener<K extends keyof CallControllerEventMap>(
    type: K,
    listener: (this: CallController, event: CallControllerEventMap[K]) => unknown,
    options?: boolean | AddEventListenerOptions,
  ): void;
  addEventListener(type: string, listener: EventListenerOrEventListenerObject | null, options?: boolean | AddEventListenerOptions): void;
  removeEventListener<K extends keyof CallControllerEventMap>(
    type: K,
    listener: (this: CallController, event: CallControllerEventMap[K]) => unknown,
    options?: boolean | EventListenerOptions,
  ): void;
  removeEventListener(type: string, listener: EventListenerOrEventListenerObject | null, options?: boolean | EventListenerOptions): void;
}

/**
 * Owns everything a call needs: registration with the signalling server, local media, the mesh of
 * connections to the other participants, the control protocol between them and the state machines.
 * Elements only read its state and call its methods.
 */
export class CallController extends EventTarget {
  #state: CallState = 'disconnected';
  #options: ResolvedOptions | null = null;
  #user: UserInfo | null = null;
  #signalling: SignallingTransport | null = null;
  #call: ActiveCall | null = null;
  /** The ICE servers connections are made with: the static list, or the provider's latest answer. */
  #iceServers: RTCIceServer[] = [];
  #iceRefreshTimer?: ReturnType<typeof setTimeout>;
  /** A failed renewal of the ICE servers is reported once until one succeeds. */
  #iceRenewalReported = false;
  /** The current call's connections; null between calls. */
  #topology: CallTopology | null = null;
  /** Senders whose offences were reported in this call: once each, however much they send. */
  #offenders = new Set<string>();
  /** What each user may relay to us through the signalling server. */
  #relayLimit = new RelayLimiter();
  /** The page's policy on rings (`allowIncoming`); null lets every ring through. */
  #screen: RingScreen | null = null;
  #audio = new RemoteAudio((blocked) => this.dispatchEvent(new CallAudioPlaybackEvent(blocked)));
  #cameraChange: Promise<void> = Promise.resolve();
  #microphoneChange: Promise<void> = Promise.resolve();
  /** The user's device choices, kept across calls and visits. */
  #devicePreferences = new DevicePreferences();
  #deviceList: DeviceList = NO_DEVICES;
  #preview: DevicePreviewSession | null = null;
  /** The preview's devices while they open; cleared by stopPreview(), whose request they then no longer answer. */
  #previewOpening: Promise<DevicePreviewSession | null> | null = null;
  /** Goodbyes still being delivered; `hangUp()` and `disconnect()` wait for them. */
  #closing = new Set<Promise<void>>();
  #directory = new UserDirectory((userId) => this.dispatchEvent(new CallProfileChangeEvent(userId)));
  #waiting = new CallWaiting(RING_FALLBACK_MS, (held, reason) => this.dispatchEvent(new CallWaitingEndedEvent(held.call, reason)));
  /** Sounds and notifications of rings; made by `connect()`. */
  #alerts: RingAlerts | null = null;
  /** The waiting call `acceptWaiting()` is answering, while it ends the current call. */
  #answeringWaiting: HeldRing | null = null;
  #defaultRingtone: WebAudioRingtone | null = null;
  /** Samples the connections while a call is active; null otherwise. */
  #quality: QualityMonitor | null = null;
  /** Who speaks, while a call is active; null otherwise. */
  #speaking: SpeakingMonitor | null = null;
  /** The ladder's encoding for the current call (data saver applied) and the capture height it is for. */
  #ladder: { encoding: VideoEncoding; captureHeight: number } | null = null;
  #dataSaver = false;
  /** Back from the back/forward cache: take the stored call up again once registered. */
  #resumeOnRegistered = false;

  /**
   * The connected user's past calls, kept in IndexedDB across reloads; it follows this controller's
   * events, and dispatches its own (`call-history-add`, …) on it.
   */
  readonly history: CallHistory = new CallHistory(this);

  get state(): CallState {
    return this.#state;
  }

  /** The user registered with `connect()`, or null. */
  get user(): UserInfo | null {
    return this.#user;
  }

  /** The current call, ringing or answered, or null. */
  get call(): Call | null {
    return this.#call?.record ?? null;
  }

  get microphoneEnabled(): boolean {
    return this.#call?.record.local.microphoneEnabled ?? false;
  }

  get cameraEnabled(): boolean {
    return this.#call?.record.local.cameraEnabled ?? false;
  }

  /**
   * False while the current call has no microphone: it was refused or missing when the call was
   * answered (the call receives only), or when turned on. True again once it opens, or once the
   * browser reports the permission granted; `call-device-availability` tells each change.
   */
  get microphoneAvailable(): boolean {
    return !this.#call?.unavailable.microphone;
  }

  /** False while the current call's camera was refused or missing; as {@link microphoneAvailable}. */
  get cameraAvailable(): boolean {
    return !this.#call?.unavailable.camera;
  }

  /** Why the microphone or camera is unavailable in the current call, or null. */
  unavailableReason(device: 'microphone' | 'camera'): CallError | null {
    return this.#call?.unavailable[device] ?? null;
  }

  /** Whether we share a screen in the current call. */
  get screenShareEnabled(): boolean {
    return !!this.#call?.screen;
  }

  /** Whether this browser can share a screen at all (phones cannot): a toggle is pointless otherwise. */
  get screenShareSupported(): boolean {
    return canShareScreen(this.#options?.displayMedia ?? null);
  }

  /** The link to the signalling server, apart from any call: a call goes on while it is lost. */
  get signallingState(): SignallingState {
    return this.#signalling?.state ?? 'disconnected';
  }

  /**
   * The browser refused to play the others' sound without a user gesture (`call-audio-playback`
   * tells when this changes): offer a button that calls {@link resumeAudio}.
   */
  get audioBlocked(): boolean {
    return this.#audio.blocked;
  }

  /** The elements that play each remote participant's audio, by user id (kept out of the document). */
  get audioElements(): ReadonlyMap<string, HTMLAudioElement> {
    return this.#audio.elements;
  }

  /** Plays the others' sound after the browser blocked it; call it from a click or key press. */
  resumeAudio(): Promise<void> {
    return this.#audio.resume();
  }

  /**
   * The browser keeps the ringtone silent until the user interacts with the page
   * (`call-ringtone-playback` tells when this changes). Only for the default ringtone.
   */
  get ringtoneBlocked(): boolean {
    return this.#defaultRingtone?.blocked ?? false;
  }

  /** A call ringing while we are in another one (`call-waiting`), or null. */
  get waitingCall(): WaitingCall | null {
    const held = this.#waiting.current;
    // One being answered is no longer waiting for the user.
    return held && held !== this.#answeringWaiting ? held.call : null;
  }

  /**
   * How the page wants `user` shown: the resolver's name and picture, else the name the page gave
   * when ringing them, else the name they gave themselves (which any peer can make up). Elements
   * show names from here, as text.
   */
  profileOf(user: UserInfo): UserProfile {
    return this.#directory.profileOf(user);
  }

  /**
   * Replaces the page's resolver (or removes it, with null); each user is looked up again when next
   * shown. `call-profile-change` tells elements when an answer arrives.
   */
  setUserResolver(resolver: UserResolver | null): void {
    this.#directory.setResolver(resolver);
  }

  /**
   * Asks for the permission to show a notification when a call rings in a hidden tab. Call it from
   * a click (browsers ignore or penalise a request without one); never needed on load.
   */
  requestNotificationPermission(): Promise<NotificationPermission> {
    return requestNotificationPermission();
  }

  /**
   * How many messages from others the controller keeps for later: signals held for a connection,
   * candidates that came before their description, rings awaiting `allowIncoming` or waiting with
   * their caller's signals. Bounded whatever peers send; for tests and diagnostics.
   */
  get bufferedMessageCount(): number {
    const waiting = this.#waiting.current;
    return (this.#topology?.bufferedCount() ?? 0) + (this.#screen?.bufferedCount ?? 0) + (waiting ? 1 + waiting.signals.length : 0);
  }

  /** The connection to a participant, for diagnostics such as `getStats()`; null when there is none. */
  connectionOf(userId: string): RTCPeerConnection | null {
    return this.#topology?.connectionOf(userId) ?? null;
  }

  /**
   * The last stats of the connection to a participant (sampled every second while the call is
   * active), or null before the first sample or outside a call.
   */
  statsOf(userId: string): ConnectionStats | null {
    return this.#quality?.statsOf(userId) ?? null;
  }

  /** Whether we send small video only (see {@link setDataSaver}). */
  get dataSaver(): boolean {
    return this.#dataSaver;
  }

  /** Sends small video only (180 lines, 150 kbit/s, 15 fps at most), from now on and in later calls. */
  setDataSaver(enabled: boolean): void {
    this.#dataSaver = enabled;
    this.#applySendLadder();
  }

  /**
   * The microphones, cameras and speakers last seen (`call-devices-change` tells when this
   * changes); {@link listDevices} asks the browser again. Names appear once a device was granted.
   */
  get devices(): DeviceList {
    return this.#deviceList;
  }

  /**
   * The device of each kind in use during a call, else the one chosen for the next (null: the
   * browser's default).
   */
  get selectedDevices(): DeviceChoice {
    const chosen = this.#devicePreferences.all();
    const media = this.#call?.media ?? this.#preview?.media;
    return {
      microphone: media?.deviceIdOf('microphone') ?? chosen.microphone,
      camera: media?.deviceIdOf('camera') ?? chosen.camera,
      speaker: chosen.speaker,
    };
  }

  /** Whether sound can be sent to a chosen speaker (`setSinkId`); a speaker choice is pointless otherwise. */
  get speakerSelectionSupported(): boolean {
    return canChooseSpeaker();
  }

  /** The devices opened before a call by {@link startPreview}, or null (`call-preview-change` tells). */
  get preview(): DevicePreview | null {
    return this.#preview;
  }

  /**
   * Opens the microphone, and the camera unless `video` is false, before a call (while idle or rung),
   * so that the user sees and hears what the others will and can choose devices. The next
   * `startCall()` or `accept()` takes these tracks over instead of opening the devices again, its
   * camera on or off as its `video` says (by default as the preview has it). Released by
   * {@link stopPreview}, by the end of a call that rang meanwhile, and by `disconnect()`. Resolves at
   * once when a preview is open.
   */
  async startPreview(options: { video?: boolean } = {}): Promise<void> {
    if ((this.#state !== 'idle' && this.#state !== 'incoming') || this.#call?.startingMedia) {
      throw new CallError('invalid-state', 'A preview opens before a call, not during one.');
    }
    if (this.#preview) return;
    const opening = this.#previewOpening ?? this.#openPreview(options.video ?? true);
    this.#previewOpening = opening;
    const preview = await opening.finally(() => {
      if (this.#previewOpening === opening) this.#previewOpening = null;
    });
    if (!preview) throw new CallError('invalid-state', 'The preview was closed while the devices were starting.');
  }

  async #openPreview(video: boolean): Promise<DevicePreviewSession | null> {
    const media = this.#newLocalMedia();
    let cameraError: CallError | null;
    try {
      ({ cameraError } = await media.start(video));
    } catch (error) {
      media.stop();
      throw error;
    }
    if (this.#previewOpening === null || this.#call?.media || (this.#state !== 'idle' && this.#state !== 'incoming')) {
      media.stop();
      return null;
    }
    this.#preview = new DevicePreviewSession(media);
    this.#announcePreview();
    if (cameraError) this.#report(cameraError);
    // Names show once a device was granted.
    void this.listDevices().catch(() => undefined);
    return this.#preview;
  }

  /** Turns the preview's camera on or off (off releases the device); the next call follows it by default. */
  async setPreviewCameraEnabled(enabled: boolean): Promise<void> {
    const preview = this.#preview;
    if (!preview) throw new CallError('invalid-state', 'There is no preview open.');
    const change = this.#cameraChange.then(async () => {
      if (this.#preview !== preview) return;
      if (enabled) await preview.media.startCamera();
      else preview.media.stopCamera();
      this.#announcePreview();
    });
    this.#cameraChange = change.catch(() => undefined);
    return change;
  }

  /** Closes the preview without a call: its tracks are stopped. */
  async stopPreview(): Promise<void> {
    this.#previewOpening = null;
    const preview = this.#preview;
    this.#preview = null;
    if (!preview) return;
    preview.stop();
    this.#announcePreview();
  }

  #announcePreview(): void {
    this.dispatchEvent(new CallPreviewChangeEvent(this.#preview));
  }

  /** The preview's media for the call that starts now, with the camera as the call wants it; null without a preview. */
  async #takePreview(video: boolean): Promise<{ media: LocalMedia; cameraError: CallError | null; microphoneError: null } | null> {
    const preview = this.#preview ?? (await this.#previewOpening?.catch(() => null)) ?? null;
    if (!preview || this.#preview !== preview) return null;
    this.#preview = null;
    const media = preview.takeMedia();
    this.#announcePreview();
    let cameraError: CallError | null = null;
    if (!video) media.stopCamera();
    else await media.startCamera().catch((error: CallError) => (cameraError = error));
    return { media, cameraError, microphoneError: null };
  }

  /** Asks the browser which devices there are now; `call-devices-change` follows when that changed. */
  async listDevices(): Promise<DeviceList> {
    const list = await enumerateDevices();
    if (JSON.stringify(list) !== JSON.stringify(this.#deviceList)) {
      this.#deviceList = list;
      this.#announceDevices();
    }
    return list;
  }

  /**
   * Speaks through that microphone (null: the default) from now on, and in later calls. During a
   * call the new track replaces the old one on every connection, with no renegotiation, muted if
   * the old one was; the old device is released. Rejects, keeping the old one, when it cannot be opened.
   */
  async setMicrophoneDevice(deviceId: string | null): Promise<void> {
    const change = this.#microphoneChange.then(() => this.#switchDevice('microphone', deviceId));
    this.#microphoneChange = change.catch(() => undefined);
    return change;
  }

  /** As {@link setMicrophoneDevice}, for the camera; a camera that is off uses it when turned on. */
  async setCameraDevice(deviceId: string | null): Promise<void> {
    const change = this.#cameraChange.then(() => this.#switchDevice('camera', deviceId));
    this.#cameraChange = change.catch(() => undefined);
    return change;
  }

  /**
   * Plays the others through that output (null: the default), from now on and in later calls.
   * Rejects with `speaker-selection-unsupported` where {@link speakerSelectionSupported} is false.
   */
  async setSpeakerDevice(deviceId: string | null): Promise<void> {
    checkDeviceId(deviceId);
    if (!canChooseSpeaker()) {
      throw new CallError('speaker-selection-unsupported', 'This browser plays sound through its default output only.');
    }
    try {
      await this.#audio.setSpeaker(deviceId);
    } catch (error) {
      await this.#audio.setSpeaker(this.#devicePreferences.get('speaker')).catch(() => undefined);
      throw mediaError(error, 'speaker');
    }
    this.#devicePreferences.set('speaker', deviceId);
    this.#announceDevices();
  }

  /** Registers with the PeerServer. Rejects if that is not possible. */
  async connect(options: ConnectOptions): Promise<void> {
    if (this.#state !== 'disconnected') {
      throw new CallError('invalid-state', 'Already connected; call disconnect() first.');
    }
    const resolved = resolveOptions(options);
    const user = { id: options.user.id, name: options.user.name?.trim() || options.user.id };
    this.#options = resolved;
    this.#user = user;
    if (options.dataSaver !== undefined) this.#dataSaver = options.dataSaver;
    this.#setState('connecting');
    const signalling = resolved.signalling(
      { userId: user.id, server: resolved.server, namespace: resolved.namespace, connectTimeout: resolved.connectTimeout },
      {
        onMessage: (from, payload) => {
          if (this.#signalling === signalling) this.#onPeerData(from, payload);
        },
        onUnreachable: (userId) => {
          if (this.#signalling === signalling) this.#onUnreachable(userId);
        },
        onStateChange: (state) => {
          if (this.#signalling === signalling) this.#onSignallingState(state);
        },
        onError: (error) => {
          if (this.#signalling === signalling) this.#onSignallingError(error);
        },
      },
    );
    this.#signalling = signalling;
    this.#iceServers = resolved.rtcConfig.iceServers ?? [];
    // Taken whatever `resume` says, so that an old call cannot be resumed by a later connect().
    const stored = takeResumableCall(resolved.namespace, user.id);
    const resumable = resolved.resume ? stored : null;
    try {
      await Promise.all([
        this.#register(signalling, resumable !== null),
        resolved.iceServerProvider && this.#loadIceServers(resolved, resolved.iceServerProvider),
      ]);
    } catch (error) {
      if (this.#signalling === signalling) {
        this.#signalling = null;
        this.#user = null;
        clearTimeout(this.#iceRefreshTimer);
        signalling.close();
        this.#setState('disconnected');
      }
      throw error;
    }
    if (this.#signalling !== signalling) throw new CallError('invalid-state', 'disconnect() was called while connecting.');
    addEventListener('pagehide', this.#onPageHide);
    addEventListener('pageshow', this.#onPageShow);
    navigator.mediaDevices?.addEventListener('devicechange', this.#onDeviceChange);
    addEventListener('online', this.#onNetworkChange);
    networkInformation()?.addEventListener('change', this.#onNetworkChange);
    void this.listDevices().catch(() => undefined);
    if (options.allowIncoming) {
      this.#screen = new RingScreen(options.allowIncoming, (callerId, ring, signals, allowed) =>
        this.#onScreened(callerId, ring, signals, allowed),
      );
    }
    this.#startAlerts(options);
    this.#setState('idle');
    if (resumable) await this.#resumeCall(resumable);
  }

  /** Registers; a page resuming a call waits out its previous page's socket (bounded). */
  async #register(signalling: SignallingTransport, resuming: boolean): Promise<void> {
    const deadline = Date.now() + RESUME_REGISTER_MS;
    for (;;) {
      try {
        await signalling.connect();
        return;
      } catch (error) {
        const taken = error instanceof CallError && error.type === 'identity-in-use';
        if (!resuming || !taken || Date.now() > deadline || this.#signalling !== signalling) throw error;
      }
      await new Promise((resolve) => setTimeout(resolve, RESUME_REGISTER_RETRY_MS));
      if (this.#signalling !== signalling) throw new CallError('invalid-state', 'disconnect() was called while connecting.');
    }
  }

  #startAlerts(options: ConnectOptions): void {
    if (options.resolveUser) this.#directory.setResolver(options.resolveUser);
    let player: RingPlayer | null = null;
    if (options.ringtone === undefined) {
      this.#defaultRingtone = new WebAudioRingtone((blocked) => this.dispatchEvent(new CallRingtonePlaybackEvent(blocked)));
      player = this.#defaultRingtone;
    } else if (options.ringtone) {
      player = options.ringtone;
    }
    this.#alerts = new RingAlerts(this, player, options.notifications ?? 'ask-on-call');
  }

  /** Ends any call, then unregisters. Resolves once everything is closed. */
  async disconnect(): Promise<void> {
    if (this.#state === 'disconnected') return;
    this.#dismissWaiting('missed');
    void this.stopPreview();
    if (this.#call) this.#leave();
    await this.#whenClosed();
    this.#alerts?.dispose();
    this.#alerts = null;
    this.#defaultRingtone?.dispose();
    this.#defaultRingtone = null;
    removeEventListener('pagehide', this.#onPageHide);
    removeEventListener('pageshow', this.#onPageShow);
    navigator.mediaDevices?.removeEventListener('devicechange', this.#onDeviceChange);
    removeEventListener('online', this.#onNetworkChange);
    networkInformation()?.removeEventListener('change', this.#onNetworkChange);
    clearTimeout(this.#iceRefreshTimer);
    this.#screen?.clear();
    this.#screen = null;
    const signalling = this.#signalling;
    this.#signalling = null;
    this.#user = null;
    signalling?.close();
    this.#setState('disconnected');
  }

  /**
   * Asks the page's provider for ICE servers (TURN credentials); the connections of a call in
   * progress get them for their next ICE restart. Asked again at 80 % of their lifetime; a failed
   * renewal is reported once and tried again, the old credentials kept meanwhile.
   */
  async #loadIceServers(options: ResolvedOptions, provider: IceServerProvider): Promise<void> {
    let answer: Awaited<ReturnType<IceServerProvider>>;
    try {
      answer = await withTimeout(Promise.resolve().then(provider), options.connectTimeout);
      if (!answer || !Array.isArray(answer.iceServers)) throw new TypeError('The provider returned no iceServers list.');
    } catch (error) {
      throw new CallError('ice-servers-unavailable', 'Could not get the ICE servers (TURN credentials) for calls.', { cause: error });
    }
    if (this.#options !== options) return;
    this.#iceServers = answer.iceServers;
    this.#topology?.setIceServers(answer.iceServers);
    this.#iceRenewalReported = false;
    if (typeof answer.expiresAt === 'number' && Number.isFinite(answer.expiresAt)) {
      this.#scheduleIceRenewal(options, provider, Math.max(1000, (answer.expiresAt - Date.now()) * 0.8));
    }
  }

  #scheduleIceRenewal(options: ResolvedOptions, provider: IceServerProvider, delayMs: number): void {
    clearTimeout(this.#iceRefreshTimer);
    this.#iceRefreshTimer = setTimeout(() => {
      this.#loadIceServers(options, provider).catch((error: CallError) => {
        if (this.#options !== options) return;
        if (!this.#iceRenewalReported) this.#report(error);
        this.#iceRenewalReported = true;
        this.#scheduleIceRenewal(options, provider, ICE_RENEWAL_RETRY_MS);
      });
    }, delayMs);
  }

  /** Rings the given users. Resolves with the call once local media is up and the rings are sent. */
  async startCall(options: StartCallOptions): Promise<Call> {
    const ringing = this.#call;
    if (this.#state === 'incoming' && ringing && this.#user) {
      // Calling the one person who is ringing us, in a call of just the two of us, answers them.
      const [only, ...more] = normaliseParticipants(options.participants ?? [], this.#user.id);
      const callers = [...ringing.record.participants.keys()];
      if (only && more.length === 0 && callers.length === 1 && callers[0] === only.id && ringing.inviterId === only.id) {
        await this.accept({ video: options.video ?? false });
        return ringing.record;
      }
    }
    const self = this.#requireIdle();
    const invitees = normaliseParticipants(options.participants, self.id);
    if (invitees.length === 0) {
      throw new CallError('invalid-options', 'A call needs at least one other participant.');
    }
    if (typeof options.conversationId !== 'string' || options.conversationId.length === 0 || options.conversationId.length > 128) {
      throw new CallError('invalid-options', 'A call needs a conversation id of 1 to 128 characters.');
    }
    const title = options.conversationTitle;
    if (title != null && (typeof title !== 'string' || title.length > MAX_TITLE_LENGTH)) {
      throw new CallError('invalid-options', `A conversation title is text of up to ${MAX_TITLE_LENGTH} characters.`);
    }
    this.#alerts?.noteUserCall();
    for (const entry of options.participants) if (typeof entry !== 'string') this.#directory.noteGivenName(entry);
    const video = options.video ?? this.#preview?.cameraEnabled ?? false;
    const local = new ParticipantRecord(self.id, self.name, true, 'connected');
    const record = new CallRecord(randomId(), options.conversationId, 'outgoing', video, self, local);
    record.conversationTitle = title ? toOneLine(title) || null : null;
    const active = newActiveCall(record, {
      inviterId: null,
      ringTimeout: this.#options!.ringTimeout,
      selfEpoch: 1,
      secret: newCallSecret(),
    }, invitees.map((invitee) => invitee.id));
    this.#call = active;
    this.#topology = this.#newTopology(record.id);
    this.#setState('outgoing');
    this.#startSweep(active);
    try {
      await this.#startLocalMedia(active, video);
    } catch (error) {
      if (this.#call === active) this.#endCall('error');
      throw error;
    }
    if (this.#call !== active) {
      // Their ring came while our devices started, and we answered it instead: no failure.
      if (active.endReason === 'crossed') return record;
      throw new CallError('invalid-state', 'The call ended while it was starting.');
    }
    for (const invitee of invitees) this.#invite(active, invitee);
    return record;
  }

  /** Rings more users into the current call; they join the mesh when they answer. */
  async invite(participants: StartCallOptions['participants']): Promise<void> {
    const self = this.#user;
    const active = this.#call;
    if (!self || !active?.media || (this.#state !== 'active' && this.#state !== 'outgoing')) {
      throw new CallError('invalid-state', 'Invite others once you are in a call and your devices are on.');
    }
    const record = active.record;
    for (const entry of participants) if (typeof entry !== 'string') this.#directory.noteGivenName(entry);
    const invitees = normaliseParticipants(participants, self.id).filter((user) => !record.participants.has(user.id));
    for (const invitee of invitees) this.#invite(active, invitee);
    if (invitees.length > 0) this.#broadcastRoster();
  }

  /**
   * Answers the ringing call. With `video: false` the camera stays off until turned on. A
   * microphone that is refused or missing does not stop the answer: the call goes on receive-only
   * (the others are heard and seen, the camera is sent if allowed), `call-error` says why, and
   * `microphoneAvailable` is false until the microphone can be opened.
   */
  async accept(options: AcceptOptions = {}): Promise<void> {
    const active = this.#call;
    if (this.#state !== 'incoming' || !active || !active.inviterId) {
      throw new CallError('invalid-state', 'There is no ringing call to accept.');
    }
    if (active.startingMedia) throw new CallError('invalid-state', 'The call is already being answered.');
    this.#alerts?.noteUserCall();
    const video = options.video ?? this.#preview?.cameraEnabled ?? active.record.video;
    await this.#startLocalMedia(active, video, true);
    if (this.#call !== active || this.#state !== 'incoming') {
      // The caller gave up meanwhile: `call-ended` already told the page, so this is no error.
      throw new CallError('invalid-state', 'The call ended before it was answered.');
    }
    clearTimeout(active.incomingTimer);
    active.record.answeredAt = Date.now();
    // Connecting starts now, not when the ring began.
    for (const participant of active.record.participants.values()) {
      if (participant.state !== 'ringing') participant.stateSince = active.record.answeredAt;
    }
    this.#setState('active');
    this.#topology!.send(active.inviterId, { type: 'accept', callId: active.record.id, user: this.#user!, media: this.#mediaState() });
    this.#topology!.release();
    this.#joinOtherRingers(active);
    // Everyone the ring (or a roster since) told us is in: we dial them now, rather than wait
    // until the inviter's next roster tells them we are in.
    for (const participant of active.record.participants.values()) {
      if (participant.id !== active.inviterId && participant.state !== 'ringing') this.#meet(participant.id, true);
    }
  }

  /**
   * A member rang us into the call we are already in or being rung for: two members invited us at
   * once, or one re-invites us after our link to them failed. Either way they get a join (once we
   * are in), under the invitation they rang us with.
   */
  #onRingInCall(active: ActiveCall, userId: string, message: RingMessage): void {
    if (!sameSecret(message.secret, active.secret)) {
      this.#reportOffence(userId, `Refused ${userId}: a ring into this call without its invitation.`);
      return;
    }
    active.admitted.add(userId);
    // They open a new connection for this ring; ours, if any, follows their offer.
    if (!this.#topology!.has(userId)) this.#openLink(userId, false);
    const ourEpoch = message.roster.find((entry) => entry.id === this.#user!.id)?.epoch ?? active.selfEpoch;
    active.selfEpoch = Math.max(active.selfEpoch, ourEpoch);
    const ringerEpoch = message.roster.find((entry) => entry.id === userId)?.epoch ?? 1;
    // They ring us themselves, so they are in the call, whatever we last heard (a link that failed).
    active.record.departed.delete(userId);
    if (!active.record.participants.has(userId)) {
      this.#markAnswered(active, { id: userId, name: message.from.name }, message.media, ringerEpoch);
    }
    if (this.#state === 'active') this.#joinRinger(active, userId);
  }

  /**
   * Others in the call may have rung us at the same time as the inviter did: tell them we are in,
   * and answer their offers, rather than leave their rings to time out.
   */
  #joinOtherRingers(active: ActiveCall): void {
    for (const userId of this.#topology!.userIds()) {
      if (userId !== active.inviterId) this.#joinRinger(active, userId);
    }
  }

  #joinRinger(active: ActiveCall, userId: string): void {
    this.#topology!.send(userId, this.#joinMessage(active));
  }

  #joinMessage(active: ActiveCall): JoinMessage {
    return { type: 'join', callId: active.record.id, user: this.#user!, media: this.#mediaState(), epoch: active.selfEpoch, secret: active.secret };
  }

  /** Turns the ringing call down; the caller sees `declined`. */
  async decline(): Promise<void> {
    const active = this.#call;
    if (this.#state !== 'incoming' || !active) {
      throw new CallError('invalid-state', 'There is no ringing call to decline.');
    }
    this.#leave();
    await this.#whenClosed();
  }

  /**
   * Answers the waiting call. The call we are in ends first (hung up, or our own ring withdrawn):
   * holding it is not offered, since a held mesh would keep every connection and device open for
   * nothing. Then the waiting call is answered as {@link accept} would.
   */
  async acceptWaiting(options: AcceptOptions = {}): Promise<void> {
    const held = this.#waiting.current;
    if (!held) throw new CallError('invalid-state', 'There is no waiting call to accept.');
    this.#alerts?.noteUserCall();
    this.#alerts?.answering(held.call.id);
    this.#answeringWaiting = held;
    try {
      // Still held while we leave, so that the caller's cancel or candidates meanwhile are not lost;
      // once the call is over, it rings us as usual (see #promoteWaiting), to be answered at once.
      if (this.#call) this.#leave();
      await this.#whenClosed();
      if (this.#state === 'idle') this.#promoteWaiting();
    } finally {
      this.#answeringWaiting = null;
    }
    if (this.#state !== 'incoming' || this.#call?.record.id !== held.call.id) {
      throw new CallError('invalid-state', 'The waiting call ended before it was answered.');
    }
    await this.accept(options);
  }

  /** Turns the waiting call down; its caller is answered busy. */
  async declineWaiting(): Promise<void> {
    if (!this.#waiting.current) throw new CallError('invalid-state', 'There is no waiting call to decline.');
    this.#dismissWaiting('declined');
  }

  /** Ends the wait and answers the caller busy. */
  #dismissWaiting(reason: 'declined' | 'missed'): void {
    const held = this.#waiting.end(reason);
    if (held) this.#signalling?.send(held.callerId, toWire({ type: 'decline', callId: held.call.id, busy: true }));
  }

  /** The call we were in is over before the waiting one: that one now rings as usual. */
  #promoteWaiting(): void {
    const current = this.#waiting.current;
    const held = current && this.#waiting.end(current === this.#answeringWaiting ? 'accepted' : 'ringing');
    if (held) this.#ringFromHeld(held);
  }

  /**
   * A 1:1 ring from the one person our own 1:1 call is with, or was ringing: we called each other at
   * the same moment (or their ring was on its way when one of us gave way).
   */
  #crossesOurCall(userId: string, ring: Extract<ControlMessage, { type: 'ring' }>): boolean {
    const active = this.#call;
    if (!active || (this.#state !== 'outgoing' && this.#state !== 'active')) return false;
    // Before the devices are on, our rings are not out yet: whom we are about to ring counts.
    const others = active.record.participants.size > 0 ? [...active.record.participants.keys()] : active.callees;
    const theirs = ring.roster.map((entry) => entry.id).sort();
    return others.length === 1 && others[0] === userId && theirs.length === 2 && theirs.includes(userId) && theirs.includes(this.#user!.id);
  }

  /** Withdraws our ring in favour of theirs, which is answered as soon as ours is gone. */
  async #giveWayTo(held: HeldRing, video: boolean): Promise<void> {
    this.#answeringWaiting = held;
    try {
      this.#leave('crossed');
      await this.#whenClosed();
      if (this.#state === 'idle') this.#promoteWaiting();
    } finally {
      this.#answeringWaiting = null;
    }
    if (this.#state === 'incoming' && this.#call?.record.id === held.call.id) {
      await this.accept({ video }).catch((error: unknown) => {
        if (error instanceof CallError) this.#report(error);
      });
    }
  }

  /** Rings us with a held call as if its ring, and the caller's signals since, had just arrived. */
  #ringFromHeld(held: HeldRing): void {
    // The page's allowIncoming let it through when it arrived.
    this.#onRing(held.callerId, held.ring, true);
    if (this.#call?.record.id !== held.call.id) return;
    for (const signal of held.signals) this.#onSignal(held.callerId, signal);
  }

  /**
   * Leaves the call: withdraws an unanswered outgoing ring, declines an incoming one, hangs up an
   * answered call. Resolves once the others were told and every connection is closed.
   */
  async hangUp(): Promise<void> {
    if (this.#call) this.#leave();
    await this.#whenClosed();
  }

  /** Mutes or unmutes. In a call that went on without a microphone, on opens it (the browser may ask). */
  async setMicrophoneEnabled(enabled: boolean): Promise<void> {
    const active = this.#requireMedia();
    const media = active.media!;
    if (!enabled || media.audioTrack) {
      media.setMicrophoneEnabled(enabled);
      this.#speaking?.sampleLocal();
      this.#updateLocal(active);
      return;
    }
    const change = this.#microphoneChange.then(async () => {
      if (this.#call !== active || active.media !== media) return;
      try {
        await media.startMicrophone();
      } catch (error) {
        if (error instanceof CallError && error.type !== 'invalid-state') this.#markUnavailable(active, 'microphone', error);
        throw error;
      }
      if (this.#call !== active || active.media !== media) return;
      this.#markAvailable(active, 'microphone');
      this.#sendLocalMedia();
      this.#updateLocal(active);
    });
    this.#microphoneChange = change.catch(() => undefined);
    return change;
  }

  /** Turns the camera on or off. Off releases the device; on replaces the track, with no renegotiation. */
  async setCameraEnabled(enabled: boolean): Promise<void> {
    const active = this.#requireMedia();
    const change = this.#cameraChange.then(async () => {
      const media = active.media;
      if (this.#call !== active || !media) return;
      if (enabled) {
        try {
          await media.startCamera();
        } catch (error) {
          if (error instanceof CallError && error.type !== 'invalid-state' && this.#call === active) this.#markUnavailable(active, 'camera', error);
          throw error;
        }
        this.#markAvailable(active, 'camera');
      } else {
        media.stopCamera();
      }
      this.#sendLocalMedia();
      // The rung depends on the camera's capture size.
      this.#applySendLadder();
      this.#updateLocal(active);
    });
    this.#cameraChange = change.catch(() => undefined);
    return change;
  }

  /**
   * Shares a screen (the browser asks which) with everyone in the call, as a stream of its own
   * beside the camera, or stops sharing it. One presenter at a time: starting takes over from
   * whoever presents now (their controller stops their share and says `taken-over`). Resolves
   * without sharing when the user closes the picker: that is no error. The browser's own "stop
   * sharing" control stops it as `setScreenShareEnabled(false)` would, with `call-screen-share-ended`.
   */
  async setScreenShareEnabled(enabled: boolean): Promise<void> {
    const active = this.#requireMedia();
    if (!enabled) {
      this.#stopScreenShare(active, null);
      return;
    }
    if (active.screen || active.choosingScreen) return;
    active.choosingScreen = true;
    let captured: MediaStream | null;
    try {
      captured = await captureScreen(this.#options!.displayMedia);
    } finally {
      active.choosingScreen = false;
    }
    if (!captured) return;
    if (this.#call !== active || !active.media) {
      for (const track of captured.getTracks()) track.stop();
      throw new CallError('invalid-state', 'The call ended while the screen was being chosen.');
    }
    active.screenClock += 1;
    const screen = new ScreenCapture(captured, active.screenClock, () => {
      if (this.#call === active && active.screen === screen) this.#stopScreenShare(active, 'ended');
    });
    active.screen = screen;
    this.#sendLocalMedia();
    this.#applySendLadder();
    this.#updateLocal(active);
  }

  /** Stops our share; `reason` says why when it was not asked for (and is told to the page). */
  #stopScreenShare(active: ActiveCall, reason: ScreenShareEndReason | null, by: ParticipantRecord | null = null): void {
    const screen = active.screen;
    if (!screen) return;
    active.screen = null;
    screen.stop();
    this.#sendLocalMedia();
    this.#updateLocal(active);
    if (reason) this.dispatchEvent(new CallScreenShareEndedEvent(active.record, reason, by));
  }

  /**
   * What a participant says of their devices and screen. A share of theirs that started after ours
   * takes over: ours stops.
   */
  #applyRemoteMedia(active: ActiveCall, participant: ParticipantRecord, media: MediaState): void {
    participant.microphoneEnabled = media.microphone;
    participant.cameraEnabled = media.camera;
    participant.screenClock = media.screen ?? null;
    if (media.screen === undefined) return;
    active.screenClock = Math.max(active.screenClock, media.screen);
    const ours = active.screen;
    if (ours && isLaterShare({ clock: media.screen, userId: participant.id }, { clock: ours.clock, userId: this.#user!.id })) {
      this.#stopScreenShare(active, 'taken-over', participant);
    }
  }

  // ---- state machines ----

  #setState(next: CallState): void {
    const previous = this.#state;
    if (previous === next) return;
    if (!TRANSITIONS[previous].includes(next)) {
      throw new Error(`meshcall: no transition from ${previous} to ${next}`);
    }
    this.#state = next;
    this.#syncAudio();
    if (next === 'active') {
      this.#startQuality();
      this.#startSpeaking();
    } else if (previous === 'active') {
      this.#stopQuality();
      this.#stopSpeaking();
    }
    this.dispatchEvent(new CallStateChangeEvent(next, previous));
  }

  /**
   * The one way a remote participant's state changes, and the event that tells of it: joined when
   * they answer, left (with `reason`) when they go, changed otherwise. A transition the table does
   * not allow is no change: connection events arrive whatever the participant's state. At the end
   * of the call `reason` is null: `call-ended` speaks for everyone.
   */
  #setParticipantState(participant: ParticipantRecord, next: ParticipantState, reason: LeaveReason | null = null): void {
    const previous = participant.state;
    if (previous === next || !PARTICIPANT_TRANSITIONS[previous].includes(next)) return;
    participant.state = next;
    participant.stateSince = Date.now();
    participant.reconnecting = next === 'connecting' && previous === 'connected';
    if (next === 'left') participant.stream = participant.screenStream = null;
    this.#syncAudio();
    const record = this.#call?.record;
    if (!record) return;
    if (next === 'left') {
      if (reason) this.dispatchEvent(new CallParticipantLeftEvent(record, participant, reason));
    } else if (previous === 'ringing') {
      this.dispatchEvent(new CallParticipantJoinedEvent(record, participant));
    } else {
      this.dispatchEvent(new CallParticipantChangeEvent(record, participant));
    }
  }

  // ---- guards ----

  #requireIdle(): UserInfo {
    if (this.#state === 'disconnected' || this.#state === 'connecting' || !this.#user) {
      throw new CallError('not-connected', 'Connect before calling.');
    }
    if (this.#state !== 'idle') throw new CallError('invalid-state', 'Already in a call.');
    return this.#user;
  }

  #requireMedia(): ActiveCall {
    const active = this.#call;
    if (!active?.media || (this.#state !== 'active' && this.#state !== 'outgoing')) {
      throw new CallError('invalid-state', 'The microphone and camera can be changed during a call.');
    }
    return active;
  }

  #report(error: CallError): CallError {
    this.dispatchEvent(new CallErrorEvent(error));
    return error;
  }

  // ---- local media ----

  /** `listenWithoutMicrophone`: a microphone that cannot be opened leaves the call receive-only. */
  async #startLocalMedia(active: ActiveCall, video: boolean, listenWithoutMicrophone = false): Promise<void> {
    let media: LocalMedia | null = null;
    let cameraError: CallError | null;
    let microphoneError: CallError | null = null;
    active.startingMedia = true;
    try {
      const fromPreview = await this.#takePreview(video);
      media = fromPreview?.media ?? this.#newLocalMedia();
      ({ cameraError, microphoneError } = fromPreview ?? (await media.start(video, listenWithoutMicrophone)));
    } catch (error) {
      media?.stop();
      throw error;
    } finally {
      active.startingMedia = false;
    }
    if (this.#call !== active) {
      media.stop();
      return;
    }
    active.media = media;
    this.#sendLocalMedia();
    this.#updateLocal(active, false);
    if (microphoneError) this.#markUnavailable(active, 'microphone', microphoneError);
    if (cameraError) this.#markUnavailable(active, 'camera', cameraError);
    if (microphoneError) this.#report(microphoneError);
    if (cameraError) this.#report(cameraError);
    // Not awaited: answering a call should not wait for the device list.
    void this.#checkRememberedDevices(media).catch(() => undefined);
  }

  #markUnavailable(active: ActiveCall, device: 'microphone' | 'camera', error: CallError): void {
    active.unavailable[device] = error;
    this.dispatchEvent(new CallDeviceAvailabilityEvent(device, false, error));
    if (error.type !== 'permission-denied') return;
    active.permissionWatch ??= new PermissionWatch((granted) => {
      // Allowed in the browser's settings: offered again (off), not opened behind the user's back.
      if (this.#call === active) this.#markAvailable(active, granted);
    });
    void active.permissionWatch.watch(device);
  }

  #markAvailable(active: ActiveCall, device: 'microphone' | 'camera'): void {
    if (!active.unavailable[device]) return;
    active.unavailable[device] = null;
    this.dispatchEvent(new CallDeviceAvailabilityEvent(device, true, null));
  }

  /** Microphone and camera from the chosen devices; one that ends by itself is replaced in a call, shown off in the preview. */
  #newLocalMedia(): LocalMedia {
    const preferences = this.#devicePreferences;
    const media: LocalMedia = new LocalMedia(
      this.#options!.media,
      { microphone: preferences.get('microphone'), camera: preferences.get('camera') },
      (kind, track) => {
        if (this.#preview?.media === media) {
          if (kind === 'camera') media.stopCamera();
          this.#announcePreview();
          return;
        }
        const active = this.#call;
        if (!active) return;
        const queue = kind === 'camera' ? this.#cameraChange : this.#microphoneChange;
        const recovery = queue.then(() => this.#recoverLostDevice(active, media, kind, track)).catch(() => undefined);
        if (kind === 'camera') this.#cameraChange = recovery;
        else this.#microphoneChange = recovery;
      },
    );
    return media;
  }

  /** Back online, or on another network: the connections under repair need not wait for their next step. */
  #onNetworkChange = (): void => {
    this.#topology?.networkChanged();
  };

  // ---- devices ----

  #onDeviceChange = (): void => {
    void this.listDevices().catch(() => undefined);
  };

  #announceDevices(): void {
    this.dispatchEvent(new CallDevicesChangeEvent(this.#deviceList, this.selectedDevices));
  }

  async #switchDevice(kind: 'microphone' | 'camera', deviceId: string | null): Promise<void> {
    checkDeviceId(deviceId);
    const active = this.#call;
    const media = active?.media;
    const preview = this.#preview;
    if (active && media) {
      await media.switchDevice(kind, deviceId);
      if (this.#call === active && active.media === media) this.#useNewTrack(active, kind);
    } else if (preview) {
      await preview.media.switchDevice(kind, deviceId);
      if (this.#preview === preview) {
        preview.followMicrophone();
        this.#announcePreview();
      }
    }
    this.#devicePreferences.set(kind, deviceId);
    this.#announceDevices();
  }

  #useNewTrack(active: ActiveCall, kind: 'microphone' | 'camera'): void {
    this.#sendLocalMedia();
    // The rung depends on the camera's capture size.
    if (kind === 'camera') this.#applySendLadder();
    this.#updateLocal(active, false);
  }

  /**
   * The device in use stopped by itself: another of its kind takes over (any other first, then the
   * default), and the page is told. With none left, the camera goes off or the microphone is shown
   * muted, and `device-not-found` says why.
   */
  async #recoverLostDevice(active: ActiveCall, media: LocalMedia, kind: 'microphone' | 'camera', lost: MediaStreamTrack): Promise<void> {
    if (this.#call !== active || active.media !== media) return;
    const lostId = lost.getSettings().deviceId ?? null;
    const list = await this.listDevices().catch(() => this.#deviceList);
    // The user's choice if it is not the one lost, then the system's default (which follows what is
    // plugged in), then any other.
    const chosen = this.#devicePreferences.get(kind);
    const others = devicesOfKind(list, kind).map((device) => device.deviceId).filter((id) => id !== lostId && id !== 'default');
    const candidates = new Set<string | null>([...(chosen && chosen !== lostId ? [chosen] : []), null, ...others]);
    for (const deviceId of candidates) {
      try {
        await media.switchDevice(kind, deviceId);
      } catch {
        continue;
      }
      if (this.#call !== active || active.media !== media) return;
      this.#useNewTrack(active, kind);
      const inUse = media.deviceIdOf(kind);
      this.dispatchEvent(new CallDeviceFallbackEvent(kind, 'lost', lostId, devicesOfKind(list, kind).find((device) => device.deviceId === inUse) ?? null));
      this.#announceDevices();
      return;
    }
    if (this.#call !== active || active.media !== media) return;
    if (kind === 'camera') media.stopCamera();
    else media.setMicrophoneEnabled(false);
    this.#sendLocalMedia();
    this.#updateLocal(active);
    this.dispatchEvent(new CallDeviceFallbackEvent(kind, 'lost', lostId, null));
    this.#report(new CallError('device-not-found', `The ${kind} stopped working and no other ${kind} could be started.`));
  }

  /** A remembered device that is not there gave way to the default: say so, once the names are known. */
  async #checkRememberedDevices(media: LocalMedia): Promise<void> {
    const list = await this.listDevices().catch(() => this.#deviceList);
    for (const kind of ['microphone', 'camera'] as const) {
      const wanted = this.#devicePreferences.get(kind);
      const inUse = media.deviceIdOf(kind);
      if (!wanted || inUse === null || inUse === wanted) continue;
      this.dispatchEvent(new CallDeviceFallbackEvent(kind, 'unavailable', wanted, devicesOfKind(list, kind).find((device) => device.deviceId === inUse) ?? null));
    }
    const speaker = this.#devicePreferences.get('speaker');
    if (speaker && canChooseSpeaker()) {
      const present = devicesOfKind(list, 'speaker').some((device) => device.deviceId === speaker);
      const routed = present && (await this.#audio.setSpeaker(speaker).then(() => true, () => false));
      if (!routed) {
        await this.#audio.setSpeaker(null).catch(() => undefined);
        this.dispatchEvent(new CallDeviceFallbackEvent('speaker', 'unavailable', speaker, null));
      }
    }
  }

  #mediaState(): MediaState {
    const media = this.#call?.media;
    const screen = this.#call?.screen;
    const state: MediaState = { microphone: media?.microphoneEnabled ?? false, camera: media?.cameraEnabled ?? false };
    if (screen) state.screen = screen.clock;
    return state;
  }

  /** Refreshes the local participant from the devices and tells the others when asked to. */
  #updateLocal(active: ActiveCall, broadcast = true): void {
    const local = active.record.local;
    const media = active.media;
    local.microphoneEnabled = media?.microphoneEnabled ?? false;
    local.cameraEnabled = media?.cameraEnabled ?? false;
    local.stream = media?.stream ?? null;
    local.screenStream = active.screen?.stream ?? null;
    this.dispatchEvent(new CallParticipantChangeEvent(active.record, local));
    if (broadcast) {
      const message: ControlMessage = { type: 'media', callId: active.record.id, media: this.#mediaState() };
      this.#topology?.broadcast(message);
    }
  }

  /**
   * Our microphone and camera go to everyone who answered, and to nobody we are still ringing:
   * someone who declines has seen and heard nothing of us. (A callee has no media before accept.)
   */
  #sendLocalMedia(): void {
    const active = this.#call;
    const media = active?.media;
    for (const userId of this.#topology?.userIds() ?? []) {
      const answered = media && active.record.participants.get(userId)?.state !== 'ringing';
      this.#topology!.setLocalTracks(userId, answered ? media.audioTrack : null, answered ? media.videoTrack : null);
      this.#topology!.setScreenTrack(userId, answered ? (active.screen?.track ?? null) : null);
    }
  }

  /** Every connection sends the camera at the rung that fits the size of the call. */
  #applySendLadder(): void {
    const active = this.#call;
    if (!active) return;
    let people = 1;
    for (const participant of active.record.participants.values()) if (participant.state !== 'left') people += 1;
    const captureHeight = active.media?.videoTrack?.getSettings().height ?? 480;
    const ladder = videoEncodingFor(people, captureHeight);
    const encoding = this.#dataSaver ? withDataSaver(ladder, captureHeight) : ladder;
    this.#ladder = { encoding, captureHeight };
    this.#topology?.setVideoEncoding(encoding);
    this.#topology?.setScreenEncoding(screenEncodingFor(people));
  }

  // ---- network quality ----

  /**
   * Samples the call's connections while it is active: each participant's level (and ours, the
   * uplink) and, with adaptation on, the camera's encoding on each connection. What the others need
   * to know (our uplink, a camera paused to them) goes to them in a `quality` message.
   */
  #startQuality(): void {
    const active = this.#call;
    const topology = this.#topology;
    if (!active || !topology || this.#quality) return;
    const pausedTo = new Set<string>();
    const tell = (userId: string) => {
      const uplink = active.record.local.networkQuality;
      if (uplink) topology.send(userId, { type: 'quality', callId: active.record.id, uplink, videoPaused: pausedTo.has(userId) });
    };
    const current = () => this.#call === active && this.#topology === topology;
    this.#quality = new QualityMonitor(
      {
        userIds: () => topology.userIds().filter((userId) => active.record.participants.get(userId)?.state === 'connected'),
        connectionOf: (userId) => topology.connectionOf(userId),
        camera: () => ({
          ladder: this.#ladder?.encoding ?? videoEncodingFor(2, 480),
          captureHeight: this.#ladder?.captureHeight ?? 480,
          on: !!active.media?.cameraEnabled,
        }),
      },
      {
        onStats: (userId, stats) => {
          const participant = active.record.participants.get(userId);
          if (current() && participant) this.dispatchEvent(new CallStatsEvent(active.record, participant, stats));
        },
        onLinkQuality: (userId, quality) => {
          const participant = active.record.participants.get(userId);
          if (!current() || !participant) return;
          // Someone we just measured for the first time learns our uplink.
          if (participant.linkQuality === null) tell(userId);
          participant.linkQuality = quality;
          this.#updateNetworkQuality(active, participant);
        },
        onUplinkQuality: (quality) => {
          if (!current()) return;
          active.record.local.networkQuality = quality;
          this.dispatchEvent(new CallQualityChangeEvent(active.record, active.record.local, quality));
          for (const userId of topology.userIds()) tell(userId);
        },
        onEncoding: (userId, encoding) => {
          if (!current()) return;
          topology.setUserVideoEncoding(userId, encoding);
          if (encoding.active === !pausedTo.has(userId)) return;
          if (encoding.active) pausedTo.delete(userId);
          else pausedTo.add(userId);
          tell(userId);
        },
      },
      this.#options!.adaptation,
    );
    this.#quality.start();
  }

  #stopQuality(): void {
    this.#quality?.stop();
    this.#quality = null;
  }

  // ---- speaking ----

  /** Follows everyone's audio level while the call is active: `speaking` and the active speaker. */
  #startSpeaking(): void {
    const active = this.#call;
    if (!active || this.#speaking) return;
    const record = active.record;
    const current = () => this.#call === active;
    this.#speaking = new SpeakingMonitor(
      {
        remotes: () =>
          [...record.participants.values()]
            .filter((participant) => participant.state === 'connected')
            .map((participant) => {
              const track = participant.stream?.getAudioTracks()[0];
              const receiver = track ? this.connectionOf(participant.id)?.getReceivers().find((each) => each.track === track) : undefined;
              return { userId: participant.id, receiver: receiver ?? null, muted: !participant.microphoneEnabled };
            }),
        local: () => ({ userId: record.local.id, track: active.media?.audioTrack ?? null, muted: !active.media?.microphoneEnabled }),
      },
      {
        onSpeaking: (userId, speaking) => {
          const participant = userId === record.local.id ? record.local : record.participants.get(userId);
          if (!current() || !participant || participant.speaking === speaking) return;
          participant.speaking = speaking;
          this.dispatchEvent(new CallSpeakingChangeEvent(record, participant, speaking));
        },
        onActiveSpeaker: (userId) => {
          if (!current()) return;
          record.activeSpeakerId = userId;
          this.dispatchEvent(new CallActiveSpeakerChangeEvent(record, userId === null ? null : (record.participants.get(userId) ?? null)));
        },
      },
    );
    this.#speaking.start();
  }

  /** Nobody speaks once the call is no longer active: the last levels say nothing any more. */
  #stopSpeaking(): void {
    this.#speaking?.stop();
    this.#speaking = null;
    const record = this.#call?.record;
    if (!record) return;
    for (const participant of [record.local, ...record.participants.values()]) participant.speaking = false;
  }

  /** A remote participant's level: the worse of our measure of the link and the uplink they report. */
  #updateNetworkQuality(active: ActiveCall, participant: ParticipantRecord): void {
    const measured = participant.linkQuality;
    const reported = participant.reportedUplink;
    const quality = measured && reported ? worseOf(measured, reported) : (measured ?? reported);
    if (!quality || quality === participant.networkQuality) return;
    participant.networkQuality = quality;
    this.dispatchEvent(new CallQualityChangeEvent(active.record, participant, quality));
  }

  /** Plays the audio of everyone answered, while we are in the call; nothing otherwise. */
  #syncAudio(): void {
    const tracks = new Map<string, MediaStreamTrack>();
    const active = this.#call;
    if (active && this.#state === 'active') {
      for (const participant of active.record.participants.values()) {
        const track = participant.stream?.getAudioTracks()[0];
        if (track && (participant.state === 'connecting' || participant.state === 'connected')) tracks.set(participant.id, track);
      }
    }
    this.#audio.update(tracks);
  }

  // ---- participants ----

  #addParticipant(active: ActiveCall, user: UserInfo, state: ParticipantState, epoch: number): ParticipantRecord {
    const participant = new ParticipantRecord(user.id, user.name, false, state);
    participant.epoch = epoch;
    active.record.participants.set(user.id, participant);
    this.#applySendLadder();
    if (state === 'ringing') this.dispatchEvent(new CallParticipantChangeEvent(active.record, participant));
    else this.dispatchEvent(new CallParticipantJoinedEvent(active.record, participant));
    return participant;
  }

  /** A participant answered (by message, or by their media arriving first). */
  #markAnswered(active: ActiveCall, user: UserInfo, media?: MediaState, epoch = 1): ParticipantRecord {
    let participant = active.record.participants.get(user.id);
    if (!participant) {
      participant = this.#addParticipant(active, user, 'connecting', epoch);
    } else if (participant.state === 'ringing') {
      participant.name = user.name;
      clearTimeout(active.ringTimers.get(user.id));
      active.ringTimers.delete(user.id);
      this.#setParticipantState(participant, 'connecting');
      // Their connection came up while it rang.
      if (this.#topology?.connectionOf(user.id)?.connectionState === 'connected') this.#setParticipantState(participant, 'connected');
      this.#sendLocalMedia();
    } else {
      participant.name = user.name;
    }
    participant.epoch = Math.max(participant.epoch, epoch);
    if (media) {
      this.#applyRemoteMedia(active, participant, media);
      this.dispatchEvent(new CallParticipantChangeEvent(active.record, participant));
    }
    if (this.#state === 'outgoing') {
      active.record.answeredAt = Date.now();
      this.#setState('active');
    }
    return participant;
  }

  /** `drain`: we just sent them a goodbye, so their channel closes only once they have it. */
  #removeParticipant(active: ActiveCall, userId: string, reason: LeaveReason, drain = false): void {
    const record = active.record;
    const epoch = this.#epochOf(record, userId);
    if (epoch > 0) record.departed.set(userId, epoch);
    clearTimeout(active.ringTimers.get(userId));
    active.ringTimers.delete(userId);
    const closing = this.#topology?.close(userId, drain);
    if (closing) this.#track(closing);
    const participant = record.participants.get(userId);
    if (!participant) return;
    record.participants.delete(userId);
    this.#applySendLadder();
    this.#setParticipantState(participant, 'left', reason);
    if (this.#call !== active) return;
    if (record.participants.size === 0) {
      this.#endCall(endReasonFor(this.#state, reason));
    } else if (this.#state === 'incoming' && userId === active.inviterId) {
      // Only the inviter can let us in: without it, the ring is over.
      this.#endCall('missed');
    } else {
      this.#broadcastRoster();
    }
  }

  /** Whether the connection to an answered participant is still getting somewhere. */
  #isConnecting(userId: string, waited: number): boolean {
    return !!this.#topology?.isSettingUp(userId) && waited < CONNECT_GIVE_UP_MS;
  }

  #startSweep(active: ActiveCall): void {
    active.sweepTimer = setInterval(() => this.#sweep(active), SWEEP_INTERVAL_MS);
  }

  /**
   * Gives up on participants stuck half-way: rung by someone else who vanished before their ring
   * ended, or answered but never connected to us (a failed dial, an outage of the server).
   */
  #sweep(active: ActiveCall): void {
    const now = Date.now();
    for (const participant of [...active.record.participants.values()]) {
      if (this.#call !== active) return;
      const waited = now - participant.stateSince;
      const ringTimeout = participant.ringTimeout ?? active.ringTimeout;
      if (participant.awayUntil !== null) {
        if (now > participant.awayUntil) this.#removeParticipant(active, participant.id, 'did-not-return');
      } else if (participant.state === 'ringing' && !active.ringTimers.has(participant.id) && waited > ringTimeout + RING_FALLBACK_MS) {
        this.#removeParticipant(active, participant.id, 'no-answer');
      } else if (
        participant.state === 'connecting' &&
        this.#state === 'active' &&
        waited > CONNECT_TIMEOUT_MS &&
        !this.#isConnecting(participant.id, waited)
      ) {
        this.#report(new CallError('connection-failed', `Could not connect to ${participant.id}.`, { userId: participant.id }));
        this.#removeParticipant(active, participant.id, 'connection-lost');
      }
    }
  }

  // ---- ringing ----

  #invite(active: ActiveCall, user: UserInfo): void {
    const record = active.record;
    // Someone who left comes back under a new invitation, which outranks the news of their leaving.
    const epoch = (record.departed.get(user.id) ?? 0) + 1;
    record.departed.delete(user.id);
    this.#addParticipant(active, user, 'ringing', epoch);
    // The ring goes out first: the offer follows once the connection has negotiated it.
    this.#openLink(user.id, true);
    this.#topology!.send(user.id, {
      type: 'ring',
      callId: record.id,
      conversationId: record.conversationId,
      video: record.video,
      from: this.#user!,
      media: this.#mediaState(),
      roster: this.#roster(),
      timeout: this.#options!.ringTimeout,
      ...(record.conversationTitle ? { conversationTitle: record.conversationTitle } : {}),
      secret: active.secret,
    });
    active.ringTimers.set(
      user.id,
      setTimeout(() => {
        if (this.#call !== active || record.participants.get(user.id)?.state !== 'ringing') return;
        this.#topology?.send(user.id, { type: 'cancel', callId: record.id });
        this.#removeParticipant(active, user.id, 'no-answer', true);
      }, this.#options!.ringTimeout),
    );
  }

  /** `screened`: the page's `allowIncoming` already let this ring through. */
  #onRing(userId: string, message: RingMessage, screened = false): void {
    const current = this.#call;
    if (current?.record.id === message.callId) {
      if (message.from.id === userId && userId !== current.inviterId) this.#onRingInCall(current, userId, message);
      return;
    }
    if (message.from.id === userId && this.#crossesOurCall(userId, message)) {
      // We rang each other at once. The ring of the smaller user id stands: theirs we drop, or ours
      // gives way and theirs is answered, on both sides alike, so exactly one call remains.
      if (dialsFirst(this.#user!.id, userId) || this.#state !== 'outgoing') return;
      void this.#giveWayTo(this.#waiting.hold(userId, message), current!.record.video);
      return;
    }
    if (this.#screen && !screened && message.from.id === userId) {
      this.#screen.screen(userId, message);
      return;
    }
    if (this.#state !== 'idle' || message.from.id !== userId) {
      // A call while we are in one waits for the user to choose; anything else is answered busy.
      if (message.from.id === userId && (this.#state === 'active' || this.#state === 'outgoing') && !this.#waiting.current) {
        this.dispatchEvent(new CallWaitingEvent(this.#waiting.hold(userId, message).call));
        return;
      }
      this.#signalling?.send(userId, toWire({ type: 'decline', callId: message.callId, busy: true }));
      return;
    }
    const self = this.#user!;
    const local = new ParticipantRecord(self.id, self.name, true, 'connected');
    const record = new CallRecord(message.callId, message.conversationId, 'incoming', message.video, message.from, local);
    record.conversationTitle = message.conversationTitle ?? null;
    const active = newActiveCall(record, {
      inviterId: userId,
      ringTimeout: message.timeout,
      selfEpoch: message.roster.find((entry) => entry.id === self.id)?.epoch ?? 1,
      secret: message.secret,
    });
    active.admitted.add(userId);
    this.#call = active;
    this.#topology = this.#newTopology(record.id);
    const caller = new ParticipantRecord(userId, message.from.name, false, 'connecting');
    caller.epoch = message.roster.find((entry) => entry.id === userId)?.epoch ?? 1;
    this.#applyRemoteMedia(active, caller, message.media);
    record.participants.set(userId, caller);
    this.#setState('incoming');
    this.#openLink(userId, false);
    this.#startSweep(active);
    this.#mergeRoster(active, message.roster);
    if (this.#call !== active) return;
    active.incomingTimer = setTimeout(() => {
      if (this.#call === active && this.#state === 'incoming') this.#endCall('missed');
    }, message.timeout + RING_FALLBACK_MS);
    this.dispatchEvent(new CallIncomingEvent(record));
  }

  /** The page's `allowIncoming` answered: the ring goes on as if it had just arrived, or is answered busy. */
  #onScreened(callerId: string, ring: RingMessage, signals: SignalMessage[], allowed: boolean): void {
    if (!allowed) {
      this.#signalling?.send(callerId, toWire({ type: 'decline', callId: ring.callId, busy: true }));
      return;
    }
    this.#onRing(callerId, ring, true);
    for (const signal of signals) {
      if (!this.#waiting.claim(callerId, signal)) this.#onSignal(callerId, signal);
    }
  }

  // ---- the mesh ----

  /**
   * A connection to a participant of the current call. `initiator`: we make the first offer;
   * otherwise it waits for theirs. Our devices go on it once they are on (after accept, for a callee).
   */
  #openLink(userId: string, initiator: boolean): void {
    const held = !initiator && !this.#options!.preconnect && this.#state === 'incoming';
    this.#topology!.open(userId, { initiator, held });
    this.#applySendLadder();
    this.#sendLocalMedia();
  }

  /** The connections of a new call; what they report reaches the call logic while it is the current one. */
  #newTopology(callId: string): CallTopology {
    this.#offenders.clear();
    const topology: CallTopology = new MeshTopology({
      selfId: this.#user!.id,
      callId,
      rtcConfig: { ...this.#options!.rtcConfig, iceServers: this.#iceServers },
      handlers: {
        relay: (userId, message) => this.#signalling?.send(userId, message) ?? false,
        onMessage: (userId, message) => {
          if (this.#topology === topology) this.#onMessage(userId, message);
        },
        onMalformed: (userId) => {
          if (this.#topology === topology) this.#reportOffence(userId, `Ignored a malformed message from ${userId}.`);
        },
        onRemoteStream: (userId, stream) => {
          const participant = this.#call?.record.participants.get(userId);
          if (this.#topology !== topology || !participant) return;
          participant.stream = stream;
          this.#syncAudio();
          this.dispatchEvent(new CallParticipantChangeEvent(this.#call!.record, participant));
        },
        onRemoteScreen: (userId, stream) => {
          const participant = this.#call?.record.participants.get(userId);
          if (this.#topology !== topology || !participant || participant.state === 'left') return;
          participant.screenStream = stream;
          this.dispatchEvent(new CallParticipantChangeEvent(this.#call!.record, participant));
        },
        onConnectionChange: (userId, state) => {
          const participant = this.#call?.record.participants.get(userId);
          if (this.#topology !== topology || !participant) return;
          // Their page is gone, as they said: nothing to repair; they dial us again if they come back.
          if (state === 'recovering' && participant.away) topology.close(userId, false);
          else this.#setParticipantState(participant, state === 'up' ? 'connected' : 'connecting');
        },
        onLost: (userId) => {
          if (this.#topology === topology) this.#declareLost(userId);
        },
        onNegotiationError: (userId, error) => {
          if (this.#topology !== topology) return;
          this.#report(new CallError('connection-failed', `The connection with ${userId} could not be updated.`, { userId, cause: error }));
        },
      },
    });
    return topology;
  }

  /**
   * Connects to a participant who answered, when the rule says we are the side that dials: in every
   * pair of participants who did not meet through a ring, the one with the smaller user id dials.
   * Both learn of each other through the rosters, so one of them dials. A newcomer who just accepted
   * dials everyone it knows to be in, whatever the rule: the others learn of it only from the
   * inviter's next roster. Should both sides dial, the connection resolves the crossing offers.
   */
  #meet(userId: string, newcomer = false): void {
    const active = this.#call;
    if (!active || this.#state !== 'active' || this.#topology!.has(userId)) return;
    if (!newcomer && !dialsFirst(this.#user!.id, userId)) return;
    this.#openLink(userId, true);
    // The join shows them our invitation before our offer arrives: without it they would not answer.
    this.#topology!.send(userId, this.#joinMessage(active));
    this.#topology!.send(userId, { type: 'roster', callId: active.record.id, roster: this.#roster() });
  }

  #roster(): RosterEntry[] {
    const active = this.#call!;
    const record = active.record;
    const entries: RosterEntry[] = [{ id: this.#user!.id, name: this.#user!.name, state: 'joined', epoch: active.selfEpoch }];
    for (const participant of record.participants.values()) {
      if (participant.state !== 'ringing') {
        entries.push({ id: participant.id, name: participant.name, state: 'joined', epoch: participant.epoch });
        continue;
      }
      const timeout = active.ringTimers.has(participant.id) ? this.#options!.ringTimeout : participant.ringTimeout;
      const entry: RosterEntry = { id: participant.id, name: participant.name, state: 'ringing', epoch: participant.epoch };
      if (timeout !== null) entry.timeout = timeout;
      entries.push(entry);
    }
    for (const [id, epoch] of record.departed) entries.push({ id, name: id, state: 'left', epoch });
    return entries;
  }

  #broadcastRoster(): void {
    const active = this.#call;
    if (!active || this.#state === 'incoming') return;
    const message: ControlMessage = { type: 'roster', callId: active.record.id, roster: this.#roster() };
    this.#topology?.broadcast(message);
  }

  /** Folds another participant's view of the call into ours; tells the others when ours changed. */
  #mergeRoster(active: ActiveCall, roster: RosterEntry[]): void {
    const record = active.record;
    let changed = false;
    for (const entry of roster) {
      if (entry.id === this.#user!.id) continue;
      const participant = record.participants.get(entry.id);
      const decision = decideRosterEntry(entry, {
        participant: participant ?? null,
        departedEpoch: record.departed.get(entry.id) ?? null,
        liveLink: !!this.#topology?.isLive(entry.id),
        ownInvitee: active.ringTimers.has(entry.id),
      });
      if (decision.forgetDeparture) record.departed.delete(entry.id);
      if (decision.raiseEpoch) participant!.epoch = entry.epoch;
      switch (decision.action) {
        case 'remove':
          this.#removeParticipant(active, entry.id, 'hangup');
          if (this.#call !== active) return;
          break;
        case 'depart':
          record.departed.set(entry.id, entry.epoch);
          break;
        case 'add-joined':
        case 'add-ringing': {
          const added = this.#addParticipant(active, entry, decision.action === 'add-joined' ? 'connecting' : 'ringing', entry.epoch);
          added.ringTimeout = entry.timeout ?? null;
          break;
        }
        case 'answered':
          this.#markAnswered(active, entry);
          break;
      }
      if (decision.forgetDeparture || decision.action !== 'none') changed = true;
      if (decision.meet) this.#meet(entry.id);
    }
    // A join that waited for a member to vouch for it: the roster invited them again.
    for (const [userId, join] of [...active.awaitingVouch]) {
      if (this.#call !== active) return;
      if (record.participants.has(userId)) {
        active.awaitingVouch.delete(userId);
        this.#onJoin(active, userId, join);
      }
    }
    if (changed) this.#broadcastRoster();
  }

  /** The latest invitation of a user to this call that we know of; 0 for none. */
  #epochOf(record: CallRecord, userId: string): number {
    return record.participants.get(userId)?.epoch ?? record.departed.get(userId) ?? 0;
  }

  /** Whether a join or media of this invitation may enter: not for an invitation that already left. */
  #admits(record: CallRecord, userId: string, epoch: number): boolean {
    const left = record.departed.get(userId);
    if (left !== undefined && left >= epoch) return false;
    record.departed.delete(userId);
    return true;
  }


  /** Whatever another user sent us: through the signalling server, or over our data channel with them. */
  #onPeerData(userId: string, data: unknown): void {
    if (!this.#relayLimit.take(userId, data)) {
      this.#reportOffence(userId, `Ignored messages from ${userId}: more than the rate limit.`);
      return;
    }
    const message = parsePeerMessage(data);
    if (!message) {
      this.#reportOffence(userId, `Ignored a malformed message from ${userId}.`);
      return;
    }
    if (this.#screen?.claim(userId, message)) return;
    if (this.#waiting.claim(userId, message)) return;
    if (message.type === 'signal') this.#onSignal(userId, message);
    else this.#onMessage(userId, message);
  }

  /**
   * Once per sender and call, whatever they send: a flood of bad messages is one report. Nothing is
   * reported between calls (a stranger's noise then concerns no one).
   */
  #reportOffence(userId: string, message: string): void {
    if (!this.#call || this.#offenders.has(userId) || this.#offenders.size >= MAX_OFFENDERS) return;
    this.#offenders.add(userId);
    this.#report(new CallError('protocol-error', message, { userId }));
  }

  #onSignal(userId: string, signal: SignalMessage): void {
    const active = this.#call;
    if (!active || signal.callId !== active.record.id) return;
    const topology = this.#topology!;
    if (!topology.has(userId)) {
      // A member who dialled us by the mesh rule, after showing the invitation with a join; anything
      // else is stale, not for us, or from someone who was not invited: they get no answer at all.
      if (signal.description?.type !== 'offer' || this.#state === 'incoming') return;
      if (!active.record.participants.has(userId) || !active.admitted.has(userId)) return;
      this.#openLink(userId, false);
      topology.send(userId, { type: 'media', callId: active.record.id, media: this.#mediaState() });
      topology.send(userId, { type: 'roster', callId: active.record.id, roster: this.#roster() });
    }
    topology.handleSignal(userId, signal);
  }

  #onMessage(userId: string, message: ControlMessage): void {
    if (message.type === 'ring') {
      this.#onRing(userId, message);
      return;
    }
    const active = this.#call;
    if (!active || message.callId !== active.record.id) return;
    switch (message.type) {
      case 'accept':
        // Their media may have arrived first and marked them answered; the names and devices still count.
        if (active.record.participants.has(userId)) {
          this.#markAnswered(active, { id: userId, name: message.user.name }, message.media);
          this.#broadcastRoster();
        }
        break;
      case 'join':
        if (this.#state === 'active' || this.#state === 'outgoing') this.#onJoin(active, userId, message);
        break;
      case 'decline':
        if (active.record.participants.get(userId)?.state === 'ringing') {
          this.#removeParticipant(active, userId, message.busy ? 'busy' : 'declined');
        }
        break;
      case 'cancel':
        if (userId !== active.inviterId) {
          // Another member's ring ended; the inviter's goes on.
          if (this.#state === 'incoming') this.#topology!.close(userId, false);
          break;
        }
        if (this.#state === 'incoming') this.#endCall('missed');
        // Our accept crossed their cancel: they have left, we stay with whoever else is here.
        else this.#removeParticipant(active, userId, 'cancelled');
        break;
      case 'hangup':
        if (active.record.participants.has(userId)) this.#removeParticipant(active, userId, 'hangup');
        break;
      case 'away': {
        const participant = active.record.participants.get(userId);
        if (participant && participant.state !== 'ringing' && this.#state === 'active') this.#onAway(active, participant, message.grace);
        break;
      }
      case 'roster':
        // Only those in the call speak for it: a stranger's roster would make us dial whoever it
        // names. Not reported: someone we just counted as gone may still be sending theirs.
        if (active.record.participants.has(userId)) this.#mergeRoster(active, message.roster);
        break;
      case 'quality': {
        const participant = active.record.participants.get(userId);
        if (!participant || participant.state === 'ringing') break;
        participant.reportedUplink = message.uplink;
        if (participant.videoPaused !== message.videoPaused) {
          participant.videoPaused = message.videoPaused;
          this.dispatchEvent(new CallParticipantChangeEvent(active.record, participant));
        }
        this.#updateNetworkQuality(active, participant);
        break;
      }
      case 'media': {
        const participant = active.record.participants.get(userId);
        if (participant) {
          this.#applyRemoteMedia(active, participant, message.media);
          if (this.#call === active) this.dispatchEvent(new CallParticipantChangeEvent(active.record, participant));
        }
        break;
      }
    }
  }

  /**
   * Someone says they are in the call. They must show its invitation (the secret their ring carried);
   * someone we count as gone must also have been invited again by a member (a roster that brings
   * them back), else they could come back on their own by naming a later epoch.
   */
  #onJoin(active: ActiveCall, userId: string, message: JoinMessage): void {
    const record = active.record;
    if (!sameSecret(message.secret, active.secret)) {
      this.#reportOffence(userId, `Refused ${userId}: a join without this call's invitation.`);
      return;
    }
    if (!record.participants.has(userId) && record.departed.has(userId)) {
      if (active.awaitingVouch.size < MAX_AWAITING_VOUCH || active.awaitingVouch.has(userId)) active.awaitingVouch.set(userId, message);
      return;
    }
    if (!this.#admits(record, userId, message.epoch)) return;
    active.awaitingVouch.delete(userId);
    active.admitted.add(userId);
    const returning = record.participants.get(userId);
    if (returning?.away) {
      // Back from a reload: their offer follows, from a new page, onto a new connection.
      returning.awayUntil = null;
      this.#topology!.close(userId, false);
    }
    this.#markAnswered(active, { id: userId, name: message.user.name }, message.media, message.epoch);
    this.#broadcastRoster();
  }

  // ---- connections ----

  /** The connection is gone without a goodbye (their data channel closed, or it never came back). */
  #declareLost(userId: string): void {
    const active = this.#call;
    const participant = active?.record.participants.get(userId);
    if (!active || !participant) return;
    if (participant.away) {
      // Their page is gone, as they said: the connection goes, they stay until the grace ends.
      this.#topology?.close(userId, false);
      return;
    }
    this.#report(new CallError('connection-failed', `The connection with ${userId} was lost.`, { userId }));
    this.#removeParticipant(active, userId, 'connection-lost');
  }

  // ---- signalling server ----

  /**
   * The server could not deliver to this user. Someone we ring is unavailable; someone we were
   * connected to has gone from the server too (a crashed tab, a lost network): the connection is lost.
   */
  #onUnreachable(userId: string): void {
    const active = this.#call;
    const participant = active?.record.participants.get(userId);
    // Between their pages, the server has no one under their id: expected while they are away.
    if (!active || !participant || participant.away) return;
    if (participant.state !== 'ringing' && this.#topology?.has(userId)) {
      this.#declareLost(userId);
      return;
    }
    this.#report(new CallError('peer-unavailable', `${userId} is not reachable right now.`, { userId }));
    this.#removeParticipant(active, userId, 'unavailable');
  }

  /** Calls in progress go on peer to peer while the server is away; only an idle controller shows it. */
  #onSignallingState(state: SignallingState): void {
    this.dispatchEvent(new CallSignallingChangeEvent(state));
    if (state === 'reconnecting' && this.#state === 'idle') this.#setState('connecting');
    else if (state === 'connected' && this.#state === 'connecting') this.#setState('idle');
    if (state === 'connected' && this.#resumeOnRegistered && this.#state === 'idle') this.#resumeStored();
  }

  #onSignallingError(error: CallError): void {
    this.#report(error);
    // Neither gets better by registering again.
    if (error.type === 'identity-in-use' || error.type === 'unauthorized') void this.disconnect();
  }

  /**
   * Leaving the page during an answered call steps away from it (see {@link #stepAway}) when
   * `resume` is on; otherwise, or while ringing, it ends the call. A page kept in the back/forward
   * cache would also keep our registration, and a new page for the same user would be refused as
   * `identity-in-use`: release it now and register again if the page is shown again.
   */
  #onPageHide = (event: PageTransitionEvent): void => {
    this.#dismissWaiting('missed');
    void this.stopPreview();
    const active = this.#call;
    if (active && this.#mayStepAway(active)) {
      this.#stepAway(active);
      // Kept in the cache, the page would hold devices and connections while frozen: let them go,
      // and take the call up again from storage if it is shown again.
      if (event.persisted) {
        this.#resumeOnRegistered = true;
        this.#endCall('hangup');
      }
    } else if (active) {
      this.#leave();
    }
    this.#signalling?.suspend();
  };

  #onPageShow = (event: PageTransitionEvent): void => {
    if (event.persisted) this.#signalling?.resume();
  };

  // ---- reloads and navigations ----

  #mayStepAway(active: ActiveCall): boolean {
    if (!this.#options?.resume || this.#state !== 'active' || !active.media) return false;
    return [...active.record.participants.values()].some((participant) => participant.state !== 'ringing');
  }

  /**
   * The page goes away during the call and may come back: the call is kept in sessionStorage for
   * the next page of this tab, and the others are told to hold us as reconnecting, instead of the
   * hang-up an ended page would say. Our own unanswered rings are withdrawn: the page that rang is gone.
   */
  #stepAway(active: ActiveCall): void {
    const record = active.record;
    const grace = this.#options!.resumeGrace;
    const answered = [...record.participants.values()].filter((participant) => participant.state !== 'ringing');
    saveResumableCall(this.#options!.namespace, {
      userId: this.#user!.id,
      callId: record.id,
      secret: active.secret,
      conversationId: record.conversationId,
      conversationTitle: record.conversationTitle,
      direction: record.direction,
      video: record.video,
      caller: { id: record.caller.id, name: record.caller.name },
      inviterId: active.inviterId,
      ringTimeout: active.ringTimeout,
      selfEpoch: active.selfEpoch,
      createdAt: record.createdAt,
      answeredAt: record.answeredAt,
      participants: answered.map(({ id, name, epoch, microphoneEnabled, cameraEnabled }) => ({ id, name, epoch, microphoneEnabled, cameraEnabled })),
      microphone: active.media!.microphoneEnabled,
      camera: active.media!.cameraEnabled,
      savedAt: Date.now(),
      grace,
    });
    for (const invitee of active.ringTimers.keys()) this.#topology!.send(invitee, { type: 'cancel', callId: record.id });
    for (const participant of answered) this.#topology!.send(participant.id, { type: 'away', callId: record.id, grace });
  }

  /**
   * Takes up the call the previous page of this tab stepped away from: the devices as they were,
   * then a join (showing the invitation, as any newcomer must) and a new connection to everyone who
   * was in it. They held us as reconnecting meanwhile; nobody rings.
   */
  async #resumeCall(saved: ResumableCall): Promise<void> {
    const self = this.#user!;
    const local = new ParticipantRecord(self.id, self.name, true, 'connected');
    const record = new CallRecord(saved.callId, saved.conversationId, saved.direction, saved.video, saved.caller, local);
    record.conversationTitle = saved.conversationTitle;
    record.createdAt = saved.createdAt;
    record.answeredAt = saved.answeredAt ?? Date.now();
    record.resumed = true;
    const active = newActiveCall(record, {
      inviterId: saved.inviterId,
      ringTimeout: saved.ringTimeout,
      selfEpoch: saved.selfEpoch,
      secret: saved.secret,
    });
    for (const entry of saved.participants) {
      if (entry.id === self.id) continue;
      const participant = new ParticipantRecord(entry.id, entry.name, false, 'connecting');
      participant.epoch = entry.epoch;
      participant.microphoneEnabled = entry.microphoneEnabled;
      participant.cameraEnabled = entry.cameraEnabled;
      record.participants.set(entry.id, participant);
      active.admitted.add(entry.id);
    }
    this.#call = active;
    this.#topology = this.#newTopology(record.id);
    this.#setState('active');
    this.#startSweep(active);
    try {
      await this.#startLocalMedia(active, saved.camera);
    } catch (error) {
      if (this.#call !== active) return;
      // Without a microphone there is no call to rejoin: the others should not wait out the grace.
      for (const userId of record.participants.keys()) this.#signalling?.send(userId, toWire({ type: 'hangup', callId: record.id }));
      this.#endCall('error');
      if (error instanceof CallError) this.#report(error);
      return;
    }
    if (this.#call !== active || !active.media) return;
    if (!saved.microphone) {
      active.media.setMicrophoneEnabled(false);
      this.#updateLocal(active, false);
    }
    this.#applySendLadder();
    for (const userId of record.participants.keys()) this.#meet(userId, true);
    this.dispatchEvent(new CallResumedEvent(record));
  }

  /** Back from the back/forward cache and registered again: the call stepped away from, if still in its grace. */
  #resumeStored(): void {
    this.#resumeOnRegistered = false;
    const saved = this.#options && this.#user ? takeResumableCall(this.#options.namespace, this.#user.id) : null;
    if (saved) void this.#resumeCall(saved);
  }

  /** A participant's page went away saying it may come back: held as reconnecting until it rejoins or the grace ends. */
  #onAway(active: ActiveCall, participant: ParticipantRecord, grace: number): void {
    participant.awayUntil = Date.now() + grace;
    if (participant.state === 'connected') this.#setParticipantState(participant, 'connecting');
    else this.dispatchEvent(new CallParticipantChangeEvent(active.record, participant));
  }

  // ---- ending ----

  /** Leaves the current call, telling the others in the way that fits its state. */
  /** `outgoingReason`: why our own unanswered ring ends (withdrawn by the user, or given way to theirs). */
  #leave(outgoingReason: CallEndReason = 'cancelled'): void {
    const active = this.#call!;
    const record = active.record;
    switch (this.#state) {
      case 'incoming':
        // The inviter, and anyone else who rang us into this call.
        this.#topology!.broadcast({ type: 'decline', callId: record.id, busy: false });
        this.#endCall('declined', true);
        break;
      case 'outgoing':
        this.#topology!.broadcast({ type: 'cancel', callId: record.id });
        this.#endCall(outgoingReason, true);
        break;
      default: {
        // Our own unanswered invitees hear it from us; the rest learn from the roster that they left.
        for (const invitee of active.ringTimers.keys()) {
          this.#topology!.send(invitee, { type: 'cancel', callId: record.id });
          record.departed.set(invitee, this.#epochOf(record, invitee));
          record.participants.delete(invitee);
        }
        this.#broadcastRoster();
        this.#topology!.broadcast({ type: 'hangup', callId: record.id });
        this.#endCall('hangup', true);
      }
    }
  }

  /**
   * Ends the call locally: media stops at once. With `drain`, we have just said goodbye, and the
   * control channels stay open until the others have it (they close on receipt) or a timeout.
   */
  #endCall(reason: CallEndReason, drain = false): void {
    const active = this.#call;
    if (!active) return;
    this.#call = null;
    active.endReason = reason;
    clearTimeout(active.incomingTimer);
    for (const timer of active.ringTimers.values()) clearTimeout(timer);
    clearInterval(active.sweepTimer);
    active.media?.stop();
    active.permissionWatch?.stop();
    void this.stopPreview();
    active.screen?.stop();
    active.screen = null;
    const record = active.record;
    record.local.stream = record.local.screenStream = null;
    for (const participant of record.participants.values()) this.#setParticipantState(participant, 'left');
    const topology = this.#topology;
    this.#topology = null;
    this.#setState('ending');
    this.dispatchEvent(new CallEndedEvent(record, reason));
    const closing = topology?.closeAll(drain);
    const closed = closing ? this.#track(closing) : null;
    const settle = () => {
      if (this.#state === 'ending' && this.#call === null) {
        const next = this.#signalling?.state === 'connected' ? 'idle' : this.#signalling ? 'connecting' : 'disconnected';
        this.#setState(next);
        // After whatever ended the call has finished with it.
        if (next === 'idle') {
          queueMicrotask(() => {
            if (this.#state === 'idle') this.#promoteWaiting();
          });
        }
      }
    };
    if (closed) void closed.then(settle);
    else settle();
  }

  #track(closing: Promise<void>): Promise<void> {
    this.#closing.add(closing);
    void closing.finally(() => this.#closing.delete(closing));
    return closing;
  }

  async #whenClosed(): Promise<void> {
    while (this.#closing.size > 0) await Promise.all(this.#closing);
  }
}

function resolveOptions(options: ConnectOptions): ResolvedOptions {
  const invalid = (message: string) => new CallError('invalid-options', message);
  const id = options?.user?.id;
  if (typeof id !== 'string' || id.length === 0 || id.length > 128) throw invalid('user.id must be a string of 1 to 128 characters.');
  const server = options.server;
  if (!server || typeof server.host !== 'string' || !server.host || !Number.isInteger(server.port)) {
    throw invalid('server.host and server.port are required: meshcall never falls back to a public signalling server.');
  }
  if (server.token !== undefined && (typeof server.token !== 'string' || server.token.length === 0 || server.token.length > 4096)) {
    throw invalid('server.token must be a string of 1 to 4096 characters.');
  }
  if (options.allowIncoming !== undefined && typeof options.allowIncoming !== 'function') throw invalid('allowIncoming must be a function.');
  if (options.resumeGrace !== undefined && !isResumeGrace(options.resumeGrace)) throw invalid('resumeGrace is a whole number of ms from 1000 to 60000.');
  const namespace = options.namespace ?? 'meshcall';
  if (!isValidNamespace(namespace)) throw invalid('namespace must be letters and digits.');
  return {
    server: {
      host: server.host,
      port: server.port,
      path: server.path ?? '/',
      secure: server.secure ?? false,
      key: server.key ?? 'peerjs',
      ...(server.token !== undefined ? { token: server.token } : {}),
    },
    rtcConfig: { iceServers: Array.isArray(options.iceServers) ? options.iceServers : [], iceTransportPolicy: options.iceTransportPolicy ?? 'all' },
    iceServerProvider: typeof options.iceServers === 'function' ? options.iceServers : null,
    preconnect: options.preconnect ?? true,
    signalling: options.signalling ?? peerJsSignalling,
    namespace,
    ringTimeout: options.ringTimeout ?? 30000,
    connectTimeout: options.connectTimeout ?? 10000,
    media: {
      audio: options.media?.audio ?? DEFAULT_MEDIA_CONSTRAINTS.audio,
      video: options.media?.video ?? DEFAULT_MEDIA_CONSTRAINTS.video,
    },
    adaptation: options.adaptation ?? true,
    displayMedia: typeof options.displayMedia === 'function' ? options.displayMedia : null,
    resume: options.resume ?? true,
    resumeGrace: options.resumeGrace ?? DEFAULT_RESUME_GRACE_MS,
  };
}

function normaliseParticipants(participants: StartCallOptions['participants'], selfId: string): UserInfo[] {
  const seen = new Map<string, UserInfo>();
  for (const entry of participants ?? []) {
    const user = typeof entry === 'string' ? { id: entry, name: entry } : { id: entry?.id, name: entry?.name || entry?.id };
    if (typeof user.id !== 'string' || user.id.length === 0 || user.id.length > 128) {
      throw new CallError('invalid-options', 'Participant ids must be strings of 1 to 128 characters.');
    }
    if (user.id !== selfId && !seen.has(user.id)) seen.set(user.id, user as UserInfo);
  }
  return [...seen.values()];
}

function endReasonFor(state: CallState, lastLeave: LeaveReason): CallEndReason {
  if (state === 'incoming') return 'missed';
  if (state === 'outgoing') {
    return lastLeave === 'hangup' || lastLeave === 'connection-lost' ? 'cancelled' : (lastLeave as CallEndReason);
  }
  if (lastLeave === 'connection-lost' || lastLeave === 'cancelled') return lastLeave;
  return 'remote-hangup';
}

/** The Network Information API (Chromium): `change` when the device moves to another network. */
function networkInformation(): EventTarget | null {
  return (navigator as Navigator & { connection?: EventTarget }).connection ?? null;
}

function withTimeout<T>(promise: Promise<T>, ms: number): Promise<T> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  return Promise.race([
    promise,
    new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new Error(`no answer within ${ms} ms`)), ms);
    }),
  ]).finally(() => clearTimeout(timer));
}
