import { defineConfig, devices } from "@playwright/test";
import * as os from "node:os";
import * as path from "node:path";

// Point the tests at a server that already runs (BASE_URL), or let Playwright start the built
// binary on its own port and a fresh database.
const port = Number(process.env.E2E_PORT ?? 3100);
const baseURL = process.env.BASE_URL ?? `http://127.0.0.1:${port}`;
// For the CLI that tests/support.ts runs: links in the mail it queues point at this server.
process.env.E2E_BASE_URL = baseURL;
const projectRoot = path.resolve(__dirname, "..");
// The mail catcher (mail-catcher.mjs): the portal delivers to its SMTP port; the tests read it.
const smtpPort = Number(process.env.E2E_SMTP_PORT ?? 2525);
const mailPort = Number(process.env.E2E_MAIL_PORT ?? 3101);
process.env.E2E_MAIL_API ??= `http://127.0.0.1:${mailPort}`;

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
    // The narrowest phones still in use: the layout and accessibility checks only.
    {
      name: "narrow",
      testMatch: /accessibility\.spec\.ts/,
      use: { ...devices["Pixel 7"], viewport: { width: 320, height: 640 }, launchOptions },
    },
  ],
  webServer: process.env.BASE_URL
    ? undefined
    : [
        {
          command: "node mail-catcher.mjs",
          url: `${process.env.E2E_MAIL_API}/health`,
          reuseExistingServer: !process.env.CI,
          timeout: 30_000,
          env: { E2E_SMTP_PORT: String(smtpPort), E2E_MAIL_PORT: String(mailPort) },
        },
        {
          command: `"${process.env.CARELINK_BIN ?? path.join(projectRoot, "target/release/carelink")}" serve`,
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
            SMTP_URL: `smtp://127.0.0.1:${smtpPort}`,
            RUST_LOG: process.env.RUST_LOG ?? "warn,carelink=info",
          },
        },
      ],
});
