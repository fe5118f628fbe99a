import { css } from 'lit';
import { focusRingColor } from '../shared/shared.styles.js';

// Custom properties are only read, with their defaults, never set here: a value the page sets on
// any ancestor (`:root` included) then reaches them. The button size is read in several rules.
const controlSize = css`var(--meshcall-control-size, 3rem)`;

export default css`
  :host {
    display: inline-block;
    font-family: system-ui, -apple-system, 'Segoe UI', Roboto, sans-serif;
  }

  :host([hidden]) {
    display: none;
  }

  .toolbar {
    display: flex;
    flex-wrap: wrap;
    align-items: center;
    justify-content: center;
    gap: var(--meshcall-control-gap, 0.75rem);
  }

  .toolbar[hidden] {
    display: none;
  }

  ::slotted(*) {
    flex: none;
  }

  .control {
    display: inline-flex;
    align-items: center;
    justify-content: center;
    width: ${controlSize};
    height: ${controlSize};
    padding: 0;
    border: none;
    border-radius: 50%;
    background: var(--meshcall-control-background, #e8eaed);
    color: var(--meshcall-control-color, #1f2430);
    font: inherit;
    cursor: pointer;
    transition:
      background-color 0.15s ease,
      transform 0.1s ease;
  }

  .control:hover:not([aria-disabled='true']) {
    background: var(--meshcall-control-hover-background, #d5d8dd);
  }

  .control:active:not([aria-disabled='true']) {
    transform: scale(0.95);
  }

  .control:focus-visible {
    outline: 3px solid ${focusRingColor};
    outline-offset: 2px;
  }

  .control--microphone,
  .control--camera {
    position: relative;
  }

  /* A device the call could not open: the toggle stays off, and the badge says it is not the user's mute. */
  .badge {
    position: absolute;
    top: -0.2rem;
    right: -0.2rem;
    display: inline-flex;
    align-items: center;
    justify-content: center;
    width: 1.15rem;
    height: 1.15rem;
    border-radius: 50%;
    background: var(--meshcall-unavailable-badge-background, #f9a825);
    color: var(--meshcall-unavailable-badge-color, #1a1a1a);
    font-size: 0.8rem;
    font-weight: 700;
    line-height: 1;
    box-shadow: 0 0 0 2px var(--meshcall-control-background, #e8eaed);
  }

  /* A toggle that is pressed means "on"; off stands out, as the state people need to notice. */
  .control[aria-pressed='false'] {
    background: var(--meshcall-control-off-background, #c5221f);
    color: var(--meshcall-control-off-color, #ffffff);
  }

  /* Still red under the pointer: the state must not read as "on" right after a click turned it off. */
  .control[aria-pressed='false']:hover:not([aria-disabled='true']) {
    background: var(--meshcall-control-off-background, #c5221f);
  }

  /* Not sharing is the usual state; sharing is what should stand out. */
  .control--screen[aria-pressed='false'] {
    background: var(--meshcall-control-background, #e8eaed);
    color: var(--meshcall-control-color, #1f2430);
  }

  .control--screen[aria-pressed='false']:hover:not([aria-disabled='true']) {
    background: var(--meshcall-control-hover-background, #d5d8dd);
  }

  .control--screen[aria-pressed='true'],
  .control--screen[aria-pressed='true']:hover:not([aria-disabled='true']) {
    background: var(--meshcall-screen-share-on-background, #1a73e8);
    color: var(--meshcall-screen-share-on-color, #ffffff);
  }

  .control--hangup,
  .control--hangup:hover:not([aria-disabled='true']) {
    width: calc(${controlSize} * 1.4);
    border-radius: calc(${controlSize} / 2);
    background: var(--meshcall-hangup-background, #c62828);
    color: var(--meshcall-hangup-color, #ffffff);
  }

  .control--hangup:hover:not([aria-disabled='true']) {
    background: var(--meshcall-hangup-hover-background, #a61f1f);
  }

  .control--sound,
  .control--sound:hover {
    background: var(--meshcall-enable-sound-background, #f9a825);
    color: var(--meshcall-enable-sound-color, #1a1a1a);
  }

  .control[aria-disabled='true'] {
    cursor: not-allowed;
    opacity: 0.45;
  }

  .icon {
    width: 50%;
    height: 50%;
    pointer-events: none;
  }

  .control--hangup .icon {
    width: 40%;
  }

  @media (prefers-reduced-motion: reduce) {
    .control {
      transition: none;
    }

    .control:active:not([aria-disabled='true']) {
      transform: none;
    }
  }
`;
