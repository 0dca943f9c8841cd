import { test, expect, hydrated } from "./fixtures";

test("the login page hydrates without a console error", async ({ page }) => {
  const wasm = page.waitForResponse((r) => r.url().endsWith(".wasm"));
  await page.goto("/login");
  expect((await wasm).status()).toBe(200);
  await hydrated(page);
  await expect(page).toHaveTitle("Log in · Carelink");
  await expect(page.getByRole("heading", { level: 1 })).toHaveText("Log in to Carelink");
});
