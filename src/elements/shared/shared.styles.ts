import { css } from 'lit';

/** Text for screen readers only: out of sight, still in the accessibility tree. */
export const visuallyHidden = css`
  .visually-hidden {
    position: absolute;
    width: 1px;
    height: 1px;
    margin: -1px;
    padding: 0;
    overflow: hidden;
    clip: rect(0 0 0 0);
    white-space: nowrap;
    border: 0;
  }
`;

/** The keyboard focus ring's colour, one default for every element. */
export const focusRingColor = css`var(--meshcall-focus-ring-color, #2563eb)`;
