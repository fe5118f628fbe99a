import { css } from 'lit';

// Custom properties are only read, with their defaults, never set here: a value the page sets on
// any ancestor (`:root` included) then reaches them. These two are read in several rules.
const tileBackground = css`var(--meshcall-tile-background, #1f2430)`;
const avatarSize = css`var(--meshcall-avatar-size, clamp(1.75rem, 40cqmin, 7rem))`;

export default css`
  :host {
    display: block;
    container-type: inline-size;
    font-family: system-ui, -apple-system, 'Segoe UI', Roboto, sans-serif;
  }

  :host([hidden]) {
    display: none;
  }

  /*
   * The column count comes from the number of tiles (set inline); narrow hosts use fewer. Each
   * column is two half-width tracks and each tile spans two, so that an incomplete last row can
   * start half a column in: its first tile starts at the line the element sets inline
   * (--column-start, or --narrow-column-start on a narrow host; auto for every other tile) and the
   * rest of the row follows it, centred.
   */
  .grid {
    display: grid;
    grid-template-columns: repeat(calc(2 * var(--columns, 1)), minmax(0, 1fr));
    grid-auto-rows: 1fr;
    gap: var(--meshcall-grid-gap, 0.5rem);
    align-content: center;
    height: 100%;
  }

  .tile {
    grid-column: var(--column-start, auto) / span 2;
  }

  @container (max-width: 30rem) {
    .grid {
      grid-template-columns: repeat(calc(2 * var(--narrow-columns, 1)), minmax(0, 1fr));
    }

    .tile {
      grid-column: var(--narrow-column-start, auto) / span 2;
    }
  }

  .tile {
    /* Lets the placeholder's circle scale with the tile. */
    container-type: size;
    position: relative;
    overflow: hidden;
    aspect-ratio: var(--meshcall-tile-aspect-ratio, 16 / 9);
    min-height: 0;
    border-radius: var(--meshcall-tile-radius, 0.75rem);
    background: ${tileBackground};
    color: var(--meshcall-tile-text-color, #ffffff);
  }

  .video {
    display: block;
    width: 100%;
    height: 100%;
    object-fit: cover;
    background: ${tileBackground};
  }

  .video--mirrored {
    transform: scaleX(-1);
  }

  /*
   * Hidden, not removed: a remote participant's <video> also plays their audio, and must keep
   * playing while their camera is off.
   */
  .video--covered {
    visibility: hidden;
  }

  .placeholder {
    position: absolute;
    inset: 0;
    display: flex;
    align-items: center;
    justify-content: center;
    /* Keeps the circle clear of the name label. */
    padding-bottom: 1.5rem;
    background: ${tileBackground};
  }

  .avatar {
    display: flex;
    align-items: center;
    justify-content: center;
    width: ${avatarSize};
    aspect-ratio: 1;
    border-radius: 50%;
    background: var(--avatar-color);
    color: #ffffff;
    font-size: calc(${avatarSize} * 0.4);
    font-weight: 600;
    letter-spacing: 0.02em;
    user-select: none;
  }

  .avatar--image {
    display: block;
    object-fit: cover;
  }

  .label {
    position: absolute;
    left: 0.5rem;
    bottom: 0.5rem;
    max-width: calc(100% - 1rem);
    display: flex;
    align-items: center;
    gap: 0.375rem;
    padding: 0.25rem 0.5rem;
    border-radius: 0.375rem;
    background: var(--meshcall-tile-label-background, rgb(0 0 0 / 0.6));
    font-size: 0.875rem;
    line-height: 1.25;
  }

  .name {
    overflow: hidden;
    text-overflow: ellipsis;
    white-space: nowrap;
  }

  .mic-off {
    flex: none;
    display: inline-flex;
    align-items: center;
    justify-content: center;
    width: 1.25rem;
    height: 1.25rem;
    border-radius: 50%;
    background: var(--meshcall-mic-off-background, #c62828);
    color: var(--meshcall-mic-off-color, #ffffff);
  }

  .mic-off svg {
    width: 0.875rem;
    height: 0.875rem;
  }

  .quality {
    flex: none;
    display: inline-flex;
    width: 0.875rem;
    height: 0.875rem;
  }

  .quality svg {
    width: 100%;
    height: 100%;
  }

  .bar {
    fill: var(--meshcall-quality-unlit-color, rgb(255 255 255 / 0.35));
  }

  .quality--excellent .bar--lit,
  .quality--good .bar--lit {
    fill: var(--meshcall-quality-good-color, #66bb6a);
  }

  .quality--poor .bar--lit {
    fill: var(--meshcall-quality-poor-color, #ffa726);
  }

  .quality--lost .bar {
    fill: var(--meshcall-quality-lost-color, #ef5350);
  }

  /*
   * The speaker's ring, drawn over the video (an inset shadow on the tile itself would be under it),
   * faded in and out so that a quick change does not flash.
   */
  .tile::after {
    content: '';
    position: absolute;
    inset: 0;
    z-index: 1;
    border-radius: inherit;
    box-shadow: inset 0 0 0 var(--meshcall-speaking-ring-width, 3px) var(--meshcall-speaking-color, #4ade80);
    opacity: 0;
    transition: opacity 150ms ease-out;
    pointer-events: none;
  }

  .tile--speaking::after {
    opacity: 1;
  }

  @media (prefers-reduced-motion: reduce) {
    .tile::after {
      transition: none;
    }
  }

  .speaking {
    flex: none;
    display: inline-flex;
    width: 1rem;
    height: 1rem;
    color: var(--meshcall-speaking-color, #4ade80);
  }

  .speaking svg {
    width: 100%;
    height: 100%;
  }

  /* Figures over the video: small, tabular, on a dark plate that keeps them readable over any picture. */
  .stats {
    position: absolute;
    top: 0.5rem;
    left: 0.5rem;
    z-index: 1;
    margin: 0;
    padding: 0.375rem 0.5rem;
    border-radius: 0.375rem;
    background: var(--meshcall-stats-background, rgb(0 0 0 / 0.7));
    font-size: 0.75rem;
    line-height: 1.35;
    font-variant-numeric: tabular-nums;
    max-width: calc(100% - 3.5rem);
  }

  .stats-row {
    display: flex;
    gap: 0.5rem;
    justify-content: space-between;
  }

  .stats dt {
    opacity: 0.75;
  }

  .stats dd {
    margin: 0;
    white-space: nowrap;
  }

  .video-paused {
    position: absolute;
    inset-inline: 0;
    top: 0;
    padding: 0.5rem 0.75rem;
    background: rgb(0 0 0 / 0.55);
    font-size: 0.875rem;
    text-align: center;
  }

  .status {
    position: absolute;
    inset: 0;
    display: flex;
    justify-content: center;
    /* At the top, clear of the placeholder's initials. */
    align-items: flex-start;
    padding-top: 0.75rem;
    background: rgb(0 0 0 / 0.45);
    font-size: 1rem;
    font-weight: 600;
    animation: pulse 1.6s ease-in-out infinite;
  }

  @keyframes pulse {
    50% {
      opacity: 0.65;
    }
  }

  @media (prefers-reduced-motion: reduce) {
    .status {
      animation: none;
    }
  }

  .enable-sound {
    display: block;
    width: 100%;
    margin-block-end: var(--meshcall-grid-gap, 0.5rem);
    padding: 0.6rem 1rem;
    border: none;
    border-radius: var(--meshcall-tile-radius, 0.75rem);
    background: var(--meshcall-enable-sound-background, #f9a825);
    color: var(--meshcall-enable-sound-color, #1a1a1a);
    font: inherit;
    font-weight: 600;
    cursor: pointer;
  }

  .enable-sound:focus-visible {
    outline: 2px solid currentColor;
    outline-offset: 2px;
  }
`;

export const layoutStyles = css`
  :host {
    position: relative;
  }

  :host(:fullscreen) {
    display: flex;
    flex-direction: column;
    justify-content: center;
    padding: 1rem;
    background: var(--meshcall-stage-background, #000000);
  }

  /* The icon indicators share one shape; mic-off is set apart by colour, camera-off is quieter. */
  .indicator {
    flex: none;
    display: inline-flex;
    align-items: center;
    justify-content: center;
    width: 1.375rem;
    height: 1.375rem;
    border-radius: 50%;
  }

  .indicator svg {
    width: 0.875rem;
    height: 0.875rem;
  }

  .camera-off {
    background: var(--meshcall-camera-off-background, #4b5563);
    color: var(--meshcall-camera-off-color, #ffffff);
  }

  .pin,
  .fullscreen {
    display: inline-flex;
    align-items: center;
    justify-content: center;
    width: 2rem;
    height: 2rem;
    padding: 0;
    border: none;
    border-radius: 50%;
    background: var(--meshcall-tile-label-background, rgb(0 0 0 / 0.6));
    color: var(--meshcall-tile-text-color, #ffffff);
    cursor: pointer;
  }

  .pin svg,
  .fullscreen svg {
    width: 1.125rem;
    height: 1.125rem;
  }

  .pin {
    position: absolute;
    top: 0.5rem;
    right: 0.5rem;
    z-index: 1;
  }

  .pin[aria-pressed='true'] {
    background: #ffffff;
    color: #1f2430;
  }

  .pin:focus-visible,
  .fullscreen:focus-visible {
    outline: 2px solid #ffffff;
    outline-offset: 2px;
  }

  .fullscreen {
    position: absolute;
    top: 0.5rem;
    left: 0.5rem;
    z-index: 2;
  }

  .stage .fullscreen {
    left: auto;
    right: 0.5rem;
  }

  :host(:fullscreen) > .fullscreen {
    top: 1.5rem;
    left: 1.5rem;
  }

  /*
   * Two people: the large tile fills the grid, the other floats in the bottom-right corner. A host
   * given a height (a phone's screen) is filled, cropping the video; otherwise the tile's aspect
   * ratio sets the height.
   */
  .grid--pip {
    display: block;
    position: relative;
    height: 100%;
  }

  .grid--pip .tile--large {
    width: 100%;
    height: 100%;
  }

  .grid--pip .tile--small {
    position: absolute;
    right: 0.75rem;
    bottom: 0.75rem;
    z-index: 1;
    width: var(--meshcall-pip-width, clamp(6.5rem, 26%, 16rem));
    aspect-ratio: 16 / 9;
    box-shadow: 0 0.25rem 1rem rgb(0 0 0 / 0.45);
    outline: 2px solid rgb(255 255 255 / 0.85);
  }

  .grid--pip .tile--small .label {
    left: 0.25rem;
    bottom: 0.25rem;
    max-width: calc(100% - 0.5rem);
    padding: 0.125rem 0.375rem;
    font-size: 0.75rem;
  }

  .grid--pip .tile--small .pin {
    top: 0.25rem;
    right: 0.25rem;
    width: 1.5rem;
    height: 1.5rem;
  }

  /* Someone pinned in a group, or the active speaker: them large, the others in a row below. */
  .grid--stage {
    display: flex;
    flex-wrap: wrap;
    justify-content: center;
    align-content: flex-start;
  }

  .grid--stage .tile {
    flex: 0 0 var(--meshcall-strip-tile-width, 11rem);
    aspect-ratio: 16 / 9;
  }

  .grid--stage .tile--large {
    order: -1;
    flex: 0 0 100%;
    aspect-ratio: auto;
    height: min(var(--meshcall-stage-max-height, 65vh), 100cqw * 9 / 16);
  }

  .grid--stage .tile--large .video {
    object-fit: contain;
  }

  /* A voice call: small cards, no video frames. */
  .grid--cards {
    display: flex;
    flex-wrap: wrap;
    justify-content: center;
    align-content: center;
    padding: 1rem 0;
  }

  .grid--cards .tile {
    flex: 0 0 var(--meshcall-card-width, 11rem);
    aspect-ratio: 1;
  }


  .grid--cards .placeholder {
    padding-bottom: 2.5rem;
  }

  .grid--cards .label {
    left: 50%;
    transform: translateX(-50%);
    background: none;
    font-weight: 600;
  }

  @container (max-width: 30rem) {
    .grid--cards .tile {
      flex-basis: var(--meshcall-card-width, 9rem);
    }
  }
`;
