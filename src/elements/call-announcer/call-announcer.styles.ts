import { css } from 'lit';

export const callAnnouncerStyles = css`
  :host {
    display: contents;
  }

  /* Out of sight, still read: a screen reader announces each line as it is added. */
  .log {
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

  :host([visible]) .log {
    position: static;
    width: auto;
    height: auto;
    margin: 0;
    overflow: visible;
    clip: auto;
    white-space: normal;
    color: var(--meshcall-announcer-color, inherit);
    font: var(--meshcall-announcer-font, inherit);
  }

  .line {
    margin: 0;
  }
`;
