import { test as base, expect, type Page } from "@playwright/test";

/**
 * Every test gets a page that fails the test on any console error or uncaught exception: a
 * hydration mismatch, a panic in the WASM client, or a script, style or connection that the
 * Content-Security-Policy refused ("Refused to execute inline script...") shows up there first.
 * Chromium also logs every 4xx response as an error; those are the app's deliberate refusals (a
 * wrong password is a 401), which the tests check on the page itself. 5xx responses still fail
 * the test.
 */
const EXPECTED_REFUSAL = /^Failed to load resource: the server responded with a status of 4\d\d/;

/**
 * An address of its own for each test's browser (the portal believes the test proxy's
 * X-Forwarded-For): the per-client limits are the portal's, not the run's, and each test is
 * one patient's device, not the whole suite's.
 */
export function clientAddress(seed: string): string {
  let hash = 0;
  for (const c of seed) hash = (hash * 31 + c.charCodeAt(0)) >>> 0;
  return `198.18.${(hash >>> 8) & 255}.${(hash & 255) || 1}`;
}

export const test = base.extend<{ consoleErrors: string[] }>({
  extraHTTPHeaders: async ({}, use, testInfo) => {
    await use({ "x-forwarded-for": clientAddress(testInfo.testId) });
  },
  consoleErrors: [
    async ({ page }, use) => {
      const errors: string[] = [];
      page.on("console", (message) => {
        if (message.type() === "error" && !EXPECTED_REFUSAL.test(message.text())) {
          errors.push(message.text());
        }
      });
      page.on("pageerror", (error) => errors.push(error.message));
      await use(errors);
      expect(errors, "console errors").toEqual([]);
    },
    { auto: true },
  ],
});

export { expect };

/** Waits until the WASM client has hydrated the page, so that clicks reach its handlers. */
export async function hydrated(page: Page): Promise<void> {
  await expect(page.locator("body")).toHaveAttribute("data-hydrated", "true");
}
