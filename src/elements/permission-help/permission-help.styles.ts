import { css } from 'lit';
import { focusRingColor } from '../shared/shared.styles.js';

export default css`
  :host {
    display: block;
  }

  .panel {
    box-sizing: border-box;
    max-width: 32rem;
    padding: 1rem 1.25rem;
    border: 1px solid var(--meshcall-permission-help-border-color, #f9a825);
    border-left-width: 0.375rem;
    border-radius: 0.5rem;
    background: var(--meshcall-permission-help-background, #fff8e1);
    color: var(--meshcall-permission-help-color, #1f2430);
    font: inherit;
    line-height: 1.4;
  }

  .title {
    margin: 0 0 0.375rem;
    font-size: 1.05rem;
    font-weight: 650;
  }

  .message,
  .lead {
    margin: 0 0 0.5rem;
  }

  .lead {
    font-weight: 600;
  }

  .steps {
    margin: 0 0 0.875rem;
    padding-left: 1.4rem;
  }

  .steps li + li {
    margin-top: 0.25rem;
  }

  .actions {
    display: flex;
    flex-wrap: wrap;
    gap: 0.5rem;
  }

  button {
    min-height: 2.5rem;
    padding: 0 1rem;
    border-radius: 1.25rem;
    font: inherit;
    font-weight: 600;
    cursor: pointer;
  }

  button:focus-visible {
    outline: 3px solid ${focusRingColor};
    outline-offset: 2px;
  }

  .retry {
    border: none;
    background: var(--meshcall-permission-help-button-background, #1a73e8);
    color: var(--meshcall-permission-help-button-color, #ffffff);
  }

  .close {
    border: 1px solid currentColor;
    background: transparent;
    color: inherit;
  }
`;
