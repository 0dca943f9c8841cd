import { execFileSync } from "node:child_process";
import * as path from "node:path";
import { expect, type Page } from "@playwright/test";
import { hydrated } from "./fixtures";

/**
 * Test data goes in through the same `carelink` CLI that clinics use, against the database of
 * the server under test (CARELINK_E2E_DATABASE_URL, set by playwright.config.ts or by whoever
 * runs the tests against their own server).
 */
const binary = process.env.CARELINK_BIN ?? path.resolve(__dirname, "../../target/release/carelink");

function carelink(args: string[], input?: string): string {
  return execFileSync(binary, args, {
    input,
    encoding: "utf8",
    env: {
      ...process.env,
      DATABASE_URL: process.env.CARELINK_E2E_DATABASE_URL,
      PUBLIC_URL: process.env.E2E_BASE_URL,
      RUST_LOG: "warn",
    },
  });
}

export const PASSWORD = "a long and happy passphrase";

/**
 * A new patient with a unique email; with the password above unless `invited`; reading the
 * portal in `language` ("en" or "fr") when given, as a clinic may set it.
 */
export function addPatient(name: string, options: { invited?: boolean; language?: "en" | "fr" } = {}): string {
  // Letters outside a-z (é, ô) become dashes, never the address's first character.
  const slug = name.toLowerCase().replace(/[^a-z0-9]+/g, "-").replace(/^-+|-+$/g, "");
  const email = `${slug}-${Date.now()}-${Math.floor(Math.random() * 1e6)}@example.org`;
  const language = options.language ? ["--language", options.language] : [];
  if (options.invited) {
    carelink(["user", "add", "--email", email, "--name", name, ...language]);
  } else {
    carelink(["user", "add", "--email", email, "--name", name, ...language, "--password-stdin"], `${PASSWORD}\n`);
  }
  return email;
}

/**
 * Books an appointment `inDays` from now (negative: in the past), or at a given moment, and
 * returns its id.
 */
export function addAppointment(email: string, clinician: string, when: number | Date): number {
  const at = typeof when === "number" ? new Date(Date.now() + when * 86_400_000) : when;
  const startsAt = at.toISOString().replace(/\.\d+Z$/, "Z");
  const out = carelink(["appointment", "add", "--email", email, "--starts-at", startsAt, "--clinician", clinician,
    "--video-url", "https://video.example.org/room"]);
  return idIn(out, /Booked appointment (\d+)/);
}

/** Records a response to the form `title` and returns its id. */
export function addFormResponse(email: string, title: string, answers: string[]): number {
  const out = carelink(["form-response", "add", "--email", email, "--form", title,
    ...answers.flatMap((answer) => ["--answer", answer])]);
  return idIn(out, /Recorded form response (\d+)/);
}

/**
 * A key for a clinic's system (docs/api.md), made with the CLI as the clinic's IT team makes
 * one; it is the last line the command prints.
 */
export function apiKey(name: string, scopes: string[]): string {
  const out = carelink(["api-key", "add", "--name", name, ...scopes.flatMap((s) => ["--scope", s])]);
  return out.trim().split("\n").pop()!;
}

function idIn(output: string, pattern: RegExp): number {
  const match = output.match(pattern);
  if (!match) throw new Error(`the CLI did not say what it added: ${output}`);
  return Number(match[1]);
}

export interface Mail {
  to: string;
  subject: string;
  text: string;
  html: string;
}

/**
 * Waits for the `count`-th message to `email` whose subject matches, at the mail catcher (the
 * real SMTP server the portal delivers to in these tests), and returns it.
 */
export async function mailTo(email: string, subject: string | RegExp, count = 1): Promise<Mail> {
  const api = process.env.E2E_MAIL_API;
  if (!api) throw new Error("E2E_MAIL_API is not set: run the tests through playwright.config.ts");
  let mails: Mail[] = [];
  await expect
    .poll(
      async () => {
        const response = await fetch(`${api}/messages?to=${encodeURIComponent(email)}`);
        mails = ((await response.json()) as Mail[]).filter((m) =>
          typeof subject === "string" ? m.subject === subject : subject.test(m.subject),
        );
        return mails.length;
      },
      { message: `message #${count} "${subject}" for ${email}`, timeout: 15_000 },
    )
    .toBeGreaterThanOrEqual(count);
  return mails[count - 1];
}

/** The link behind a message's button (`label`), from its text part ("Label: URL"; French puts a
 * no-break space before the colon). */
export function buttonLink(mail: Mail, label = "Log In"): string {
  const match = mail.text.match(new RegExp(`${label}\\s?: (\\S+)`));
  if (!match) throw new Error(`no "${label}" link in "${mail.subject}":\n${mail.text}`);
  return match[1];
}

export const LOGIN_MAIL = "Your secure login link";

/** The passwordless button, as the help article names it on this kind of device. */
export function sendLinkButton(page: Page, isMobile: boolean) {
  return page.getByRole("button", { name: isMobile ? "Sign in without password" : "Send Secure Login Link" });
}

/** Asks for a Secure Login Link on `page`, as a patient does, up to the confirmation screen. */
export async function requestLink(page: Page, email: string, isMobile: boolean): Promise<void> {
  await page.goto("/login");
  await hydrated(page);
  await page.getByLabel("Email address").first().fill(email);
  await sendLinkButton(page, isMobile).click();
  await expect(page).toHaveURL(/\/login\/check-email/);
}

/** Signs `email` in with the password form and waits for the appointments page. */
export async function signIn(page: Page, email: string): Promise<void> {
  await page.goto("/login");
  await submitPassword(page, email);
  await expect(page).toHaveURL(/\/appointments$/);
}

/** Fills and sends the password form of the login page `page` is on. */
export async function submitPassword(page: Page, email: string, password = PASSWORD): Promise<void> {
  await hydrated(page);
  await page.getByText("Log in with your password instead").click();
  await page.locator("#password-email").fill(email);
  await page.getByLabel("Password").fill(password);
  await page.getByRole("button", { name: "Log in", exact: true }).click();
}

/**
 * The phone's way to sign in the browser that asked: "Log in on the computer that asked", or,
 * when a phone asked (perhaps this very one, in another browser), "the browser that asked".
 */
export const THAT_ASKED = /^Log in on the (computer|browser) that asked/;

/** On a phone showing a login link's page: chooses to log in the browser that asked. */
export async function chooseThatAsked(phone: Page): Promise<void> {
  await phone.getByRole("link", { name: THAT_ASKED }).click();
  await expect(phone.getByRole("heading", { name: THAT_ASKED })).toBeVisible();
}

/** Types `number` where the phone asks for the number on the other screen, and sends it. */
export async function typeNumber(phone: Page, number: string): Promise<void> {
  await phone.getByLabel(/^The number on the screen of the (computer|browser) that asked$/).fill(number);
  await phone.getByRole("button", { name: "Log in there" }).click();
}

/** A two-digit number that is not `number`: a wrong one to type. */
export function otherThan(number: string): string {
  return number === "99" ? "10" : String(Number(number) + 1);
}

/**
 * Gives `page` a device that holds passkeys: Chromium's virtual authenticator (the DevTools
 * WebAuthn domain), with discoverable credentials and user verification, as a phone's
 * fingerprint or a laptop's screen lock.
 */
export async function withAuthenticator(page: Page): Promise<void> {
  const cdp = await page.context().newCDPSession(page);
  await cdp.send("WebAuthn.enable", { enableUI: false });
  await cdp.send("WebAuthn.addVirtualAuthenticator", {
    options: {
      protocol: "ctap2",
      ctap2Version: "ctap2_1",
      transport: "internal",
      hasResidentKey: true,
      hasUserVerification: true,
      isUserVerified: true,
      automaticPresenceSimulation: true,
    },
  });
}
