/** The system's Chromium driven by playwright-core, for the web UI's browser tests (no browser download). */
import { chromium, type Browser, type BrowserContext, type Page } from 'playwright-core';
import { findChromium } from '../../workers/setup/ensure-chromium.js';

/**
 * Flags for a quiet, self-contained browser: no sandbox (tests run as root in containers), and none of the
 * background services that would try to reach outside hosts (component updates, sync, field trials, QUIC).
 * playwright's launch gives every browser a fresh, temporary user-data-dir.
 */
export const CHROMIUM_ARGS = [
  '--no-sandbox',
  '--disable-gpu',
  // Container /dev/shm is often 64 MB, too small for Chromium's shared memory.
  '--disable-dev-shm-usage',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--disable-default-apps',
  '--disable-domain-reliability',
  '--metrics-recording-only',
];

export async function launchChromium(): Promise<Browser> {
  const executablePath = await findChromium();
  if (!executablePath) {
    throw new Error('Chromium was not found: `npm test` installs it (Debian, as root); otherwise install chromium or set AIRLOCK_CHROMIUM_PATH');
  }
  return chromium.launch({ executablePath, headless: true, args: CHROMIUM_ARGS });
}

/** Console errors and uncaught exceptions a page produced; a test asserts the list stays empty. */
export function collectPageErrors(page: Page): string[] {
  const errors: string[] = [];
  page.on('console', (message) => {
    if (message.type() === 'error') errors.push(`console: ${message.text()}`);
  });
  page.on('pageerror', (error) => errors.push(`exception: ${error.message}`));
  return errors;
}

/** A separate browser session (own cookies) with a page that records its errors. */
export async function openSession(browser: Browser, viewport = { width: 1280, height: 900 }): Promise<{ context: BrowserContext; page: Page; errors: string[] }> {
  const context = await browser.newContext({ viewport });
  const page = await context.newPage();
  page.setDefaultTimeout(20_000);
  return { context, page, errors: collectPageErrors(page) };
}

/** Signs in through the form, as a person would. */
export async function signIn(page: Page, baseUrl: string, token: string): Promise<void> {
  await page.goto(`${baseUrl}/sign-in`);
  await page.getByLabel('API token').fill(token);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await page.waitForURL(`${baseUrl}/`);
}
