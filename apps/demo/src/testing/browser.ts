import { existsSync } from 'node:fs';
import { type Browser, chromium } from 'playwright-core';

/** Debian's chromium; `CHROMIUM_PATH` points elsewhere. */
export const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
export const hasChromium = existsSync(CHROMIUM);
/** Browser tests skip without chromium, except in CI, which installs it: there they fail. */
export const skipBrowserTests = !hasChromium && !process.env.CI;
if (skipBrowserTests) {
  console.warn(`e2e: ${CHROMIUM} not found, skipping the browser tests (apt-get install chromium)`);
}

/** Headless chromium with a fake microphone that needs no permission prompt. */
export async function launchChromium(): Promise<Browser> {
  if (!hasChromium) throw new Error(`CI is set but ${CHROMIUM} is missing: apt-get install chromium`);
  return chromium.launch({
    executablePath: CHROMIUM,
    args: ['--use-fake-ui-for-media-stream', '--use-fake-device-for-media-stream'],
  });
}
