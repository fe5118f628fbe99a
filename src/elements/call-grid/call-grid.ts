import { html, nothing, svg, type TemplateResult } from 'lit';
import { property, state } from 'lit/decorators.js';
import { classMap } from 'lit/directives/class-map.js';
import { live } from 'lit/directives/live.js';
import { repeat } from 'lit/directives/repeat.js';
import { styleMap } from 'lit/directives/style-map.js';
import type { CallControllerEventMap, ConnectionStats, NetworkQuality, Participant } from '../../controller/index.js';
import { CallElement, CONTROLLER_EVENTS } from '../call-element.js';
import { avatarColorOf, initialsOf } from '../shared/avatar.js';
import { cameraOffIcon, microphoneOffIcon } from '../shared/icons.js';
import { joinedCall } from '../shared/in-call.js';
import { CallGridPinEvent } from './call-grid.events.js';
import styles, { layoutStyles } from './call-grid.styles.js';
import { exitFullscreenIcon, fullscreenIcon, pinIcon, speakingIcon } from './grid-icons.js';
import { presenterOf, renderStage } from './presenter.js';
import presenterStyles from './presenter.styles.js';

export * from './call-grid.events.js';

/**
 * How the grid lays out the call: `presenter` while someone shares a screen; `cards` while nobody's
 * camera is on (a voice call: compact cards, no empty video frames); `pip` for two people, the
 * other (or the pinned one) large and the other small in a corner; `spotlight` for a group with
 * someone pinned, large above a strip of the others; `speaker` for a group with the `speaker`
 * layout chosen and nobody pinned, the active speaker large above the strip; `grid` otherwise.
 */
export type CallGridLayout = 'grid' | 'pip' | 'spotlight' | 'speaker' | 'cards' | 'presenter';

/** What the page asks of a group video call: `auto`, a grid of equals; `speaker`, whoever speaks large. */
export type CallGridLayoutChoice = 'auto' | 'speaker';

const STATUS_TEXT: Partial<Record<Participant['state'], string>> = {
  ringing: 'Ringing…',
  connecting: 'Connecting…',
};

/** Columns for `count` tiles: 1 → 1, 2 → 2, 3-4 → 2x2, 5-6 → 3x2, 7-9 → 3x3. */
function columnsFor(count: number): number {
  if (count <= 1) return 1;
  if (count <= 4) return 2;
  return 3;
}

/** Columns on a narrow (phone-sized) host: two tiles stack, more go two abreast. */
function narrowColumnsFor(count: number): number {
  return count <= 2 ? 1 : 2;
}

/**
 * Where the incomplete last row of `count` tiles in `columns` columns starts, so that it is centred:
 * the index of its first tile and the grid line (of the 2 × `columns` half-width tracks) it starts at.
 * Undefined when the last row is full.
 */
function lastRowStart(count: number, columns: number): { index: number; line: number } | undefined {
  const rest = count % columns;
  if (rest === 0) return undefined;
  return { index: count - rest, line: columns - rest + 1 };
}

/** What the bars say to a screen reader, and how many of three are lit. */
const QUALITY: Record<NetworkQuality, { text: string; bars: number }> = {
  excellent: { text: 'excellent', bars: 3 },
  good: { text: 'good', bars: 2 },
  poor: { text: 'poor', bars: 1 },
  lost: { text: 'lost', bars: 0 },
};

function showsVideo(participant: Participant): boolean {
  return (
    participant.cameraEnabled &&
    !participant.videoPaused &&
    (participant.stream?.getVideoTracks().some((track) => track.readyState === 'live') ?? false)
  );
}

function layoutOf(participants: Participant[], presenting: boolean, pinned: Participant | undefined, choice: CallGridLayoutChoice): CallGridLayout {
  if (presenting) return 'presenter';
  if (!participants.some((participant) => participant.cameraEnabled)) return 'cards';
  if (participants.length === 2) return 'pip';
  if (pinned) return 'spotlight';
  return choice === 'speaker' ? 'speaker' : 'grid';
}

const kbps = (bitsPerSecond: number) =>
  bitsPerSecond >= 1_000_000 ? `${(bitsPerSecond / 1_000_000).toFixed(1)} Mbit/s` : `${Math.round(bitsPerSecond / 1000)} kbit/s`;

/** The overlay's rows: what we receive from them, and the link; a row with nothing measured is left out. */
function statsRows(stats: ConnectionStats): Array<[string, string]> {
  const rows: Array<[string, string | null]> = [
    ['Resolution', stats.receivedVideo ? `${stats.receivedVideo.width}×${stats.receivedVideo.height}` : null],
    ['Frame rate', stats.receivedVideo?.framesPerSecond != null ? `${Math.round(stats.receivedVideo.framesPerSecond)} fps` : null],
    ['Bitrate', kbps(stats.receiveBitrate)],
    ['Round trip', stats.rttMs !== null ? `${Math.round(stats.rttMs)} ms` : null],
    ['Loss', `${(stats.lossRatio * 100).toFixed(1)} %`],
    ['Codec', stats.videoCodec ? stats.videoCodec.replace(/^video\//, '') : null],
  ];
  return rows.filter((row): row is [string, string] => row[1] !== null);
}

/** Whether this browser can show an element full screen (iPhone Safari cannot). */
const fullscreenAvailable = () => typeof Element.prototype.requestFullscreen === 'function' && document.fullscreenEnabled;

/**
 * @tag call-grid
 * @summary Shows everyone in the current call, laid out as call apps do. Their audio is played by the
 * controller, with or without a grid.
 *
 * Layouts (the base part's `data-layout`): a voice call (nobody's camera on) as compact cards, each
 * with the person's picture or initials, name and microphone state (`cards`); two people with video
 * as the other person large and oneself small in a corner, muted and mirrored (`pip`); a group as a
 * grid of tiles (`grid`), or, with someone pinned, that person large above a strip of the others
 * (`spotlight`). While someone shares a screen, the presenter layout (`presenter`): their screen
 * large, with "Alice is presenting" (or "You are presenting"), and everyone's tile in a strip below
 * it. Tiles keep their `<video>` elements across layouts.
 *
 * With `layout="speaker"`, a group video call shows the active speaker large above a strip of the
 * others (`speaker`): the remote participant who speaks or spoke last, changed only once a new
 * speaker has spoken 1.5 s and at most every 2 s (the controller's `call.activeSpeakerId`); until
 * someone has spoken, the first of the others. A pin wins over the speaker, a shared screen over both.
 *
 * Whoever speaks (oneself included) has a ring around their tile or card and a "Speaking" icon by
 * their name; muted people never do. With `show-stats`, each remote tile shows its connection's
 * figures over the video (resolution, frame rate, bitrate, round trip, loss, codec), refreshed at
 * every sample (each second).
 *
 * Each video tile has a pin button (`aria-pressed`): pinning shows that person large (in a call of
 * two, the pinned one takes the large place, oneself included). A full-screen button shows the grid
 * full screen, in every layout but a voice call's cards; it is absent where the browser has no
 * Fullscreen API (iPhone Safari).
 *
 * @event {CallGridPinEvent} call-grid-pin - The user pressed a pin button (`participantId`, null to
 * unpin). Cancel it to keep `pinned` as it is.
 *
 * @slot empty - Shown when there is no call to show (no call, or a call still ringing us).
 *
 * @csspart base - The grid (`role="list"`); a strip of tiles while someone presents.
 * @csspart stage - The presenter layout's large area (a `<figure>` labelled "Alice is presenting").
 * @csspart screen - The shared screen's `<video>` in the stage.
 * @csspart presenter - The stage's caption, "Alice is presenting".
 * @csspart enable-sound - Shown while the browser blocks the call's sound until the user interacts: a click plays it.
 * @csspart tile - Each participant's tile (`role="listitem"`); also `tile-speaking` while they speak.
 * @csspart speaking - The "Speaking" indicator by the name (`role="img"`), shown while they speak.
 * @csspart stats - The stats overlay of a remote tile with `show-stats` (a `<dl>`).
 * @csspart video - Each tile's `<video>`; the local one is muted and mirrored.
 * @csspart name - The participant's name.
 * @csspart mic-off - The indicator shown while a participant's microphone is off (`role="img"`, "Microphone off"): white on red.
 * @csspart camera-off - The indicator shown on a video layout's tile while that camera is off (`role="img"`, "Camera off").
 * @csspart pin - Each video tile's pin button (`aria-pressed`, labelled "Pin Alice" or "Unpin Alice").
 * @csspart fullscreen - The full-screen button (`aria-pressed` while full screen); absent without the Fullscreen API.
 * @csspart placeholder - Shown instead of the video while the camera is off: the person's picture (from the page's
 * resolver) or initials on a coloured circle.
 * @csspart avatar-image - The picture in the placeholder, when the page's resolver gave one.
 * @csspart status - The "Ringing…" or "Connecting…" overlay.
 * @csspart network-quality - Each tile's network-quality indicator (`role="img"`, labelled "Network: good", …): three
 * bars, as many lit as the level allows; on the local tile it is the user's own uplink. Also carries
 * `network-quality-excellent`, `-good`, `-poor` or `-lost`. Absent until the call has been measured.
 * @csspart video-paused - Shown instead of the video while the participant paused their camera for a poor connection.
 *
 * @cssproperty [--meshcall-grid-gap=0.5rem] - Space between tiles.
 * @cssproperty [--meshcall-tile-background=#1f2430] - Tile background, also behind the placeholder.
 * @cssproperty [--meshcall-tile-radius=0.75rem] - Tile corner radius.
 * @cssproperty [--meshcall-tile-aspect-ratio=16 / 9] - Tile aspect ratio; `auto` lets tiles fill a host with a set height.
 * @cssproperty [--meshcall-tile-text-color=#ffffff] - Colour of the name and status text.
 * @cssproperty [--meshcall-tile-label-background=rgb(0 0 0 / 0.6)] - Background of the name label.
 * @cssproperty [--meshcall-avatar-size=clamp(1.75rem, 40cqmin, 7rem)] - Diameter of the placeholder's initials circle.
 * @cssproperty [--meshcall-mic-off-color=#ffffff] - Colour of the microphone-off icon.
 * @cssproperty [--meshcall-mic-off-background=#c62828] - Background of the microphone-off icon.
 * @cssproperty [--meshcall-camera-off-color=#ffffff] - Colour of the camera-off icon.
 * @cssproperty [--meshcall-camera-off-background=#4b5563] - Background of the camera-off icon.
 * @cssproperty [--meshcall-pip-width=clamp(6.5rem, 26%, 16rem)] - Width of one's own tile in the corner of a call of two.
 * @cssproperty [--meshcall-card-width=11rem] - Width of each card in a voice call.
 * @cssproperty [--meshcall-enable-sound-background=#f9a825] - Background of the "enable sound" button.
 * @cssproperty [--meshcall-enable-sound-color=#1a1a1a] - Text colour of the "enable sound" button.
 * @cssproperty [--meshcall-quality-good-color=#66bb6a] - Lit bars of an excellent or good connection.
 * @cssproperty [--meshcall-quality-poor-color=#ffa726] - Lit bar of a poor connection.
 * @cssproperty [--meshcall-quality-lost-color=#ef5350] - Bars of a lost connection.
 * @cssproperty [--meshcall-quality-unlit-color=rgb(255 255 255 / 0.35)] - Bars a level does not light.
 * @cssproperty [--meshcall-stage-background=#000000] - Behind the shared screen, around its letterbox.
 * @cssproperty [--meshcall-stage-aspect-ratio=16 / 9] - The stage's shape; `auto` lets it fill a host with a set height.
 * @cssproperty [--meshcall-stage-max-height=65vh] - How tall the stage may grow (it is then at most 16:9 as wide, centred); `none` with a set host height.
 * @cssproperty [--meshcall-strip-tile-width=11rem] - Width of each tile in the presenter layout's strip.
 * @cssproperty [--meshcall-speaking-color=#4ade80] - The ring around a speaker's tile and their "Speaking" icon.
 * @cssproperty [--meshcall-speaking-ring-width=3px] - Width of that ring.
 * @cssproperty [--meshcall-stats-background=rgb(0 0 0 / 0.7)] - Behind the stats overlay.
 */
export class CallGrid extends CallElement {
  static override styles = [styles, presenterStyles, layoutStyles];

  /**
   * The id of the participant shown large (reflected as `pinned`); ignored while that participant is
   * not in the call. Set by the pin buttons, or by the page (which gets no `call-grid-pin` for it).
   */
  @property({ reflect: true }) pinned: string | null = null;

  /** `speaker` shows a group video call's active speaker large (reflected as `layout`). */
  @property({ reflect: true }) layout: CallGridLayoutChoice = 'auto';

  /** Shows each remote tile's connection figures over its video (reflected as `show-stats`). */
  @property({ type: Boolean, reflect: true, attribute: 'show-stats' }) showStats = false;

  @state() private fullscreen = false;

  protected static override readonly controllerEvents: ReadonlyArray<keyof CallControllerEventMap> = [...CONTROLLER_EVENTS, 'call-stats'];

  /** A new sample only matters to an overlay on show. */
  protected override wantsUpdate(event: Event): boolean {
    return event.type !== 'call-stats' || this.showStats;
  }

  override render() {
    const call = joinedCall(this.controller);
    if (!call) return html`<slot name="empty"></slot>`;
    const participants = [
      call.local,
      ...[...call.participants.values()].filter((participant) => participant.state !== 'left'),
    ];
    const count = participants.length;
    const columns = columnsFor(count);
    const narrowColumns = narrowColumnsFor(count);
    const columnsStyle = { '--columns': String(columns), '--narrow-columns': String(narrowColumns) };
    // An incomplete last row is centred: its first tile starts at a set grid line, the others follow.
    const start = lastRowStart(count, columns);
    const narrowStart = lastRowStart(count, narrowColumns);
    const startAt = (index: number, at: typeof start) => (at?.index === index ? String(at.line) : 'auto');
    const presenter = presenterOf(call);
    const pinned = participants.find((participant) => participant.id === this.pinned);
    const layout = layoutOf(participants, presenter !== null, pinned, this.layout);
    const speaker = participants.find((participant) => !participant.isLocal && participant.id === call.activeSpeakerId) ?? participants[1];
    const large =
      layout === 'pip' ? (pinned ?? participants[1]) : layout === 'spotlight' ? pinned : layout === 'speaker' ? speaker : undefined;
    const pins = layout === 'grid' || layout === 'pip' || layout === 'spotlight' || layout === 'speaker';
    // Over the top-left tile, or in the stage's corner while someone presents (clear of its caption).
    const fullscreen = layout === 'cards' || !fullscreenAvailable() ? nothing : this.#renderFullscreenButton();
    return html`
      ${this.controller.audioBlocked
        ? html`<button part="enable-sound" class="enable-sound" type="button" @click=${this.#enableSound}>
            The browser muted the call: enable sound
          </button>`
        : nothing}
      ${presenter ? nothing : fullscreen}
      <div class=${classMap({ layout: true, 'layout--presenting': presenter !== null })}>
      ${presenter ? renderStage(this.controller, presenter, fullscreen) : nothing}
      <div
        part="base"
        class=${classMap({ grid: true, [`grid--${layout}`]: true, 'grid--strip': presenter !== null, 'grid--stage': layout === 'spotlight' || layout === 'speaker' })}
        data-layout=${layout}
        role="list"
        aria-label="Call participants"
        style=${styleMap(columnsStyle)}
      >
        ${repeat(
          participants,
          (participant) => participant.id,
          (participant, index) =>
            this.#renderTile(
              participant,
              {
                '--column-start': startAt(index, start),
                '--narrow-column-start': startAt(index, narrowStart),
              },
              { large: participant === large, small: layout === 'pip' && participant !== large, pin: pins },
            ),
        )}
      </div>
      </div>
    `;
  }

  /**
   * A video taken off the page is paused by the browser and stays paused when put back (autoplay
   * acts only on load): a grid moved by a single-page app's router resumes its tiles itself.
   */
  override connectedCallback(): void {
    super.connectedCallback();
    document.addEventListener('fullscreenchange', this.#onFullscreenChange);
    void this.updateComplete.then(() => {
      for (const video of this.renderRoot.querySelectorAll('video')) {
        if (video.paused && video.srcObject) video.play().catch(() => undefined);
      }
    });
  }

  override disconnectedCallback(): void {
    super.disconnectedCallback();
    document.removeEventListener('fullscreenchange', this.#onFullscreenChange);
  }

  #onFullscreenChange = (): void => {
    this.fullscreen = document.fullscreenElement === this;
  };

  #toggleFullscreen = (): void => {
    if (document.fullscreenElement === this) void document.exitFullscreen().catch(() => undefined);
    // Refused without a user gesture or by a permissions policy: the grid just stays as it is.
    else void this.requestFullscreen().catch(() => undefined);
  };

  #renderFullscreenButton(): TemplateResult {
    const label = this.fullscreen ? 'Exit full screen' : 'Full screen';
    return html`<button part="fullscreen" class="fullscreen" type="button" aria-pressed=${this.fullscreen ? 'true' : 'false'} aria-label="Full screen" title=${label} @click=${this.#toggleFullscreen}>
      <svg viewBox="0 0 24 24" aria-hidden="true" focusable="false">${this.fullscreen ? exitFullscreenIcon : fullscreenIcon}</svg>
    </button>`;
  }

  #togglePin(participant: Participant): void {
    const next = this.pinned === participant.id ? null : participant.id;
    const request = new CallGridPinEvent(next);
    if (!this.dispatchEvent(request)) return;
    this.pinned = next;
  }

  #renderPin(participant: Participant, name: string): TemplateResult {
    const pinned = this.pinned === participant.id;
    const label = `${pinned ? 'Unpin' : 'Pin'} ${participant.isLocal ? 'yourself' : name}`;
    return html`<button part="pin" class="pin" type="button" aria-pressed=${pinned ? 'true' : 'false'} aria-label=${`Pin ${participant.isLocal ? 'yourself' : name}`} title=${label} @click=${() => this.#togglePin(participant)}>
      <svg viewBox="0 0 24 24" aria-hidden="true" focusable="false">${pinIcon}</svg>
    </button>`;
  }

  #enableSound = (): void => {
    void this.controller.resumeAudio();
  };

  #renderQuality(participant: Participant): TemplateResult | typeof nothing {
    const level = participant.networkQuality;
    if (!level || participant.state === 'ringing') return nothing;
    const { text, bars } = QUALITY[level];
    const label = participant.isLocal ? `Your network: ${text}` : `Network: ${text}`;
    return html`<span part="network-quality network-quality-${level}" class="quality quality--${level}" role="img" aria-label=${label} title=${label}
      ><svg viewBox="0 0 12 12" aria-hidden="true" focusable="false">
        ${[0, 1, 2].map(
          (bar) => svg`<rect class=${bar < bars ? 'bar bar--lit' : 'bar'} x=${bar * 4.5} y=${8 - bar * 3.5} width="3" height=${4 + bar * 3.5} rx="0.75"></rect>`,
        )}
      </svg></span
    >`;
  }

  #renderStats(participant: Participant): TemplateResult | typeof nothing {
    if (!this.showStats || participant.isLocal || participant.state !== 'connected') return nothing;
    const stats = this.controller.statsOf(participant.id);
    if (!stats) return nothing;
    return html`<dl part="stats" class="stats" aria-label=${`Connection with ${this.controller.profileOf(participant).name}`}>
      ${statsRows(stats).map(([term, value]) => html`<div class="stats-row"><dt>${term}</dt><dd>${value}</dd></div>`)}
    </dl>`;
  }

  #renderTile(
    participant: Participant,
    placement: Record<string, string>,
    role: { large: boolean; small: boolean; pin: boolean },
  ): TemplateResult {
    const profile = this.controller.profileOf(participant);
    const name = participant.isLocal ? `${profile.name} (you)` : profile.name;
    const hasVideo = showsVideo(participant);
    const status = participant.isLocal ? undefined : participant.reconnecting || participant.away ? 'Reconnecting…' : STATUS_TEXT[participant.state];
    const speaking = participant.speaking && participant.microphoneEnabled;
    // Every video is muted: the controller plays the remote audio itself, whether or not a grid is
    // on the page and whatever the cameras do (a video with no frames never plays its sound).
    // Lit re-assigns object values on every render, and assigning srcObject (even the same stream)
    // restarts loading: `live` assigns only when the element's stream really differs.
    return html`
      <div
        part=${speaking ? 'tile tile-speaking' : 'tile'}
        class=${classMap({ tile: true, 'tile--large': role.large, 'tile--small': role.small, 'tile--speaking': speaking })}
        role="listitem"
        aria-label=${speaking ? `${name}, speaking` : name}
        data-participant-id=${participant.id}
        ?data-speaking=${speaking}
        style=${styleMap(placement)}
      >
        <video
          part="video"
          class=${classMap({ video: true, 'video--mirrored': participant.isLocal, 'video--covered': !hasVideo })}
          aria-hidden="true"
          autoplay
          playsinline
          muted
          .muted=${true}
          .srcObject=${live(participant.stream)}
        ></video>
        ${hasVideo
          ? nothing
          : html`<div part="placeholder" class="placeholder">
              ${profile.avatarUrl
                ? html`<img part="avatar-image" class="avatar avatar--image" src=${profile.avatarUrl} alt="" />`
                : html`<span class="avatar" aria-hidden="true" style=${styleMap({ '--avatar-color': avatarColorOf(participant.id) })}
                    >${initialsOf(profile.name)}</span
                  >`}
            </div>`}
        ${status ? html`<div part="status" class="status">${status}</div>` : nothing}
        ${!status && participant.videoPaused && participant.cameraEnabled
          ? html`<div part="video-paused" class="video-paused">Video paused: poor connection</div>`
          : nothing}
        ${this.#renderStats(participant)}
        <div class="label">
          ${this.#renderQuality(participant)}
          <span part="name" class="name">${name}</span>
          ${speaking
            ? html`<span part="speaking" class="indicator speaking" role="img" aria-label="Speaking" title="Speaking"
                ><svg viewBox="0 0 24 24" aria-hidden="true" focusable="false">${speakingIcon}</svg></span
              >`
            : nothing}
          ${participant.microphoneEnabled
            ? nothing
            : html`<span part="mic-off" class="indicator mic-off" role="img" aria-label="Microphone off" title="Microphone off"
                ><svg viewBox="0 0 24 24" aria-hidden="true" focusable="false">${microphoneOffIcon}</svg></span
              >`}
          ${participant.cameraEnabled || !role.pin
            ? nothing
            : html`<span part="camera-off" class="indicator camera-off" role="img" aria-label="Camera off" title="Camera off"
                ><svg viewBox="0 0 24 24" aria-hidden="true" focusable="false">${cameraOffIcon}</svg></span
              >`}
        </div>
        ${role.pin ? this.#renderPin(participant, profile.name) : nothing}
      </div>
    `;
  }
}
