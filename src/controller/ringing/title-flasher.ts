/** How long each of the two titles stays up while the tab title flashes. */
const FLASH_INTERVAL_MS = 1000;

/**
 * One per document: several controllers on one page (tests do this) may ring at once, and each must
 * not take the other's flashing text for the page's own title.
 */
const flashing = new Map<object, string>();
let pageTitle = '';
let timer: ReturnType<typeof setInterval> | undefined;
/** The alert text we last put up, while it is up. */
let shownAlert: string | null = null;

function alertText(): string | undefined {
  return [...flashing.values()].at(-1);
}

function tick(): void {
  const text = alertText();
  if (text === undefined) return;
  // The page renamed itself meanwhile: that is the title to come back to.
  if (document.title !== shownAlert && document.title !== pageTitle) pageTitle = document.title;
  shownAlert = shownAlert === null ? text : null;
  document.title = shownAlert ?? pageTitle;
}

/**
 * Alternates the tab's title between `text` and the page's own title until {@link stopFlashing}
 * for the same `owner`, which puts the page's title back once nobody flashes any more.
 */
export function flashTitle(owner: object, text: string): void {
  if (flashing.size === 0) {
    pageTitle = document.title;
    shownAlert = null;
  }
  flashing.set(owner, text);
  if (timer === undefined) {
    tick();
    timer = setInterval(tick, FLASH_INTERVAL_MS);
  }
}

export function stopFlashing(owner: object): void {
  if (!flashing.delete(owner) || flashing.size > 0) return;
  clearInterval(timer);
  timer = undefined;
  if (shownAlert !== null && document.title === shownAlert) document.title = pageTitle;
  shownAlert = null;
}
