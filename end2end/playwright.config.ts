import { defineConfig, devices } from "@playwright/test";
import * as crypto from "node:crypto";
import * as os from "node:os";
import * as path from "node:path";

// Point the tests at a server that already runs (BASE_URL), or let Playwright start the built
// binary on its own port and a fresh database.
const port = Number(process.env.E2E_PORT ?? 3100);
/** One key for the instances of a run, as a clinic's instances share theirs. */
const serverKey = crypto.randomBytes(32).toString("hex");
// A name, not an address: passkeys need one (a browser refuses an IP address as their relying
// party). The servers listen on 127.0.0.1, which the browser reaches by that name.
const baseURL = process.env.BASE_URL ?? `http://localhost:${port}`;
// For the CLI that tests/support.ts runs: links in the mail it queues point at this server.
process.env.E2E_BASE_URL = baseURL;
const projectRoot = path.resolve(__dirname, "..");
// The mail catcher (mail-catcher.mjs): the portal delivers to its SMTP port; the tests read it.
const smtpPort = Number(process.env.E2E_SMTP_PORT ?? 2525);
const mailPort = Number(process.env.E2E_MAIL_PORT ?? 3101);
process.env.E2E_MAIL_API ??= `http://127.0.0.1:${mailPort}`;

// One fresh database per run: a new SQLite file, unless CARELINK_E2E_DATABASE_URL names an
// empty one (scripts/test gives a PostgreSQL database for the two-instance pass). The config is
// evaluated again in every worker; the variable set here is inherited by them, so they agree.
process.env.CARELINK_E2E_DATABASE_URL ??= `sqlite://${path.join(
  os.tmpdir(),
  `carelink-e2e-${process.pid}-${Date.now()}.db`,
)}`;
// E2E_INSTANCES=2: two instances on that database behind HAProxy (deploy/haproxy.cfg) at
// baseURL, as a health network runs them; each request may reach either.
const instances = Number(process.env.E2E_INSTANCES ?? 1);

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

const noScripts = /no-javascript\.spec\.ts/;
/** A French-speaking patient's flows, run by the "(fr)" projects only. */
const french = /french\.spec\.ts/;
/** A benchmark of sign-in times (E2E_TIMING=1), not a check: left out of test runs. */
const timing = process.env.E2E_TIMING ? /^$/ : /sign-in-times\.spec\.ts/;

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
    { name: "desktop", testIgnore: [noScripts, french, timing], use: { ...devices["Desktop Chrome"], launchOptions } },
    { name: "mobile", testIgnore: [noScripts, french, timing], use: { ...devices["Pixel 7"], launchOptions } },
    // A browser that asks for Canadian French: on a computer, on a phone, and on a phone with
    // scripts off.
    { name: "desktop (fr)", testMatch: french, use: { ...devices["Desktop Chrome"], locale: "fr-CA", launchOptions } },
    { name: "mobile (fr)", testMatch: french, use: { ...devices["Pixel 7"], locale: "fr-CA", launchOptions } },
    {
      name: "no JavaScript (fr)",
      testMatch: french,
      use: { ...devices["Pixel 7"], locale: "fr-CA", javaScriptEnabled: false, launchOptions },
    },
    // Scripts off, as in locked-down hospital browsers and before the WASM arrives: every flow
    // that makes sense without them, from the HTML alone.
    {
      name: "no JavaScript",
      testMatch: noScripts,
      use: { ...devices["Desktop Chrome"], javaScriptEnabled: false, launchOptions },
    },
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
        ...(instances === 1 ? [portal(port)] : [portal(port + 2), portal(port + 3), balancer()]),
      ],
});

/** `carelink serve` on `at`, for patients at baseURL. */
function portal(at: number) {
  return {
    command: `"${process.env.CARELINK_BIN ?? path.join(projectRoot, "target/release/carelink")}" serve`,
    cwd: projectRoot,
    url: `http://127.0.0.1:${at}/health`,
    reuseExistingServer: !process.env.CI,
    timeout: 60_000,
    stdout: "pipe" as const,
    stderr: "pipe" as const,
    env: {
      LEPTOS_ENV: "DEV",
      LEPTOS_SITE_ADDR: `127.0.0.1:${at}`,
      METRICS_ADDR: `127.0.0.1:${at + 100}`,
      SERVER_KEY: serverKey,
      LEPTOS_SITE_ROOT: path.join(projectRoot, "target/site"),
      PUBLIC_URL: baseURL,
      DATABASE_URL: process.env.CARELINK_E2E_DATABASE_URL!,
      SMTP_URL: `smtp://127.0.0.1:${smtpPort}`,
      // As behind a proxy on this machine (the balancer, when there is one): the tests name each
      // client's address and city, so that devices of one test are told apart as they would be.
      TRUSTED_PROXIES: "127.0.0.1",
      LOCATION_HEADER: "x-e2e-city",
      RUST_LOG: process.env.RUST_LOG ?? "warn,carelink=info",
    },
  };
}

function balancer() {
  return {
    command: `haproxy -f "${path.join(projectRoot, "deploy/haproxy.cfg")}" -db`,
    url: `${baseURL}/health`,
    reuseExistingServer: !process.env.CI,
    timeout: 30_000,
    env: {
      CARELINK_LISTEN: `127.0.0.1:${port}`,
      CARELINK_A: `127.0.0.1:${port + 2}`,
      CARELINK_B: `127.0.0.1:${port + 3}`,
      CARELINK_SHOW_INSTANCE: "yes",
      // Every browser of the run is one source here (127.0.0.1); the portal tells them apart by
      // the X-Forwarded-For each test sends.
      CARELINK_SOURCE_CONNECTIONS: "100000",
      CARELINK_SOURCE_NEW_CONNECTIONS: "100000",
      CARELINK_SOURCE_REQUESTS: "1000000",
    },
  };
}
