import { test, expect, hydrated } from "./fixtures";
import type { Page } from "@playwright/test";
import {
  LOGIN_MAIL,
  addPatient,
  buttonLink,
  mailTo,
  requestLink,
  sendLinkButton,
  withAuthenticator,
} from "./support";

// A benchmark, not a check (run with E2E_TIMING=1, see docs/qa.md): the time from pressing the
// sign-in button to the appointments page, twenty times, by passkey and by Secure Login Link (the
// email delivered over real SMTP to the mail catcher, read as soon as it lands). Prints medians.

const RUNS = 20;

function median(times: number[]): number {
  const sorted = [...times].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)];
}

function report(what: string, times: number[]): void {
  const line = `${what}: median ${median(times)} ms, fastest ${Math.min(...times)} ms, slowest ${Math.max(...times)} ms (${times.length} runs)`;
  console.log(line);
  test.info().annotations.push({ type: "timing", description: line });
}

async function atAppointments(page: Page): Promise<void> {
  await expect(page).toHaveURL(/\/appointments$/);
  await expect(page.getByRole("heading", { name: "Your appointments" })).toBeVisible();
}

test("sign in with a passkey", async ({ page, isMobile }) => {
  test.setTimeout(120_000);
  const email = addPatient("Tim Passkey");
  await withAuthenticator(page);
  await requestLink(page, email, isMobile);
  await page.goto(buttonLink(await mailTo(email, LOGIN_MAIL)));
  await page.getByRole("button", { name: "Save a passkey" }).click();
  await expect(page.getByText(/^Passkey saved/)).toBeVisible();
  const times: number[] = [];
  for (let run = 0; run < RUNS; run++) {
    await page.getByRole("button", { name: "Sign out", exact: true }).click();
    await expect(page).toHaveURL(/\/login$/);
    await hydrated(page);
    const started = Date.now();
    await page.getByRole("button", { name: "Sign in with a passkey" }).click();
    await atAppointments(page);
    times.push(Date.now() - started);
  }
  report("passkey", times);
});

test("sign in with a Secure Login Link", async ({ page, isMobile }) => {
  test.setTimeout(300_000);
  const times: number[] = [];
  for (let run = 0; run < RUNS; run++) {
    // A patient each time: one email a minute per address.
    const email = addPatient(`Lin Link ${run}`);
    await page.context().clearCookies();
    await page.goto("/login");
    await hydrated(page);
    await page.getByLabel("Email address").first().fill(email);
    const started = Date.now();
    await sendLinkButton(page, isMobile).click();
    await expect(page).toHaveURL(/\/login\/check-email/);
    const link = await firstLink(email);
    await page.goto(link);
    await atAppointments(page);
    times.push(Date.now() - started);
  }
  report("Secure Login Link", times);
});

/** The login link emailed to `email`, read the moment it reaches the mail catcher. */
async function firstLink(email: string): Promise<string> {
  const api = `${process.env.E2E_MAIL_API}/messages?to=${encodeURIComponent(email)}`;
  for (;;) {
    const mails = (await (await fetch(api)).json()) as { subject: string; text: string }[];
    const mail = mails.find((m) => m.subject === LOGIN_MAIL);
    if (mail) return buttonLink(mail as Parameters<typeof buttonLink>[0]);
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}
