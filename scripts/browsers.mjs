// How this project launches Debian's Chromium and Firefox ESR for tests, the demo driver and the
// benchmark: fake camera and microphone, no prompts, autoplay allowed, and no background traffic
// to hosts outside this machine.
export const CHROMIUM_PATH = process.env.MESHCALL_CHROMIUM ?? '/usr/bin/chromium';
export const FIREFOX_PATH = process.env.MESHCALL_FIREFOX ?? '/usr/bin/firefox-esr';

export const CHROMIUM_ARGS = [
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  // Three fake cameras (and, as always, three fake microphones and speakers) for device switching.
  // The second is a depth camera (Y16) whose frames WebRTC does not send: tests switch to the third.
  '--use-fake-device-for-media-stream=device-count=3',
  '--use-fake-ui-for-media-stream',
  '--autoplay-policy=no-user-gesture-required',
  // Host candidates as plain addresses: Firefox cannot resolve Chromium's mDNS names here.
  '--disable-features=WebRtcHideLocalIpsWithMdns',
];

/** For several pages of one browser that take turns: none may be throttled for being in the background. */
export const CHROMIUM_FOREGROUND_ARGS = [
  '--disable-background-timer-throttling',
  '--disable-renderer-backgrounding',
  '--disable-backgrounding-occluded-windows',
];

export const FIREFOX_PREFS = {
  'media.navigator.streams.fake': true,
  'media.navigator.permission.disabled': true,
  'media.autoplay.default': 0,
  // Host candidates as plain addresses: Chromium cannot resolve Firefox's mDNS names here.
  'media.peerconnection.ice.obfuscate_host_addresses': false,
  // The tests' coturn relays on 127.0.0.1: Firefox drops loopback candidates, relayed ones included, without it.
  'media.peerconnection.ice.loopback': true,
  // Headless Firefox has no audio device; without a mock one, Web Audio never starts.
  'media.cubeb.force_mock_context': true,
};
