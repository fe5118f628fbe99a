/** How one camera is sent on each connection of a mesh. */
export interface VideoEncoding {
  maxBitrate: number;
  maxFramerate: number;
  scaleResolutionDownBy: number;
}

interface Rung {
  /** Up to this many people in the call, the local user included. */
  upTo: number;
  height: number;
  maxBitrate: number;
  maxFramerate: number;
}

/**
 * A mesh sends one copy of the camera per other participant, each encoded on its own, so the copies
 * get smaller as the call grows: an uplink and a CPU that carry one 720p stream carry four 360p
 * ones. Figures from the field: 720p ~1.5 Mbit/s, 360p ~450 kbit/s, 180p-270p ~150-250 kbit/s.
 * Network adaptation comes on top of this ladder; it never raises a rung.
 */
const LADDER: readonly Rung[] = [
  { upTo: 2, height: 720, maxBitrate: 1_500_000, maxFramerate: 30 },
  { upTo: 4, height: 360, maxBitrate: 450_000, maxFramerate: 24 },
  { upTo: Infinity, height: 240, maxBitrate: 200_000, maxFramerate: 15 },
];

/** The encoding for each connection in a call of `people`, for a camera capturing `captureHeight` lines. */
export function videoEncodingFor(people: number, captureHeight: number): VideoEncoding {
  const rung = LADDER.find((each) => people <= each.upTo)!;
  // Exact, not rounded: 480 / 1.33 would be encoded as 361 lines.
  const scaleResolutionDownBy = captureHeight > rung.height ? captureHeight / rung.height : 1;
  return { maxBitrate: rung.maxBitrate, maxFramerate: rung.maxFramerate, scaleResolutionDownBy };
}

/** How a shared screen is sent on each connection of a mesh. */
export interface ScreenEncoding {
  maxBitrate: number;
  maxFramerate: number;
}

/**
 * A shared screen is read, not watched: text stays legible only at full resolution, while a few
 * frames a second carry slides and scrolling. So it keeps its resolution (the sender's
 * degradation preference) and gets more of the uplink than any camera copy: about 1.5-2.5 Mbit/s
 * is what a 1080p screen of text needs at 5-15 fps; a larger mesh sends it to more people, each
 * copy smaller. Cameras keep their rung beside it; audio keeps the highest priority.
 */
const SCREEN_LADDER: readonly (ScreenEncoding & { upTo: number })[] = [
  { upTo: 2, maxBitrate: 2_500_000, maxFramerate: 15 },
  { upTo: 4, maxBitrate: 1_500_000, maxFramerate: 10 },
  { upTo: Infinity, maxBitrate: 800_000, maxFramerate: 5 },
];

/** The screen's encoding for each connection in a call of `people`. */
export function screenEncodingFor(people: number): ScreenEncoding {
  const { maxBitrate, maxFramerate } = SCREEN_LADDER.find((each) => people <= each.upTo)!;
  return { maxBitrate, maxFramerate };
}
