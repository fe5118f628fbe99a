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
