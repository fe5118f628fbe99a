import { css } from 'lit';
import { focusRingColor } from '../shared/shared.styles.js';

export default css`
  :host {
    display: block;
    font-family: system-ui, -apple-system, 'Segoe UI', Roboto, sans-serif;
    color: var(--meshcall-preview-color, inherit);
  }

  :host([hidden]) {
    display: none;
  }

  .base {
    display: grid;
    gap: 0.875rem;
  }

  .frame {
    position: relative;
    aspect-ratio: 16 / 9;
    overflow: hidden;
    border-radius: var(--meshcall-preview-radius, 12px);
    background: var(--meshcall-preview-background, #111827);
    color: var(--meshcall-preview-frame-color, #e5e7eb);
  }

  .video {
    width: 100%;
    height: 100%;
    object-fit: cover;
    /* As a mirror: what people expect of their own picture. */
    transform: scaleX(-1);
  }

  .camera-off {
    position: absolute;
    inset: 0;
    display: grid;
    place-content: center;
    justify-items: center;
    gap: 0.5rem;
    font-size: 0.9375rem;
  }

  .camera-off svg {
    width: 2.25rem;
    height: 2.25rem;
  }

  .meter-row {
    display: grid;
    grid-template-columns: auto 1fr;
    align-items: center;
    gap: 0.75rem;
    font-size: 0.875rem;
  }

  .meter {
    --level: 0;
    height: 0.5rem;
    border-radius: 999px;
    overflow: hidden;
    background: var(--meshcall-preview-meter-background, #d1d5db);
  }

  .meter-fill {
    height: 100%;
    transform-origin: left;
    transform: scaleX(var(--level));
    background: var(--meshcall-preview-meter-color, #16a34a);
  }

  .camera-option {
    display: flex;
    align-items: center;
    gap: 0.5rem;
    font-size: 0.9375rem;
  }

  .camera-option input {
    width: 1.125rem;
    height: 1.125rem;
    margin: 0;
  }

  .actions {
    display: flex;
    flex-wrap: wrap;
    gap: 0.625rem;
  }

  button {
    min-height: 2.75rem;
    padding: 0.5rem 1.125rem;
    border-radius: 999px;
    border: 1px solid #8a8f98;
    background: transparent;
    color: inherit;
    font: inherit;
    font-weight: 600;
    cursor: pointer;
  }

  button:disabled {
    cursor: not-allowed;
    opacity: 0.6;
  }

  .join {
    border-color: transparent;
    background: var(--meshcall-preview-join-background, #15803d);
    color: var(--meshcall-preview-join-color, #ffffff);
  }

  button:focus-visible,
  input:focus-visible {
    outline: 3px solid ${focusRingColor};
    outline-offset: 2px;
  }

  @media (prefers-reduced-motion: no-preference) {
    .meter-fill {
      transition: transform 80ms linear;
    }
  }
`;
