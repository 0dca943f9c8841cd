import { defineConfig, devices } from "@playwright/test";
import * as os from "node:os";
import * as path from "node:path";

// Point the tests at a server that already runs (BASE_URL), or let Playwright start the built
// binary on its own port and a fresh database.
const port = Number(process.env.E2E_PORT ?? 3100);
const baseURL = process.env.BASE_URL ?? `http://127.0.0.1:${port}`;
const projectRoot = path.resolve(__dirname, "..");

// One fresh database per run. The config is evaluated again in every worker; the variable set
// here is inherited by them, so they all agree on the file.
process.env.CARELINK_E2E_DB ??= path.join(
  os.tmpdir(),
  `carelink-e2e-${process.pid}-${Date.now()}.db`,
);

const launchOptions = {
  executablePath: process.env.CHROMIUM_PATH ?? "/usr/bin/chromium",
  // Chromium's own background traffic would only hit this machine's closed network.
  args: [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
  ],
};

export default defineConfig({
  testDir: "./tests",
  timeout: 30_000,
  expect: { timeout: 10_000 },
  fullyParallel: true,
  forbidOnly: !!process.env.CI,
  retries: 0,
  workers: Number(process.env.E2E_WORKERS ?? 2),
  reporter: [["list"], ["html", { open: "never" }]],
  use: {
    baseURL,
    trace: "retain-on-failure",
    screenshot: "only-on-failure",
  },
  projects: [
    { name: "desktop", use: { ...devices["Desktop Chrome"], launchOptions } },
    { name: "mobile", use: { ...devices["Pixel 7"], launchOptions } },
  ],
  webServer: process.env.BASE_URL
    ? undefined
    : {
        command: `"${process.env.CARELINK_BIN ?? path.join(projectRoot, "target/debug/carelink")}" serve`,
        cwd: projectRoot,
        url: `${baseURL}/health`,
        reuseExistingServer: !process.env.CI,
        timeout: 60_000,
        stdout: "pipe",
        stderr: "pipe",
        env: {
          LEPTOS_ENV: "DEV",
          LEPTOS_SITE_ADDR: `127.0.0.1:${port}`,
          LEPTOS_SITE_ROOT: path.join(projectRoot, "target/site"),
          DATABASE_URL: `sqlite://${process.env.CARELINK_E2E_DB}`,
          RUST_LOG: process.env.RUST_LOG ?? "warn,carelink=info",
        },
      },
});
