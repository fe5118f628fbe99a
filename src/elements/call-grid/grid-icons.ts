import { svg } from 'lit';

// Icons only the grid draws, as the contents of an `<svg viewBox="0 0 24 24">` (see shared/icons.ts).
const line = (d: string) =>
  svg`<path fill="none" stroke="currentColor" stroke-width="2" stroke-linecap="round" stroke-linejoin="round" d=${d} />`;

/** A push pin: show this participant large. */
export const pinIcon = line('M9 4h6l-1 6 3 3H7l3-3zM12 13v7');

/** Four corners pointing out: full screen. */
export const fullscreenIcon = line('M4 9V4h5M15 4h5v5M20 15v5h-5M9 20H4v-5');

/** Four corners pointing in: leave full screen. */
export const exitFullscreenIcon = line('M9 4v5H4M20 9h-5V4M15 20v-5h5M4 15h5v5');

/** Three bars of a level meter: this person is speaking. */
export const speakingIcon = line('M6 10v4M12 6v12M18 9v6');
