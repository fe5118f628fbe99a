import { css } from 'lit';
import { focusRingColor } from '../shared/shared.styles.js';

const mutedColor = css`var(--meshcall-history-muted-color, #475569)`;

export const callHistoryStyles = css`
  :host {
    display: block;
    color: var(--meshcall-history-color, #0f172a);
    font: 0.9375rem/1.35 system-ui, -apple-system, 'Segoe UI', Roboto, sans-serif;
  }

  :host([hidden]) {
    display: none;
  }

  .list {
    margin: 0;
    padding: 0;
    list-style: none;
  }

  .entry {
    display: grid;
    grid-template-columns: auto minmax(0, 1fr) auto auto;
    align-items: center;
    gap: 0.75rem;
    padding: 0.6rem 0.5rem;
    border-bottom: 1px solid var(--meshcall-history-divider, #e2e8f0);
  }

  .entry:last-child {
    border-bottom: none;
  }

  .entry:hover {
    background: var(--meshcall-history-hover-background, #f1f5f9);
  }

  .icon {
    width: 1.25rem;
    height: 1.25rem;
    color: ${mutedColor};
  }

  .text,
  .meta {
    display: flex;
    flex-direction: column;
    min-width: 0;
  }

  .meta {
    align-items: flex-end;
  }

  .people {
    overflow: hidden;
    font-weight: 600;
    text-overflow: ellipsis;
    white-space: nowrap;
  }

  .summary,
  .time,
  .duration {
    color: ${mutedColor};
    font-size: 0.8125rem;
  }

  .duration {
    font-variant-numeric: tabular-nums;
  }

  [data-outcome='missed'] .icon,
  [data-outcome='missed'] .summary {
    color: var(--meshcall-history-missed-color, #b91c1c);
  }

  [data-unseen] .people::after {
    content: '';
    display: inline-block;
    width: 0.5rem;
    height: 0.5rem;
    margin-inline-start: 0.4rem;
    border-radius: 50%;
    background: var(--meshcall-history-missed-color, #b91c1c);
    vertical-align: middle;
  }

  .callback {
    display: inline-flex;
    align-items: center;
    justify-content: center;
    width: 2.25rem;
    height: 2.25rem;
    padding: 0;
    border: none;
    border-radius: 50%;
    background: var(--meshcall-history-button-background, #15803d);
    color: var(--meshcall-history-button-color, #ffffff);
    cursor: pointer;
  }

  .callback:hover:not([aria-disabled='true']) {
    filter: brightness(1.1);
  }

  .callback:focus-visible {
    outline: 3px solid ${focusRingColor};
    outline-offset: 2px;
  }

  .callback[aria-disabled='true'] {
    cursor: not-allowed;
    /* Greyed out but still readable: #4b5563 on #e5e7eb is above 7:1. */
    background: #e5e7eb;
    color: #4b5563;
  }

  .callback-icon {
    width: 1.1rem;
    height: 1.1rem;
  }

  .empty {
    margin: 0;
    padding: 1rem 0.5rem;
    color: ${mutedColor};
    text-align: center;
  }
`;
