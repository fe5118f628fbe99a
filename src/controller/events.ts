import type { CallError } from './errors.js';
import type { DeviceChoice, DeviceKind, DeviceList, MediaDeviceOption } from './media/devices.js';
import type { DevicePreview } from './media/device-preview.js';
import type { CallHistoryEntry } from './history/history-entry.js';
import type { Call, CallEndReason, CallState, LeaveReason, Participant, ScreenShareEndReason, WaitingCall, WaitingEndReason } from './model.js';
import type { NetworkQuality } from './quality/network-quality.js';
import type { ConnectionStats } from './quality/stats.js';
import type { SignallingState } from './transport/signalling.js';

/**
 * Controller events also travel through the DOM (re-dispatched by elements), so they bubble and
 * cross shadow roots by default.
 */
const ROUTED: EventInit = { bubbles: true, composed: true };

export class CallStateChangeEvent extends Event {
  constructor(
    readonly state: CallState,
    readonly previousState: CallState,
    init: EventInit = ROUTED,
  ) {
    super('call-state-change', init);
  }
}

export class CallIncomingEvent extends Event {
  constructor(
    readonly call: Call,
    init: EventInit = ROUTED,
  ) {
    super('call-incoming', init);
  }
}

/** A remote participant answered and is now part of the call. */
export class CallParticipantJoinedEvent extends Event {
  constructor(
    readonly call: Call,
    readonly participant: Participant,
    init: EventInit = ROUTED,
  ) {
    super('call-participant-joined', init);
  }
}

/** A remote participant is no longer part of the call, ringing ones included. */
export class CallParticipantLeftEvent extends Event {
  constructor(
    readonly call: Call,
    readonly participant: Participant,
    readonly reason: LeaveReason,
    init: EventInit = ROUTED,
  ) {
    super('call-participant-left', init);
  }
}

/**
 * Anything about a participant changed (state, name, microphone, camera, stream), the local one
 * included, or a newly invited participant started ringing.
 */
export class CallParticipantChangeEvent extends Event {
  constructor(
    readonly call: Call,
    readonly participant: Participant,
    init: EventInit = ROUTED,
  ) {
    super('call-participant-change', init);
  }
}

/**
 * This page took up the call its previous page in the tab was in (a reload, a navigation back
 * within the grace): the controller is `active` again with `call.resumed` set, the devices as they
 * were, and it is rejoining every participant (each `connecting` until their connection is up).
 * No ring on either side.
 */
export class CallResumedEvent extends Event {
  constructor(
    readonly call: Call,
    init: EventInit = ROUTED,
  ) {
    super('call-resumed', init);
  }
}

export class CallEndedEvent extends Event {
  constructor(
    readonly call: Call,
    readonly reason: CallEndReason,
    init: EventInit = ROUTED,
  ) {
    super('call-ended', init);
  }
}

/**
 * A failure no caller awaits: a participant lost or unreachable, a malformed message, the server
 * gone, a camera that failed when a call started. A failing method rejects instead, and is reported
 * nowhere else; elements re-dispatch the failures of the actions they start. So each failure reaches
 * the page once.
 */
export class CallErrorEvent extends Event {
  constructor(
    readonly error: CallError,
    init: EventInit = ROUTED,
  ) {
    super('call-error', init);
  }
}

/** The link to the signalling server changed; a call in progress goes on without it. */
export class CallSignallingChangeEvent extends Event {
  constructor(
    readonly state: SignallingState,
    init: EventInit = ROUTED,
  ) {
    super('call-signalling-change', init);
  }
}

/**
 * The browser blocked (or let through again) the others' sound: it plays sound only after a user
 * gesture on the page. While `blocked`, offer a control that calls `resumeAudio()`.
 */
export class CallAudioPlaybackEvent extends Event {
  constructor(
    readonly blocked: boolean,
    init: EventInit = ROUTED,
  ) {
    super('call-audio-playback', init);
  }
}

/**
 * A call ended and its entry is in the history (`controller.history`): post "Missed call from Bob"
 * in a chat, or sync it to a server.
 */
export class CallHistoryAddEvent extends Event {
  constructor(
    readonly entry: CallHistoryEntry,
    init: EventInit = ROUTED,
  ) {
    super('call-history-add', init);
  }
}

/** The history changed other than by a new entry: cleared, pruned, calls seen, another user connected. */
export class CallHistoryChangeEvent extends Event {
  constructor(init: EventInit = ROUTED) {
    super('call-history-change', init);
  }
}

/** The number of missed calls the user has not seen changed (`controller.history.missedCount`). */
export class CallHistoryMissedChangeEvent extends Event {
  constructor(
    readonly count: number,
    init: EventInit = ROUTED,
  ) {
    super('call-history-missed-change', init);
  }
}

/**
 * The ringtone could not start (or starts again): the browser lets a page play sound only after the
 * user interacted with it. The next click or key press anywhere on the page starts it; meanwhile
 * the ring shows only (`<incoming-call>` says the sound is off).
 */
export class CallRingtonePlaybackEvent extends Event {
  constructor(
    readonly blocked: boolean,
    init: EventInit = ROUTED,
  ) {
    super('call-ringtone-playback', init);
  }
}

/**
 * The page's resolver named a user (or the page gave a name when ringing them): `profileOf(user)`
 * now says more than before. Elements re-render.
 */
export class CallProfileChangeEvent extends Event {
  constructor(
    readonly userId: string,
    init: EventInit = ROUTED,
  ) {
    super('call-profile-change', init);
  }
}

/**
 * Someone calls while we are in a call. It waits (see `waitingCall`) until `acceptWaiting()` (which
 * ends the current call), `declineWaiting()` (the caller hears busy), or the caller gives up.
 */
export class CallWaitingEvent extends Event {
  constructor(
    readonly waitingCall: WaitingCall,
    init: EventInit = ROUTED,
  ) {
    super('call-waiting', init);
  }
}

/** The waiting call stopped waiting; `reason` says how. */
export class CallWaitingEndedEvent extends Event {
  constructor(
    readonly waitingCall: WaitingCall,
    readonly reason: WaitingEndReason,
    init: EventInit = ROUTED,
  ) {
    super('call-waiting-ended', init);
  }
}

/**
 * A participant's network quality changed (`participant.networkQuality`); for the local participant
 * it is our own uplink. Levels are steadied: they move after a few seconds, not on every sample.
 */
export class CallQualityChangeEvent extends Event {
  constructor(
    readonly call: Call,
    readonly participant: Participant,
    readonly quality: NetworkQuality,
    init: EventInit = ROUTED,
  ) {
    super('call-quality-change', init);
  }
}

/**
 * A participant (the local one included) started or stopped speaking (`participant.speaking`).
 * Steadied: on after about a quarter of a second of voice, off after a second of silence, off at
 * once when they mute.
 */
export class CallSpeakingChangeEvent extends Event {
  constructor(
    readonly call: Call,
    readonly participant: Participant,
    readonly speaking: boolean,
    init: EventInit = ROUTED,
  ) {
    super('call-speaking-change', init);
  }
}

/** The remote participant a speaker layout shows large changed (`call.activeSpeakerId`); null when they left. */
export class CallActiveSpeakerChangeEvent extends Event {
  constructor(
    readonly call: Call,
    readonly participant: Participant | null,
    init: EventInit = ROUTED,
  ) {
    super('call-active-speaker-change', init);
  }
}

/**
 * A new sample of the connection with one participant (every second while the call is active),
 * as `controller.statsOf(participant.id)` now returns it: for a stats overlay or a page's own figures.
 */
export class CallStatsEvent extends Event {
  constructor(
    readonly call: Call,
    readonly participant: Participant,
    readonly stats: ConnectionStats,
    init: EventInit = ROUTED,
  ) {
    super('call-stats', init);
  }
}

/**
 * Our screen share stopped by itself: the browser's "stop sharing" control (`ended`), or another
 * participant started presenting (`taken-over`, `by` them). Stopping it with
 * `setScreenShareEnabled(false)` dispatches nothing but the local participant's change.
 */
export class CallScreenShareEndedEvent extends Event {
  constructor(
    readonly call: Call,
    readonly reason: ScreenShareEndReason,
    /** Who took over, for `taken-over`. */
    readonly by: Participant | null,
    init: EventInit = ROUTED,
  ) {
    super('call-screen-share-ended', init);
  }
}

/**
 * The devices on offer changed (one was plugged in or out, or names appeared once a permission was
 * granted), or the device chosen or in use of some kind did.
 */
export class CallDevicesChangeEvent extends Event {
  constructor(
    readonly devices: DeviceList,
    readonly selected: DeviceChoice,
    init: EventInit = ROUTED,
  ) {
    super('call-devices-change', init);
  }
}

/**
 * Why a device other than the one wanted is in use: `lost`, the device in use stopped (unplugged,
 * or taken by the system) and another of its kind took over; `unavailable`, the remembered choice
 * is not there, so the default was used. Tell the user: they hear or are seen through another device.
 */
export type DeviceFallbackReason = 'lost' | 'unavailable';

/** A device of that kind was replaced by another (`device`, null when none could be started). */
export class CallDeviceFallbackEvent extends Event {
  constructor(
    readonly kind: DeviceKind,
    readonly reason: DeviceFallbackReason,
    /** The device that was wanted: the one lost, or the remembered one. */
    readonly wantedDeviceId: string | null,
    readonly device: MediaDeviceOption | null,
    init: EventInit = ROUTED,
  ) {
    super('call-device-fallback', init);
  }
}

/** The pre-call preview opened, changed (camera, device) or closed (`preview` null: stopped, or taken over by a call). */
export class CallPreviewChangeEvent extends Event {
  constructor(
    readonly preview: DevicePreview | null,
    init: EventInit = ROUTED,
  ) {
    super('call-preview-change', init);
  }
}

/**
 * A device of the current call became unavailable (refused or missing when the call started, or
 * refused when turned on: `error` says why) or available again (the permission was granted in the
 * browser's settings, or the device opened; `error` null). An unavailable microphone leaves the call
 * receive-only: the others are heard and seen, and hear nothing of us.
 */
export class CallDeviceAvailabilityEvent extends Event {
  constructor(
    readonly device: 'microphone' | 'camera',
    readonly available: boolean,
    readonly error: CallError | null,
    init: EventInit = ROUTED,
  ) {
    super('call-device-availability', init);
  }
}

export interface CallControllerEventMap {
  'call-device-availability': CallDeviceAvailabilityEvent;
  'call-preview-change': CallPreviewChangeEvent;
  'call-devices-change': CallDevicesChangeEvent;
  'call-device-fallback': CallDeviceFallbackEvent;
  'call-state-change': CallStateChangeEvent;
  'call-incoming': CallIncomingEvent;
  'call-participant-joined': CallParticipantJoinedEvent;
  'call-participant-left': CallParticipantLeftEvent;
  'call-participant-change': CallParticipantChangeEvent;
  'call-ended': CallEndedEvent;
  'call-resumed': CallResumedEvent;
  'call-error': CallErrorEvent;
  'call-signalling-change': CallSignallingChangeEvent;
  'call-audio-playback': CallAudioPlaybackEvent;
  'call-history-add': CallHistoryAddEvent;
  'call-history-change': CallHistoryChangeEvent;
  'call-history-missed-change': CallHistoryMissedChangeEvent;
  'call-ringtone-playback': CallRingtonePlaybackEvent;
  'call-profile-change': CallProfileChangeEvent;
  'call-waiting': CallWaitingEvent;
  'call-waiting-ended': CallWaitingEndedEvent;
  'call-quality-change': CallQualityChangeEvent;
  'call-screen-share-ended': CallScreenShareEndedEvent;
  'call-speaking-change': CallSpeakingChangeEvent;
  'call-active-speaker-change': CallActiveSpeakerChangeEvent;
  'call-stats': CallStatsEvent;
}
