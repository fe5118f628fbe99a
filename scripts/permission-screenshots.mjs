#!/usr/bin/env node
// Screenshots of a refused microphone and camera in the demo: npm run build:js && node scripts/permission-screenshots.mjs [dir]
// (default /tmp/meshcall-permissions). Alice (an ordinary test Chromium) video-calls Bob, whose Chromium refuses
// both devices for real (no fake prompt, --deny-permission-prompts); Bob accepts and is in the call receive-only,
// with <permission-help> and the microphone shown unavailable. Then Bob's placed call that cannot start.
// At 1280x800 and 390x844, light and dark.
import { CHROMIUM_ARGS } from './browsers.mjs';
import { sleep, TIMEOUT, waitForCallState, withScreenshotSession } from './screenshot-session.mjs';

await withScreenshotSession(process.argv[2] ?? '/tmp/meshcall-permissions', async ({ base, open, launchBrowser, shots }) => {
  const refusing = await launchBrowser([...CHROMIUM_ARGS.filter((arg) => arg !== '--use-fake-ui-for-media-stream'), '--deny-permission-prompts']);
  const alice = await open('alice', `${base}/?user=alice&conversation=dm-alice-bob`);
  const bob = await open('bob', `${base}/?user=bob&conversation=dm-alice-bob`, refusing);
  await Promise.all([alice, bob].map((page) => waitForCallState(page, 'idle')));

  console.log('- Alice video-calls Bob; Bob, whose browser refuses both devices, accepts with video');
  await alice.click('#video-call');
  await bob.waitForSelector('incoming-call >>> [part=accept-video-button]', { visible: true, timeout: TIMEOUT });
  await bob.click('incoming-call >>> [part=accept-video-button]');
  await Promise.all([waitForCallState(alice, 'active'), waitForCallState(bob, 'active')]);
  await bob.waitForSelector('permission-help >>> [part~=base]', { visible: true, timeout: TIMEOUT });
  await sleep(2000);
  await shots(bob, 'permission-receive-only');
  await bob.click('media-controls >>> [part~=hangup-button]');
  await Promise.all([waitForCallState(alice, 'idle'), waitForCallState(bob, 'idle')]);

  console.log('- Bob calls Alice: his call cannot start');
  await bob.click('permission-help >>> [part~=close-button]').catch(() => undefined);
  await bob.click('#voice-call');
  await bob.waitForFunction(() => document.querySelector('permission-help').shadowRoot.querySelector('[part~=message]')?.textContent.includes('did not start'), { timeout: TIMEOUT });
  await sleep(500);
  await shots(bob, 'permission-call-not-started');
});
