// What the demo's screenshot drivers share: the demo's server on a free port, one Chromium in which
// each user's page has a browser context of its own, the pages' errors gathered as problems, and
// the screenshots themselves (one, or four: both sizes, light and dark).
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import puppeteer from 'puppeteer-core';
import { CHROMIUM_ARGS, CHROMIUM_FOREGROUND_ARGS, CHROMIUM_PATH } from './browsers.mjs';
import { freePort, startDemoServer } from './demo-process.mjs';

export const TIMEOUT = 20000;
export const SIZES = { desktop: { width: 1280, height: 800 }, phone: { width: 390, height: 844 } };
export const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

export const waitForCallState = (page, state) =>
  page.waitForFunction((expected) => document.body.dataset.callState === expected, { timeout: TIMEOUT }, state);

/** A click in the page (the element may sit below the fold after a viewport change). */
export const press = (page, selector) => page.$eval(selector, (element) => element.click());

/**
 * Starts the demo and a browser, runs `steps(session)`, then stops both whatever happened. A step
 * that throws, and any error a page logged, are printed and make the exit code 1.
 */
export async function withScreenshotSession(outDir, steps) {
  mkdirSync(outDir, { recursive: true });
  const port = await freePort();
  const server = await startDemoServer(port);
  const problems = [];
  const launch = (args = CHROMIUM_ARGS) => puppeteer.launch({ executablePath: CHROMIUM_PATH, headless: true, args: [...args, ...CHROMIUM_FOREGROUND_ARGS] });
  const browsers = [await launch()];
  const session = {
    base: `http://localhost:${port}`,
    problems,
    /** Another browser, launched with `args` instead of the test browsers' (one that refuses devices, say); closed at the end. */
    async launchBrowser(args) {
      const browser = await launch(args);
      browsers.push(browser);
      return browser;
    },
    /** A page of the demo as `name` sees it, at desktop size, in the session's browser or in `browser`. */
    async open(name, url, browser = browsers[0]) {
      const context = await browser.createBrowserContext();
      const page = await context.newPage();
      await page.setViewport(SIZES.desktop);
      page.on('pageerror', (error) => problems.push(`${name}: ${error.message}`));
      page.on('console', (message) => message.type() === 'error' && problems.push(`${name}: console error: ${message.text()}`));
      await page.goto(url, { waitUntil: 'load' });
      return page;
    },
    async shot(page, file) {
      await sleep(800);
      await page.screenshot({ path: join(outDir, file) });
      console.log(`  screenshot ${join(outDir, file)}`);
    },
    /** Four screenshots of `page`, `name-size-scheme.png`: both sizes, light and dark; back to desktop and light after. */
    async shots(page, name) {
      for (const [size, viewport] of Object.entries(SIZES)) {
        await page.setViewport(viewport);
        for (const scheme of ['light', 'dark']) {
          await page.emulateMediaFeatures([{ name: 'prefers-color-scheme', value: scheme }]);
          await sleep(700);
          const file = join(outDir, `${name}-${size}-${scheme}.png`);
          await page.screenshot({ path: file });
          console.log(`  screenshot ${file}`);
        }
      }
      await page.setViewport(SIZES.desktop);
      await page.emulateMediaFeatures([{ name: 'prefers-color-scheme', value: 'light' }]);
    },
  };
  try {
    await steps(session);
  } catch (error) {
    problems.push(`FAILED: ${error.stack ?? error}`);
  } finally {
    await Promise.allSettled(browsers.map((browser) => browser.close()));
    server.kill('SIGTERM');
  }
  if (problems.length) {
    console.log(`Problems:\n${problems.join('\n')}`);
    process.exitCode = 1;
  }
}
