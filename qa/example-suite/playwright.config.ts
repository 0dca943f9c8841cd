import { defineConfig, devices } from "@playwright/test";

// The portal under test and its testing API's token: a clinic's staging portal, or
// `scripts/run` on this machine (it prints both).
const baseURL = process.env.CARELINK_URL ?? "http://127.0.0.1:3000";

// Debian's Chromium when Playwright's own browsers are not installed (CHROMIUM_PATH).
const launchOptions = process.env.CHROMIUM_PATH
  ? { executablePath: process.env.CHROMIUM_PATH, args: ["--no-sandbox"] }
  : {};

const clock = /expiry\.spec\.ts/;
const noScripts = /no-javascript\.spec\.ts/;

export default defineConfig({
  testDir: "./tests",
  globalTeardown: "./global-teardown.ts",
  timeout: 30_000,
  expect: { timeout: 10_000 },
  fullyParallel: true,
  forbidOnly: !!process.env.CI,
  retries: process.env.CI ? 1 : 0,
  workers: Number(process.env.QA_WORKERS ?? 2),
  // A JUnit file for the CI's test tab, an HTML report to open when something fails.
  reporter: [
    ["list"],
    ["junit", { outputFile: "results/junit.xml" }],
    ["html", { outputFolder: "results/html", open: "never" }],
  ],
  use: { baseURL, trace: "retain-on-failure", screenshot: "only-on-failure", launchOptions },
  projects: [
    { name: "desktop", testIgnore: [clock, noScripts], use: { ...devices["Desktop Chrome"] } },
    { name: "phone", testIgnore: [clock, noScripts], use: { ...devices["Pixel 7"] } },
    { name: "no JavaScript", testMatch: noScripts, use: { ...devices["Desktop Chrome"], javaScriptEnabled: false } },
    // Moving the clock moves it for every test running at that moment: these run last, alone.
    {
      name: "clock",
      testMatch: clock,
      dependencies: ["desktop", "phone", "no JavaScript"],
      fullyParallel: false,
      use: { ...devices["Desktop Chrome"] },
    },
  ],
});
