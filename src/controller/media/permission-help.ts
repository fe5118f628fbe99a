/** The browsers whose permission settings {@link permissionHelp} can describe. */
export type BrowserFamily = 'chrome' | 'edge' | 'firefox' | 'safari' | 'other';

/** How to allow a device this page was refused, in the user's browser. */
export interface PermissionSteps {
  browser: BrowserFamily;
  /** The browser's name as a person knows it ("Chrome", "Firefox", …), or null when it is not recognised. */
  browserName: string | null;
  /** Short steps, in order, each one sentence. */
  steps: string[];
}

const NAMES: Record<BrowserFamily, string | null> = { chrome: 'Chrome', edge: 'Edge', firefox: 'Firefox', safari: 'Safari', other: null };

/**
 * The browser family from a user agent string (the current one by default). Edge and Opera carry
 * "Chrome" in theirs, and every iOS browser is Safari underneath: the order of the tests matters.
 */
export function detectBrowser(userAgent: string = globalThis.navigator?.userAgent ?? ''): BrowserFamily {
  if (/\bEdg(e|A|iOS)?\//.test(userAgent)) return 'edge';
  if (/\b(Firefox|FxiOS)\//.test(userAgent)) return 'firefox';
  if (/\b(iPhone|iPad|iPod)\b/.test(userAgent)) return 'safari';
  if (/\b(Chrome|HeadlessChrome|Chromium|CriOS)\//.test(userAgent)) return 'chrome';
  if (/\bSafari\//.test(userAgent)) return 'safari';
  return 'other';
}

/**
 * Steps to allow `device` (the microphone, the camera, or both) for this site in `browser`
 * (detected from the user agent by default). Browsers remember a refusal per site, and only the
 * user can lift it, in the browser's own settings: a page cannot ask again.
 */
export function permissionHelp(device: 'microphone' | 'camera' | 'microphone and camera' = 'microphone', browser: BrowserFamily = detectBrowser()): PermissionSteps {
  const Device = device.charAt(0).toUpperCase() + device.slice(1);
  const setting = device === 'microphone and camera' ? 'Microphone and Camera' : Device;
  const steps: Record<BrowserFamily, string[]> = {
    chrome: [
      'Select the site controls icon at the left of the address bar.',
      `Turn ${setting} on (or choose Site settings and set ${setting} to Allow).`,
      'Come back here and select Try again.',
    ],
    edge: [
      'Select the lock icon at the left of the address bar, then Permissions for this site.',
      `Set ${setting} to Allow.`,
      'Come back here and select Try again.',
    ],
    firefox: [
      `Select the crossed-out ${device} icon in the address bar.`,
      'Remove the block (the × beside "Blocked" or "Blocked Temporarily").',
      'Select Try again, and choose Allow when Firefox asks.',
    ],
    safari: [
      'On a Mac: in the Safari menu, choose Settings for this website. On iPhone or iPad: tap aA in the address bar, then Website Settings.',
      `Set ${setting} to Allow.`,
      'Come back here and select Try again.',
    ],
    other: [
      `Open this site's permissions in your browser (usually from the icon at the left of the address bar).`,
      `Allow the ${device} for this site.`,
      'Come back here and select Try again.',
    ],
  };
  return { browser, browserName: NAMES[browser], steps: steps[browser] };
}
