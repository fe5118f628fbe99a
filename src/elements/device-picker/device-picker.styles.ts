import { css } from 'lit';
import { focusRingColor } from '../shared/shared.styles.js';

export default css`
  :host {
    display: block;
    font-family: system-ui, -apple-system, 'Segoe UI', Roboto, sans-serif;
    color: var(--meshcall-device-picker-color, inherit);
  }

  :host([hidden]) {
    display: none;
  }

  fieldset {
    display: grid;
    gap: var(--meshcall-device-picker-gap, 0.75rem);
    margin: 0;
    padding: 0;
    border: none;
    min-width: 0;
  }

  legend {
    padding: 0;
    margin-bottom: 0.5rem;
    font-weight: 600;
  }

  label {
    display: grid;
    gap: 0.25rem;
    font-size: 0.875rem;
  }

  select {
    min-width: 0;
    max-width: 100%;
    padding: 0.5rem 0.625rem;
    border: 1px solid var(--meshcall-device-picker-border-color, #8a8f98);
    border-radius: 0.375rem;
    background: var(--meshcall-device-picker-select-background, #ffffff);
    color: var(--meshcall-device-picker-select-color, #1f2430);
    font: inherit;
    font-size: 0.9375rem;
  }

  select:focus-visible {
    outline: 3px solid ${focusRingColor};
    outline-offset: 2px;
  }

  .notice:empty {
    display: none;
  }

  .notice {
    margin: 0;
    padding: 0.5rem 0.625rem;
    border-radius: 0.375rem;
    background: var(--meshcall-device-picker-notice-background, #fff4ce);
    color: var(--meshcall-device-picker-notice-color, #3d2e00);
    font-size: 0.875rem;
  }
`;
