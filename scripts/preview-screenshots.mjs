#!/usr/bin/env node
// Screenshots of the pre-join preview in the demo: npm run build:js && node scripts/preview-screenshots.mjs [dir]
// (default /tmp/meshcall-preview). Alice opens "Devices" (the check before a call), turns the camera off
// and on, then calls Bob from it; Bob, rung, opens the check from the incoming dialog and joins from there.
// At 1280x800 and 390x844, light and dark.
import { press, sleep, TIMEOUT, waitForCallState, withScreenshotSession } from './screenshot-session.mjs';

const waitForPreview = (page, open) =>
  page.waitForFunction((expected) => document.querySelector('call-preview')?.shadowRoot?.querySelector('[part~=base]')?.dataset.state === expected, { timeout: TIMEOUT }, open ? 'open' : 'closed');

await withScreenshotSession(process.argv[2] ?? '/tmp/meshcall-preview', async ({ base, open, problems, shots }) => {
  const alice = await open('alice', `${base}/?user=alice&conversation=dm-alice-bob`);
  const bob = await open('bob', `${base}/?user=bob`);
  await Promise.all([alice, bob].map((page) => waitForCallState(page, 'idle')));

  console.log('- Alice checks her devices');
  await press(alice, '#device-settings');
  await waitForPreview(alice, true);
  await alice.waitForFunction(() => Number(document.querySelector('call-preview').shadowRoot.querySelector('[part~=meter]').getAttribute('aria-valuenow')) > 0, { timeout: TIMEOUT });
  await sleep(1000);
  await shots(alice, 'preview');
  await press(alice, 'call-preview >>> [part~=camera-option] input');
  await alice.waitForSelector('call-preview >>> [part~=camera-off]', { timeout: TIMEOUT });
  await shots(alice, 'preview-camera-off');
  await press(alice, 'call-preview >>> [part~=camera-option] input');
  await alice.waitForSelector('call-preview >>> [part~=video]', { timeout: TIMEOUT });

  console.log('- Alice calls Bob from the preview');
  await press(alice, 'call-preview >>> [part~=join-button]');
  await bob.waitForSelector('incoming-call >>> [part=base]', { visible: true, timeout: TIMEOUT });
  if (await alice.$eval('#preview-dialog', (dialog) => dialog.open)) problems.push('alice: the preview dialog stayed open after calling');
  await shots(bob, 'incoming-with-preview-entry');

  console.log('- Bob checks his devices from the ring, then joins');
  await press(bob, '#incoming-preview');
  await waitForPreview(bob, true);
  await sleep(1000);
  await shots(bob, 'preview-while-rung');
  await press(bob, 'call-preview >>> [part~=join-button]');
  await Promise.all([waitForCallState(alice, 'active'), waitForCallState(bob, 'active')]);
  await sleep(2000);
  await shots(bob, 'call-after-preview');
});
