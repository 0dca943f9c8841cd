import { test as base, expect, type Page } from "@playwright/test";

/**
 * Every test gets a page that fails the test on any console error or uncaught exception: a
 * hydration mismatch or a panic in the WASM client shows up there first.
 */
export const test = base.extend<{ consoleErrors: string[] }>({
  consoleErrors: [
    async ({ page }, use) => {
      const errors: string[] = [];
      page.on("console", (message) => {
        if (message.type() === "error") errors.push(message.text());
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
