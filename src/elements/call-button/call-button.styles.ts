import { css } from 'lit';
import { focusRingColor } from '../shared/shared.styles.js';

export const callButtonStyles = css`
  :host {
    display: inline-block;
  }

  :host([hidden]) {
    display: none;
  }

  .base {
    display: inline-flex;
    align-items: center;
    gap: 0.5em;
    box-sizing: border-box;
    width: 100%;
    padding: var(--meshcall-button-padding, 0.5em 1.1em);
    border: none;
    border-radius: var(--meshcall-button-radius, 999px);
    background: var(--meshcall-button-background, #15803d);
    color: var(--meshcall-button-color, #ffffff);
    font: 500 0.95rem/1.2 system-ui, -apple-system, 'Segoe UI', Roboto, sans-serif;
    cursor: pointer;
    transition:
      filter 120ms ease,
      background-color 120ms ease;
  }

  .base:hover:not([aria-disabled='true']):not(:disabled) {
    filter: brightness(1.1);
  }

  .base:active:not([aria-disabled='true']):not(:disabled) {
    filter: brightness(0.95);
  }

  .base:focus-visible {
    outline: 3px solid ${focusRingColor};
    outline-offset: 2px;
  }

  .base[aria-disabled='true'],
  .base:disabled {
    cursor: not-allowed;
    /* Greyed out but still readable: #4b5563 on #e5e7eb is above 7:1. */
    background: #e5e7eb;
    color: #4b5563;
  }

  .base[data-state='calling'] {
    cursor: progress;
    background: var(--meshcall-button-calling-background, #b45309);
    color: var(--meshcall-button-color, #ffffff);
  }

  .icon {
    flex: none;
    width: 1.15em;
    height: 1.15em;
  }

  .base[data-state='calling'] .icon {
    animation: meshcall-wiggle 1.2s ease-in-out infinite;
  }

  @keyframes meshcall-wiggle {
    0%,
    60%,
    100% {
      transform: rotate(0deg);
    }
    15%,
    45% {
      transform: rotate(-12deg);
    }
    30% {
      transform: rotate(12deg);
    }
  }

  @media (prefers-reduced-motion: reduce) {
    .base {
      transition: none;
    }
    .base[data-state='calling'] .icon {
      animation: none;
    }
  }
`;
