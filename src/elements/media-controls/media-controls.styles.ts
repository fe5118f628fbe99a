import { css } from 'lit';

export default css`
  :host {
    --meshcall-control-size: 3rem;
    --meshcall-control-gap: 0.75rem;
    --meshcall-control-background: #e8eaed;
    --meshcall-control-color: #1f2430;
    --meshcall-control-hover-background: #d5d8dd;
    --meshcall-control-off-background: #3c4043;
    --meshcall-control-off-color: #ffffff;
    --meshcall-hangup-background: #c62828;
    --meshcall-hangup-hover-background: #a61f1f;
    --meshcall-hangup-color: #ffffff;
    --meshcall-focus-ring-color: #1a73e8;

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
    gap: var(--meshcall-control-gap);
  }

  ::slotted(*) {
    flex: none;
  }

  .control {
    display: inline-flex;
    align-items: center;
    justify-content: center;
    width: var(--meshcall-control-size);
    height: var(--meshcall-control-size);
    padding: 0;
    border: none;
    border-radius: 50%;
    background: var(--meshcall-control-background);
    color: var(--meshcall-control-color);
    font: inherit;
    cursor: pointer;
    transition:
      background-color 0.15s ease,
      transform 0.1s ease;
  }

  .control:hover:not([aria-disabled='true']) {
    background: var(--meshcall-control-hover-background);
  }

  .control:active:not([aria-disabled='true']) {
    transform: scale(0.95);
  }

  .control:focus-visible {
    outline: 3px solid var(--meshcall-focus-ring-color);
    outline-offset: 2px;
  }

  /* A toggle that is pressed means "on"; off stands out, as the state people need to notice. */
  .control[aria-pressed='false'] {
    background: var(--meshcall-control-off-background);
    color: var(--meshcall-control-off-color);
  }

  .control--hangup,
  .control--hangup:hover:not([aria-disabled='true']) {
    width: calc(var(--meshcall-control-size) * 1.4);
    border-radius: calc(var(--meshcall-control-size) / 2);
    background: var(--meshcall-hangup-background);
    color: var(--meshcall-hangup-color);
  }

  .control--hangup:hover:not([aria-disabled='true']) {
    background: var(--meshcall-hangup-hover-background);
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
