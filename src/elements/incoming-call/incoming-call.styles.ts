import { css } from 'lit';
import { focusRingColor } from '../shared/shared.styles.js';

export const incomingCallStyles = css`
  :host {
    display: contents;
  }

  .overlay {
    position: fixed;
    inset: 0;
    z-index: var(--meshcall-incoming-z-index, 1000);
    display: grid;
    place-items: center;
    padding: 1rem;
    background: var(--meshcall-incoming-backdrop, rgb(15 23 42 / 0.45));
  }

  .waiting-note {
    margin: -1rem 0 1rem;
    color: var(--meshcall-incoming-muted-color, #475569);
    font-size: 0.9rem;
  }

  .sound-blocked {
    display: flex;
    align-items: center;
    justify-content: center;
    gap: 0.4em;
    margin: -0.75rem 0 1.25rem;
    color: var(--meshcall-incoming-muted-color, #475569);
    font-size: 0.85rem;
  }

  .avatar-image {
    display: block;
    width: 100%;
    height: 100%;
    border-radius: 50%;
    object-fit: cover;
  }

  .dialog {
    box-sizing: border-box;
    width: min(30rem, 100%);
    padding: 1.75rem 1.5rem 1.5rem;
    border-radius: var(--meshcall-incoming-radius, 1.25rem);
    background: var(--meshcall-incoming-background, #ffffff);
    color: var(--meshcall-incoming-color, #0f172a);
    box-shadow: 0 24px 48px rgb(15 23 42 / 0.25);
    font: 400 1rem/1.4 system-ui, -apple-system, 'Segoe UI', Roboto, sans-serif;
    text-align: center;
    animation: meshcall-rise 180ms ease-out;
    container-type: inline-size;
  }

  .dialog:focus {
    outline: none;
  }

  /* A call waiting: over the running call, which stays usable. */
  .overlay--waiting {
    place-items: start end;
    background: none;
    pointer-events: none;
  }

  .dialog--waiting {
    pointer-events: auto;
    width: min(24rem, 100%);
    padding: 1.25rem 1.25rem 1rem;
    box-shadow: 0 12px 32px rgb(15 23 42 / 0.35);
  }

  .dialog--waiting .avatar {
    width: 3.5rem;
    height: 3.5rem;
    margin-bottom: 0.75rem;
    font-size: 1.25rem;
  }


  .avatar {
    position: relative;
    display: grid;
    place-items: center;
    width: 5rem;
    height: 5rem;
    margin: 0 auto 1rem;
    border-radius: 50%;
    /* The caller's colour, as on their tile: one colour per person everywhere. */
    background: var(--avatar-color, var(--meshcall-incoming-accent, #2563eb));
    color: #ffffff;
    font-size: 1.75rem;
    font-weight: 600;
  }

  slot[name='avatar']::slotted(*) {
    display: block;
    width: 100%;
    height: 100%;
    border-radius: 50%;
    object-fit: cover;
  }

  /* The ring: a halo that grows out of the avatar and fades. */
  .avatar::after {
    content: '';
    position: absolute;
    inset: 0;
    border-radius: 50%;
    border: 3px solid var(--meshcall-incoming-accent, #2563eb);
    animation: meshcall-ring 1.6s ease-out infinite;
    pointer-events: none;
  }

  .caller {
    margin: 0;
    font-size: 1.25rem;
    font-weight: 600;
  }

  .details {
    margin: 0.25rem 0 1.5rem;
    color: var(--meshcall-incoming-muted-color, #475569);
    font-size: 0.95rem;
  }

  .actions {
    display: flex;
    flex-wrap: wrap;
    justify-content: center;
    gap: 0.5rem;
  }

  /*
   * On a phone the three buttons do not fit one row: rather than leave one alone on a row, Decline
   * and Accept share the bottom row (decline on the left, as phones place it) under a full-width
   * "Accept with video"; a call waiting's two buttons share one row.
   */
  @container (max-width: 26rem) {
    .actions {
      display: grid;
      grid-template-columns: 1fr 1fr;
    }

    .accept-video {
      grid-column: 1 / -1;
      grid-row: 1;
    }

    .action {
      justify-content: center;
    }
  }

  .action {
    display: inline-flex;
    align-items: center;
    gap: 0.4em;
    padding: 0.6em 1.1em;
    border: none;
    border-radius: 999px;
    color: #ffffff;
    font-family: inherit;
    font-size: 0.95rem;
    font-weight: 500;
    line-height: 1.2;
    cursor: pointer;
  }

  .action:hover:not([aria-disabled='true']) {
    filter: brightness(1.1);
  }

  .action:focus-visible {
    outline: 3px solid ${focusRingColor};
    outline-offset: 2px;
  }

  .action[aria-disabled='true'] {
    cursor: progress;
    opacity: 0.7;
  }

  .accept {
    background: var(--meshcall-accept-background, #15803d);
  }

  .decline {
    background: var(--meshcall-decline-background, #b91c1c);
  }

  .icon {
    flex: none;
    width: 1.15em;
    height: 1.15em;
  }

  @keyframes meshcall-ring {
    from {
      transform: scale(1);
      opacity: 0.8;
    }
    to {
      transform: scale(1.45);
      opacity: 0;
    }
  }

  @keyframes meshcall-rise {
    from {
      transform: translateY(0.75rem);
      opacity: 0;
    }
  }

  @media (prefers-reduced-motion: reduce) {
    .dialog,
    .avatar::after {
      animation: none;
    }
    .avatar::after {
      opacity: 0;
    }
  }
`;
