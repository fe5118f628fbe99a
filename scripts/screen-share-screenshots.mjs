#!/usr/bin/env node
// Screenshots of a shared screen in the demo: npm run build && node scripts/screen-share-screenshots.mjs [dir]
// (default /tmp/meshcall-screenshots). Alice video-calls Bob, Bob accepts, Alice shares her screen with
// the toolbar's toggle (Chromium's fake screen, through its real picker), Bob's page shows the presenter
// layout (1280x800 and 390x844), Bob takes over, Alice is told; then Bob stops and the grid comes back.
import { SIZES, sleep, TIMEOUT, waitForCallState, withScreenshotSession } from './screenshot-session.mjs';

const DESKTOP = SIZES.desktop;
const PHONE = SIZES.phone;

/** The presenter layout as the page's grid shows it, once the screen plays. */
const waitForStage = (page, caption) =>
  page.waitForFunction(
    (text) => {
      const root = document.querySelector('call-grid')?.shadowRoot;
      const video = root?.querySelector('[part=screen]');
      return root?.querySelector('[part=presenter]')?.textContent === text && video?.videoWidth > 0 && !video.paused;
    },
    { timeout: TIMEOUT },
    caption,
  );

await withScreenshotSession(process.argv[2] ?? '/tmp/meshcall-screenshots', async ({ base, open, problems, shot }) => {
  const alice = await open('alice', `${base}/?user=alice&conversation=dm-alice-bob`);
  const bob = await open('bob', `${base}/?user=bob`);
  await Promise.all([alice, bob].map((page) => waitForCallState(page, 'idle')));
  await alice.click('#video-call');
  await bob.waitForSelector('incoming-call >>> [part=accept-video-button]', { visible: true, timeout: TIMEOUT });
  await bob.click('incoming-call >>> [part=accept-video-button]');
  await Promise.all([waitForCallState(alice, 'active'), waitForCallState(bob, 'active')]);
  await sleep(1000);
  await shot(alice, 'screen-toolbar.png');

  console.log('- Alice shares her screen');
  await alice.click('media-controls >>> [part=screen-share-button]');
  await waitForStage(bob, 'Alice is presenting');
  await waitForStage(alice, 'You are presenting');
  const pressed = await alice.$eval('media-controls >>> [part=screen-share-button]', (button) => button.getAttribute('aria-pressed'));
  if (pressed !== 'true') problems.push(`alice's toggle says aria-pressed=${pressed}`);
  await shot(bob, 'screen-presenter-bob.png');
  await shot(alice, 'screen-presenter-alice.png');
  await bob.setViewport(PHONE);
  await shot(bob, 'screen-presenter-bob-mobile.png');
  await bob.setViewport(DESKTOP);

  console.log('- Bob takes over');
  await bob.click('media-controls >>> [part=screen-share-button]');
  await waitForStage(alice, 'Bob is presenting');
  await alice.waitForFunction(() => [...document.querySelectorAll('.toast')].some((toast) => toast.textContent.includes('presenting now')), { timeout: TIMEOUT });
  await shot(alice, 'screen-taken-over-alice.png');

  console.log('- Bob stops; the grid comes back');
  await bob.click('media-controls >>> [part=screen-share-button]');
  await alice.waitForFunction(() => !document.querySelector('call-grid').shadowRoot.querySelector('[part=stage]'), { timeout: TIMEOUT });
  await shot(alice, 'screen-stopped-alice.png');
});
