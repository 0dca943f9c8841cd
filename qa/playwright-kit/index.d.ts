import type { Locator, Page, TestType, PlaywrightTestArgs, PlaywrightTestOptions, PlaywrightWorkerArgs, PlaywrightWorkerOptions } from "@playwright/test";

export { expect } from "@playwright/test";

/** Email kinds, as the testing API names them. */
export declare const EMAIL: {
  loginLink: "login_link";
  setPassword: "set_password";
  appointmentCreated: "appointment_created";
  formResponse: "form_response";
};

/** A patient the testing API created. `password` is unset for an invited patient. */
export interface Patient {
  id: number;
  email: string;
  name: string;
  has_password: boolean;
  time_zone: string;
  /** "en" or "fr": the language of their pages and emails. */
  language: "en" | "fr";
  password?: string;
}

/** An email, in Mailpit's message shape, with what a test wants picked out. */
export interface Email {
  ID: string;
  MessageID: string;
  From: { Name: string; Address: string };
  To: { Name: string; Address: string }[];
  Subject: string;
  /** RFC 3339, when it was queued. */
  Created: string;
  /** RFC 3339, when it was delivered; null while queued. */
  Sent: string | null;
  Status: "queued" | "sending" | "sent" | "failed" | "expired";
  /** "login_link", "set_password", "appointment_created", "form_response". */
  Kind: string;
  Text: string | null;
  HTML: string | null;
  /** The Secure Login Link it carries ("Log In"), if any. */
  LoginLink: string | null;
  /** The sign-in code ("1234 5678"), if any. */
  Code: string | null;
  /** Every link in its text, in order. */
  Links: string[];
}

export interface StorageState {
  cookies: { name: string; value: string; domain: string; path: string; expires: number; httpOnly: boolean; secure: boolean; sameSite: "Lax" }[];
  origins: [];
}

export interface WaitOptions {
  kind?: string;
  subject?: string | RegExp;
  /** Only emails newer than the first `since` (a count from `messages()`). */
  since?: number;
  timeout?: number;
}

export type ClockStep = number | { seconds?: number; minutes?: number; hours?: number; days?: number };

export declare class Carelink {
  constructor(options: { baseURL: string; token: string });
  readonly baseURL: string;
  call(method: string, path: string, body?: unknown): Promise<any>;
  createPatient(options?: { email?: string; name?: string; password?: string; invited?: boolean; timeZone?: string; language?: "en" | "fr" }): Promise<Patient>;
  removePatient(email: string): Promise<{ removed_patients: number }>;
  bookAppointment(options: { email: string; startsAt: Date | string; clinician: string; reason?: string; videoUrl?: string }): Promise<{ id: number; path: string }>;
  recordFormResponse(options: { email: string; title: string; answers?: Record<string, string> | { question: string; answer: string }[] }): Promise<{ id: number; path: string }>;
  messages(to: string, options?: { limit?: number }): Promise<Email[]>;
  waitForEmail(to: string, options?: WaitOptions): Promise<Email>;
  loginLink(to: string, options?: WaitOptions): Promise<string>;
  signInCode(to: string, options?: WaitOptions): Promise<string>;
  signIn(email: string): Promise<StorageState>;
  newClient(): Promise<{ header: string; value: string }>;
  advanceClock(by: ClockStep): Promise<{ now: string }>;
  removeEverything(): Promise<{ removed_patients: number }>;
}

export declare function uniqueEmail(prefix?: string): string;
export declare function hydrated(page: Page): Promise<void>;

export declare class LoginPage {
  constructor(page: Page);
  readonly page: Page;
  readonly email: Locator;
  readonly sendLink: Locator;
  readonly usePassword: Locator;
  readonly passwordEmail: Locator;
  readonly password: Locator;
  readonly logIn: Locator;
  readonly forgotPassword: Locator;
  goto(): Promise<void>;
  askForLink(email: string): Promise<CheckEmailPage>;
  signInWithPassword(email: string, password: string): Promise<void>;
}

export declare class CheckEmailPage {
  constructor(page: Page);
  readonly heading: Locator;
  readonly code: Locator;
  readonly logInWithCode: Locator;
  readonly waitingForPhone: Locator;
  enterCode(code: string): Promise<void>;
  approvalNumber(): Promise<string>;
}

export declare class LoginLinkPage {
  constructor(page: Page);
  readonly logIn: Locator;
  readonly thatAsked: Locator;
  readonly expired: Locator;
  readonly used: Locator;
  readonly invalid: Locator;
  open(link: string): Promise<void>;
  approveThatAsked(number: string): Promise<void>;
}

export declare class AppointmentsPage {
  constructor(page: Page);
  readonly heading: Locator;
  readonly signOut: Locator;
  appointmentWith(clinician: string): Locator;
}

export declare class AppointmentPage {
  constructor(page: Page);
  readonly allAppointments: Locator;
  readonly addToCalendar: Locator;
  heading(clinician: string): Locator;
}

export declare class FormResponsePage {
  constructor(page: Page);
  heading(title: string): Locator;
  answerTo(question: string): Locator;
}

export declare class PasswordPages {
  constructor(page: Page);
  readonly resetHeading: Locator;
  readonly email: Locator;
  readonly emailMeALink: Locator;
  readonly chooseHeading: Locator;
  readonly newPassword: Locator;
  readonly confirmPassword: Locator;
  readonly save: Locator;
  readonly linkNoLongerWorks: Locator;
  choose(password: string): Promise<void>;
}

export declare class AccountPage {
  constructor(page: Page);
  readonly heading: Locator;
  readonly signOutEverywhere: Locator;
}

export interface CarelinkFixtures {
  carelink: Carelink;
  patient: Patient;
  signedInPage: Page;
  lastEmail: (options?: WaitOptions & { to?: string }) => Promise<Email>;
  loginLink: (to?: string, options?: WaitOptions) => Promise<string>;
  signInCode: (to?: string, options?: WaitOptions) => Promise<string>;
  advanceClock: (by: ClockStep) => Promise<{ now: string }>;
  /** Another browser (a context of its own, a test client of its own), closed after the test. */
  newPage: (options?: import("@playwright/test").BrowserContextOptions) => Promise<Page>;
}

export interface CarelinkOptions {
  /** The portal's TESTING_API_TOKEN; CARELINK_TESTING_TOKEN by default. */
  carelinkToken: string;
}

export declare const test: TestType<PlaywrightTestArgs & PlaywrightTestOptions & CarelinkFixtures & CarelinkOptions, PlaywrightWorkerArgs & PlaywrightWorkerOptions>;
