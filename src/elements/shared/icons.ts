import { svg, type SVGTemplateResult } from 'lit';

/*
 * Every icon the elements draw, as the contents of an `<svg viewBox="0 0 24 24">` that the element
 * writes itself (it knows the part, class and size it wants). Each icon carries its own painting
 * (filled or stroked), so it looks the same in every element whatever that element's styles say.
 */

const HANDSET = 'M6.6 10.8a15.1 15.1 0 0 0 6.6 6.6l2.2-2.2a1 1 0 0 1 1-.25 11.4 11.4 0 0 0 3.6.57 1 1 0 0 1 1 1V20a1 1 0 0 1-1 1A17 17 0 0 1 3 4a1 1 0 0 1 1-1h3.5a1 1 0 0 1 1 1c0 1.25.2 2.45.57 3.57a1 1 0 0 1-.25 1z';

/** A handset: place or accept a voice call. */
export const phoneIcon = svg`<path fill="currentColor" d=${HANDSET} />`;

/** The same handset turned down: decline, hang up. */
export const hangUpIcon = svg`<path fill="currentColor" d=${HANDSET} transform="rotate(135 12 12)" />`;

/** Line icons share one stroke. */
const line = (paths: SVGTemplateResult) =>
  svg`<g fill="none" stroke="currentColor" stroke-width="2" stroke-linecap="round" stroke-linejoin="round">${paths}</g>`;

/** A video camera: place or accept a video call, the camera is on. */
export const cameraIcon = line(svg`
  <rect x="3" y="6" width="12" height="12" rx="2" />
  <path d="M15 10.5l6-3.5v10l-6-3.5z" />`);

/** The camera struck through: the camera is off. */
export const cameraOffIcon = line(svg`
  <path d="M10 6h3a2 2 0 0 1 2 2v3l6-4v10M15 15.5V16a2 2 0 0 1-2 2H5a2 2 0 0 1-2-2V8a2 2 0 0 1 2-2" />
  <path d="M3 3l18 18" />`);

/** A microphone: the microphone is on. */
export const microphoneIcon = line(svg`
  <rect x="9" y="3" width="6" height="11" rx="3" />
  <path d="M5 11a7 7 0 0 0 14 0M12 18v3" />`);

/** The microphone struck through: the microphone is off. */
export const microphoneOffIcon = line(svg`
  <path d="M9 9v2a3 3 0 0 0 5.1 2.1M15 10V6a3 3 0 0 0-5.7-1.3" />
  <path d="M19 11a7 7 0 0 1-1.2 3.9M5 11a7 7 0 0 0 11.4 5.4M12 18v3M3 3l18 18" />`);

/** A screen with an arrow out of it: share the screen. */
export const screenShareIcon = line(svg`
  <rect x="2.5" y="4" width="19" height="13" rx="2" />
  <path d="M8 21h8M12 17v4M12 14V8M9 10.5l3-3 3 3" />`);

/** A speaker struck through: the browser blocks the call's sound until it is enabled. */
export const soundOffIcon = line(svg`
  <path d="M4 9h3l5-4v14l-5-4H4z" />
  <path d="M16 9l5 6M21 9l-5 6" />`);

/*
 * Call history: the handset (its top right corner is empty) with a mark there for the call's direction
 * or outcome, as phones draw them.
 */
const handsetWith = (mark: SVGTemplateResult) =>
  svg`<path fill="currentColor" d=${HANDSET} />${line(mark)}`;

/** An arrow into the handset: a call we received. */
export const callIncomingIcon = handsetWith(svg`<path d="M21 3l-6 6M15 4.5V9h4.5" />`);

/** An arrow out of the handset: a call we placed. */
export const callOutgoingIcon = handsetWith(svg`<path d="M15 9l6-6M16.5 3H21v4.5" />`);

/** An arrow that turns back: a call nobody answered (missed, no answer, busy). */
export const callMissedIcon = handsetWith(svg`<path d="M13.5 3l3.5 3.5L21.5 2M21.5 5.5V2H18" />`);

/** A cross by the handset: a call declined, cancelled or failed. */
export const callFailedIcon = handsetWith(svg`<path d="M15.5 3.5l5 5M20.5 3.5l-5 5" />`);
