import { test, expect, hydrated } from "./fixtures";

test("the start page hydrates without a console error", async ({ page }) => {
  const wasm = page.waitForResponse((r) => r.url().endsWith(".wasm"));
  await page.goto("/");
  expect((await wasm).status()).toBe(200);
  await hydrated(page);
  await expect(page).toHaveTitle("Carelink");
  await expect(page.getByRole("heading", { level: 1 })).toHaveText("Your virtual care, one click away");
});
