// @carelink/playwright-kit: Playwright fixtures and page objects for a Carelink portal, through
// its testing API (/testing, on when the portal has TESTING_API_TOKEN). See README.md.
import { randomBytes } from "node:crypto";
import { test as base, expect } from "@playwright/test";

export { expect };

/** Email kinds, as the testing API names them. */
export const EMAIL = {
  loginLink: "login_link",
  setPassword: "set_password",
  appointmentCreated: "appointment_created",
  formResponse: "form_response",
};

/** A client of the testing API: records, emails, sign-in, clock. */
export class Carelink {
  /** @param {{ baseURL: string, token: string }} options */
  constructor({ baseURL, token }) {
    if (!baseURL) throw new Error("Carelink: no baseURL (set use.baseURL or CARELINK_URL)");
    if (!token) throw new Error("Carelink: no token (set CARELINK_TESTING_TOKEN to the portal's TESTING_API_TOKEN)");
    this.baseURL = baseURL.replace(/\/$/, "");
    this.token = token;
  }

  async call(method, path, body) {
    const response = await fetch(`${this.baseURL}/testing${path}`, {
      method,
      headers: {
        authorization: `Bearer ${this.token}`,
        ...(body === undefined ? {} : { "content-type": "application/json" }),
      },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    const text = await response.text();
    let answer;
    try {
      answer = JSON.parse(text);
    } catch {
      throw new Error(`${method} /testing${path}: ${response.status}, not the testing API's JSON (is baseURL a Carelink portal?): ${text.slice(0, 200)}`);
    }
    if (!response.ok) throw new Error(`${method} /testing${path}: ${response.status}: ${answer.error}`);
    return answer;
  }

  /**
   * A new patient, with a strong random password unless `invited`; a unique address unless
   * given; reading the portal in `language` ("en" or "fr") if given, else the clinic's.
   */
  async createPatient({ email, name = "Test Patient", password, invited = false, timeZone, language } = {}) {
    email ??= uniqueEmail();
    password = invited ? undefined : (password ?? `carelink ${randomBytes(12).toString("base64url")}`);
    const created = await this.call("POST", "/patients", { email, name, password, time_zone: timeZone, language });
    return { ...created, password };
  }

  removePatient(email) {
    return this.call("DELETE", `/patients/${encodeURIComponent(email)}`);
  }

  /** Books an appointment; the patient is emailed "New appointment created". */
  bookAppointment({ email, startsAt, clinician, reason, videoUrl }) {
    const starts_at = startsAt instanceof Date ? startsAt.toISOString().replace(/\.\d+Z$/, "Z") : startsAt;
    return this.call("POST", "/appointments", { email, starts_at, clinician, reason, video_url: videoUrl });
  }

  /** Records a form response (answers as `{ question: answer }`); the patient is emailed "New form response". */
  recordFormResponse({ email, title, answers = {} }) {
    const list = Array.isArray(answers) ? answers : Object.entries(answers).map(([question, answer]) => ({ question, answer }));
    return this.call("POST", "/form-responses", { email, title, answers: list });
  }

  /** The patient's emails, newest first (Mailpit's message shape, plus LoginLink, Code, Links, Kind). */
  async messages(to, { limit = 50 } = {}) {
    const answer = await this.call("GET", `/messages?to=${encodeURIComponent(to)}&limit=${limit}`);
    return answer.messages;
  }

  /**
   * Waits for an email to `to` matching `kind` and/or `subject`, newer than any seen before
   * `since` (a count from `messages()`), and returns it.
   */
  async waitForEmail(to, { kind, subject, since = 0, timeout = 15_000 } = {}) {
    const deadline = Date.now() + timeout;
    for (;;) {
      const { total, messages: all } = await this.call("GET", `/messages?to=${encodeURIComponent(to)}&limit=500`);
      const fresh = all.slice(0, Math.max(0, total - since));
      const found = fresh.find((m) => (!kind || m.Kind === kind) && (!subject || (subject instanceof RegExp ? subject.test(m.Subject) : m.Subject === subject)));
      if (found) return found;
      if (Date.now() > deadline) {
        throw new Error(`no email${kind ? ` of kind ${kind}` : ""}${subject ? ` "${subject}"` : ""} to ${to} within ${timeout} ms; it has: ${all.map((m) => m.Subject).join(", ") || "nothing"}`);
      }
      await new Promise((resolve) => setTimeout(resolve, 200));
    }
  }

  /** The Secure Login Link in the newest login email to `to`. */
  async loginLink(to, options = {}) {
    return (await this.waitForEmail(to, { ...options, kind: EMAIL.loginLink })).LoginLink;
  }

  /** The sign-in code ("1234 5678") in the newest login email to `to`. */
  async signInCode(to, options = {}) {
    return (await this.waitForEmail(to, { ...options, kind: EMAIL.loginLink })).Code;
  }

  /** Signs the patient in: Playwright's storageState ({ cookies, origins }). */
  signIn(email) {
    return this.call("POST", "/sign-in", { email });
  }

  /** A test client's header ({ header, value }): its browser's requests spend a budget of their own. */
  newClient() {
    return this.call("POST", "/clients");
  }

  /** Moves the portal's clock forward (seconds, or { minutes, hours, days }); every test sees it. */
  advanceClock(by) {
    const seconds = typeof by === "number" ? by : (by.seconds ?? 0) + 60 * (by.minutes ?? 0) + 3600 * (by.hours ?? 0) + 86400 * (by.days ?? 0);
    return this.call("POST", "/clock", { advance_seconds: Math.round(seconds) });
  }

  /** Removes every patient the testing API created, with their records and emails. */
  removeEverything() {
    return this.call("DELETE", "/data");
  }
}

/** A fresh address nobody has: qa-<random>@example.org. */
export function uniqueEmail(prefix = "qa") {
  return `${prefix}-${Date.now().toString(36)}-${randomBytes(4).toString("hex")}@example.org`;
}

/**
 * Waits until the page's scripts have run, so that clicks reach them. With JavaScript off the
 * page's first script never swaps `no-js` on <html>, and there is nothing to wait for.
 */
export async function hydrated(page) {
  if ((await page.locator("html.no-js").count()) > 0) return;
  await expect(page.locator("body")).toHaveAttribute("data-hydrated", "true");
}

/** The login page: a Secure Login Link first, the password form second. */
export class LoginPage {
  constructor(page) {
    this.page = page;
    this.email = page.getByLabel("Email address").first();
    /** "Send Secure Login Link" on a computer, "Sign in without password" on a phone. */
    this.sendLink = page.getByRole("button", { name: /^(Send Secure Login Link|Sign in without password)$/ });
    this.usePassword = page.getByText("Log in with your password instead");
    this.passwordEmail = page.locator("#password-email");
    this.password = page.getByLabel("Password", { exact: true });
    this.logIn = page.getByRole("button", { name: "Log in", exact: true });
    this.forgotPassword = page.getByRole("link", { name: "Forgot password?" });
  }

  async goto() {
    await this.page.goto("/login");
    await hydrated(this.page);
  }

  /** Asks for a Secure Login Link, up to the "Check your email" screen. */
  async askForLink(email) {
    await this.email.fill(email);
    await this.sendLink.click();
    await expect(this.page).toHaveURL(/\/login\/check-email/);
    return new CheckEmailPage(this.page);
  }

  async signInWithPassword(email, password) {
    if (await this.usePassword.isVisible()) await this.usePassword.click();
    await this.passwordEmail.fill(email);
    await this.password.fill(password);
    await this.logIn.click();
  }
}

/** "Check your email": the code from the email, or a phone's approval. */
export class CheckEmailPage {
  constructor(page) {
    this.page = page;
    this.heading = page.getByRole("heading", { name: "Check your email" });
    this.code = page.getByLabel("Sign-in code");
    this.logInWithCode = page.getByRole("button", { name: "Log In with code" });
    this.waitingForPhone = page.getByText("Waiting for your phone…");
  }

  /** The two-digit number this screen shows, for the phone to type ("Log in on the computer that asked"). */
  async approvalNumber() {
    const text = (await this.page.locator(".approval-number").textContent()) ?? "";
    const number = text.match(/\d\d/)?.[0];
    if (!number) throw new Error(`no number on the waiting screen: "${text}"`);
    return number;
  }

  async enterCode(code) {
    await this.code.fill(code);
    await this.logInWithCode.click();
  }
}

/** A Secure Login Link's page: it signs in by itself in the browser that asked, else "Log In". */
export class LoginLinkPage {
  constructor(page) {
    this.page = page;
    this.logIn = page.getByRole("button", { name: /^Log [Ii]n( on this (phone|tablet|computer))?$/ });
    this.thatAsked = page.getByRole("link", { name: /^Log in on the (computer|browser) that asked/ });
    this.expired = page.getByRole("heading", { name: "This link has expired" });
    this.used = page.getByRole("heading", { name: "This link has already been used" });
    this.invalid = page.getByRole("heading", { name: /^This link (is not valid|no longer works)$/ });
  }

  /** On a phone: signs in the browser that asked instead, by typing the number on its screen. */
  async approveThatAsked(number) {
    await this.thatAsked.click();
    await this.page.getByLabel(/^The number on the screen of the (computer|browser) that asked$/).fill(number);
    await this.page.getByRole("button", { name: "Log in there" }).click();
    await expect(this.page.getByRole("heading", { name: "Approved" })).toBeVisible();
  }

  /** Opens `link` and signs in: by itself if this browser asked for it, else with "Log In". */
  async open(link) {
    await this.page.goto(link);
    await hydrated(this.page);
    if (/\/login\/link\//.test(this.page.url()) && (await this.logIn.isVisible())) await this.logIn.click();
  }
}

/** The appointments page, where a sign-in lands. */
export class AppointmentsPage {
  constructor(page) {
    this.page = page;
    this.heading = page.getByRole("heading", { name: "Your appointments" });
    this.signOut = page.getByRole("button", { name: "Sign out" });
  }

  appointmentWith(clinician) {
    return this.page.getByRole("link", { name: new RegExp(escape(clinician)) });
  }
}

/** One appointment: its clinician, time, video visit and calendar file. */
export class AppointmentPage {
  constructor(page) {
    this.page = page;
    this.allAppointments = page.getByRole("link", { name: "← All appointments" });
    this.addToCalendar = page.getByRole("link", { name: /^Add to calendar/ });
  }

  heading(clinician) {
    return this.page.getByRole("heading", { name: `Appointment with ${clinician}` });
  }
}

/** One form response: its title and answers. */
export class FormResponsePage {
  constructor(page) {
    this.page = page;
  }

  heading(title) {
    return this.page.getByRole("heading", { name: title });
  }

  /** The answer given to `question`. */
  answerTo(question) {
    return this.page.locator("dt", { hasText: question }).locator("xpath=following-sibling::dd[1]");
  }
}

/** "Forgot password?" (/password/reset) and the emailed set-password link's page (/password/new). */
export class PasswordPages {
  constructor(page) {
    this.page = page;
    this.resetHeading = page.getByRole("heading", { name: "Create or reset your password" });
    this.email = page.getByLabel("Email address");
    this.emailMeALink = page.getByRole("button", { name: "Email me a link" });
    this.chooseHeading = page.getByRole("heading", { name: "Choose a password" });
    this.newPassword = page.getByLabel(/^New password/);
    this.confirmPassword = page.getByLabel("Confirm the new password");
    this.save = page.getByRole("button", { name: "Save password and sign in" });
    this.linkNoLongerWorks = page.getByRole("heading", { name: "This link no longer works" });
  }

  /** On the set-password link's page: chooses `password` and signs in. */
  async choose(password) {
    await hydrated(this.page);
    await this.newPassword.fill(password);
    await this.confirmPassword.fill(password);
    await this.save.click();
  }
}

/** /account: time zone, password, known browsers, sign-in activity. */
export class AccountPage {
  constructor(page) {
    this.page = page;
    this.heading = page.getByRole("heading", { name: "Your account" });
    this.signOutEverywhere = page.getByRole("button", { name: "Sign out everywhere" });
  }
}

function escape(text) {
  return text.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
}

/**
 * Playwright's `test`, with Carelink's fixtures: `carelink` (the API client), `patient` (a new
 * patient with a password, removed after the test), `signedInPage`, `lastEmail`, `loginLink`,
 * `signInCode`, `advanceClock`, `newPage` (another browser, as another device would be); and
 * every test's browser a test client of its own.
 */
export const test = base.extend({
  carelinkToken: [process.env.CARELINK_TESTING_TOKEN ?? "", { option: true }],
  carelink: async ({ baseURL, carelinkToken }, use) => {
    await use(new Carelink({ baseURL: baseURL ?? process.env.CARELINK_URL, token: carelinkToken }));
  },
  extraHTTPHeaders: async ({ extraHTTPHeaders, carelink }, use) => {
    const client = await carelink.newClient();
    await use({ ...extraHTTPHeaders, [client.header]: client.value });
  },
  patient: async ({ carelink }, use) => {
    const patient = await carelink.createPatient();
    await use(patient);
    await carelink.removePatient(patient.email).catch(() => {});
  },
  signedInPage: async ({ page, context, carelink, patient }, use) => {
    const state = await carelink.signIn(patient.email);
    await context.addCookies(state.cookies);
    await use(page);
  },
  lastEmail: async ({ carelink, patient }, use) => {
    await use((options = {}) => carelink.waitForEmail(options.to ?? patient.email, options));
  },
  loginLink: async ({ carelink, patient }, use) => {
    await use((to = patient.email, options) => carelink.loginLink(to, options));
  },
  signInCode: async ({ carelink, patient }, use) => {
    await use((to = patient.email, options) => carelink.signInCode(to, options));
  },
  advanceClock: async ({ carelink }, use) => {
    await use((by) => carelink.advanceClock(by));
  },
  newPage: async ({ browser, carelink, baseURL, userAgent, viewport, isMobile, hasTouch, javaScriptEnabled }, use) => {
    const contexts = [];
    await use(async (options = {}) => {
      const client = await carelink.newClient();
      const context = await browser.newContext({
        baseURL, userAgent, viewport, isMobile, hasTouch, javaScriptEnabled,
        ...options,
        extraHTTPHeaders: { ...options.extraHTTPHeaders, [client.header]: client.value },
      });
      contexts.push(context);
      return context.newPage();
    });
    await Promise.all(contexts.map((context) => context.close()));
  },
});
