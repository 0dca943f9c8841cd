import { test, expect, clientAddress } from "./fixtures";
import { devices, type Browser, type Page } from "@playwright/test";
import {
  LOGIN_MAIL,
  PASSWORD,
  addAppointment,
  addFormResponse,
  addPatient,
  buttonLink,
  chooseThatAsked,
  mailTo,
  otherThan,
  typeNumber,
} from "./support";

// The "no JavaScript" project: Chromium with scripts off, as in a locked-down hospital browser or
// before the WASM arrives on a slow network. Every page must be complete from its HTML, and every
// form must show its result on the next page, with nothing left in the address bar.

test.beforeEach(async ({ page }) => {
  // The project turns scripts off; make sure, so that no test here passes thanks to the WASM:
  // the page's first script would have replaced "no-js" on <html>.
  await page.goto("/login");
  await expect(page.locator("html")).toHaveClass("no-js");
});

test("the login page has no passkey button: nothing else changes", async ({ page }) => {
  await expect(page.getByRole("button", { name: "Sign in with a passkey" })).toHaveCount(0);
  await expect(page.getByRole("button", { name: "Send Secure Login Link" })).toBeVisible();
});

/** The address bar holds nothing a failed post left behind. */
async function cleanAddress(page: Page): Promise<void> {
  expect(page.url()).not.toMatch(/__err|__path/);
}

/** Opens "Log in with your password instead" (a plain <details>) and posts the form. */
async function postPassword(page: Page, email: string, password: string): Promise<void> {
  await page.getByText("Log in with your password instead").click();
  await page.locator("#password-email").fill(email);
  await page.getByLabel("Password").fill(password);
  await page.getByRole("button", { name: "Log in", exact: true }).click();
}

test("password sign-in, its errors in place, the appointments, one appointment, sign out", async ({ page }) => {
  const email = addPatient("Nadia Noscript");
  const id = addAppointment(email, "Dr. Plain", 3);
  addAppointment(email, "Dr. Earlier", -3);

  await page.goto("/appointments");
  await expect(page).toHaveURL(/\/login\?next=%2Fappointments$/);
  await postPassword(page, email, "not the password at all");
  await expect(page.getByRole("alert")).toHaveText("Incorrect email or password");
  await expect(page).toHaveURL(/\/login\?next=%2Fappointments$/);
  await cleanAddress(page);
  // The typed address is kept, the password is not, and the form is still open.
  await expect(page.locator("#password-email")).toHaveValue(email);
  await expect(page.getByLabel("Password")).toHaveValue("");

  await page.getByLabel("Password").fill(PASSWORD);
  await page.getByRole("button", { name: "Log in", exact: true }).click();
  await expect(page).toHaveURL(/\/appointments$/);
  // The data is in the page itself: no "Loading…" waiting for a script.
  await expect(page.getByRole("heading", { name: "Your appointments" })).toBeVisible();
  await expect(page.getByText("Dr. Plain")).toBeVisible();
  await expect(page.getByText("Dr. Earlier")).toBeVisible();
  await expect(page.getByText(/Loading/)).toHaveCount(0);

  await page.getByRole("link", { name: /Dr\. Plain/ }).click();
  await expect(page).toHaveURL(new RegExp(`/appointments/${id}$`));
  await expect(page.getByRole("heading", { name: "Appointment with Dr. Plain" })).toBeVisible();

  await page.getByRole("button", { name: "Sign out", exact: true }).click();
  await expect(page).toHaveURL(/\/login$/);
  await page.goto("/appointments");
  await expect(page).toHaveURL(/\/login\?next=%2Fappointments$/);
});

test("an unknown address on the password form is told the same, with the address kept", async ({ page }) => {
  await page.goto("/login");
  await postPassword(page, "nobody-here@example.org", "whatever it may be");
  await expect(page.getByRole("alert")).toHaveText("Incorrect email or password");
  await expect(page.locator("#password-email")).toHaveValue("nobody-here@example.org");
  await cleanAddress(page);
});

test("asking for a link, opening it, and pressing Log In", async ({ page }) => {
  const email = addPatient("Lio Link");
  addAppointment(email, "Dr. Linked", 2);
  await page.goto("/login");
  await page.getByLabel("Email address").first().fill(email);
  await page.getByRole("button", { name: "Send Secure Login Link" }).click();
  await expect(page).toHaveURL(/\/login\/check-email$/);
  await expect(page.getByRole("heading", { name: "Check your email" })).toBeVisible();
  await expect(page.locator(".typed-email").first()).toHaveText(email);
  // Without the script this screen does not sign in by itself, and says what to press instead.
  await expect(page.getByText("This screen will log you in by itself")).toHaveCount(0);
  await expect(page.getByText("Then press “I approved it, continue” below.")).toBeVisible();
  // "Send again" is a plain form that comes back here (the address's limit holds quietly).
  await page.getByRole("button", { name: "Send again" }).click();
  await expect(page).toHaveURL(/\/login\/check-email$/);
  await expect(page.locator(".typed-email").first()).toHaveText(email);
  await expect(page.getByRole("alert")).toHaveCount(0);

  // In the browser that asked, the page would press "Log In" by itself with its script; without
  // it, it promises nothing it will not do, and the button is there to press.
  await page.goto(buttonLink(await mailTo(email, LOGIN_MAIL)));
  await expect(page.getByRole("heading", { name: "Log in to Carelink" })).toBeVisible();
  await expect(page.getByText("Logging you in…")).toHaveCount(0);
  await page.getByRole("button", { name: "Log In", exact: true }).click();
  await expect(page).toHaveURL(/\/appointments$/);
  await expect(page.getByText("Dr. Linked")).toBeVisible();

  // Used, and opened again once signed out: one click emails a new link to the same address,
  // shown masked (this browser never typed it).
  await page.getByRole("button", { name: "Sign out", exact: true }).click();
  await page.goto(buttonLink(await mailTo(email, LOGIN_MAIL)));
  await expect(page.getByRole("heading", { name: "This link has already been used" })).toBeVisible();
  await page.getByRole("button", { name: "Email me a new link" }).click();
  await expect(page).toHaveURL(/\/login\/check-email$/);
  await expect(page.getByText(/We have sent a new Secure Login Link to l•••@example\.org/)).toBeVisible();
});

test("a badly typed address is refused in place, kept in the field", async ({ page }) => {
  await page.goto("/login");
  // The browser's own check would stop "not-an-address"; this one passes it and not ours.
  await page.getByLabel("Email address").first().fill("pat@localhost");
  await page.getByRole("button", { name: "Send Secure Login Link" }).click();
  await expect(page).toHaveURL(/\/login$/);
  await cleanAddress(page);
  await expect(page.getByRole("alert")).toHaveText("Enter an email address like name@example.com.");
  await expect(page.getByLabel("Email address").first()).toHaveValue("pat@localhost");

  // The same on the form that emails a password link.
  await page.goto("/password/reset");
  await page.getByLabel("Email address").fill("pat@localhost");
  await page.getByRole("button", { name: "Email me a link" }).click();
  await expect(page).toHaveURL(/\/password\/reset$/);
  await cleanAddress(page);
  await expect(page.getByRole("alert")).toHaveText("Enter an email address like name@example.com.");
  await expect(page.getByLabel("Email address")).toHaveValue("pat@localhost");
});

test("the code form: a wrong code is refused in place, the right one signs in", async ({ page }) => {
  const email = addPatient("Cass Code");
  await page.goto("/login");
  await page.getByLabel("Email address").first().fill(email);
  await page.getByRole("button", { name: "Send Secure Login Link" }).click();
  const mail = await mailTo(email, LOGIN_MAIL);
  const code = mail.text.match(/^\s*(\d{4} \d{4})\s*$/m)?.[1];
  expect(code, mail.text).toBeTruthy();

  const field = page.getByLabel("Sign-in code");
  await field.fill(code === "0000 0000" ? "1111 1111" : "0000 0000");
  await page.getByRole("button", { name: "Log In with code" }).click();
  await expect(page.getByRole("alert")).toHaveText(/^That code did not work\./);
  await expect(page).toHaveURL(/\/login\/check-email$/);
  await cleanAddress(page);

  await page.getByLabel("Sign-in code").fill(code!);
  await page.getByRole("button", { name: "Log In with code" }).click();
  await expect(page).toHaveURL(/\/appointments$/);
});

test("an invited patient creates a password; a forgotten one is reset", async ({ page }) => {
  const email = addPatient("Ivy Invited", { invited: true });
  await page.goto(buttonLink(await mailTo(email, "Create your Carelink password"), "Create password"));
  await expect(page.getByRole("heading", { name: "Choose a password" })).toBeVisible();
  // Mistyped the second time: told in place, nothing saved, the link still works.
  await page.getByLabel(/^New password/).fill(PASSWORD);
  await page.getByLabel("Confirm the new password").fill(`${PASSWORD}!`);
  await page.getByRole("button", { name: "Save password and sign in" }).click();
  await expect(page.getByRole("alert")).toHaveText("The passwords do not match.");
  await expect(page).toHaveURL(/\/password\/new\?token=/);
  await cleanAddress(page);

  await page.getByLabel(/^New password/).fill(PASSWORD);
  await page.getByLabel("Confirm the new password").fill(PASSWORD);
  await page.getByRole("button", { name: "Save password and sign in" }).click();
  await expect(page).toHaveURL(/\/appointments$/);
  await page.getByRole("button", { name: "Sign out", exact: true }).click();

  // Forgot it: the reset form, its confirmation, the link, a new password.
  await page.goto("/login");
  await page.getByText("Log in with your password instead").click();
  await page.getByRole("link", { name: "Forgot password?" }).click();
  await page.getByLabel("Email address").fill(email);
  await page.getByRole("button", { name: "Email me a link" }).click();
  await expect(page).toHaveURL(/\/password\/reset$/);
  await cleanAddress(page);
  await expect(page.getByRole("status")).toContainText("we have sent it a link to choose a password");
  const reset = await mailTo(email, /password/i, 2);
  await page.goto(buttonLink(reset, "Create password"));
  const renewed = "another long and happy passphrase";
  await page.getByLabel(/^New password/).fill(renewed);
  await page.getByLabel("Confirm the new password").fill(renewed);
  await page.getByRole("button", { name: "Save password and sign in" }).click();
  await expect(page).toHaveURL(/\/appointments$/);
});

test("a form response, and the error pages, read without scripts", async ({ page }) => {
  const email = addPatient("Fern Form");
  const id = addFormResponse(email, "Intake questionnaire", ["Do you smoke?=No"]);
  await page.goto("/login");
  await postPassword(page, email, PASSWORD);
  await expect(page).toHaveURL(/\/appointments$/);

  await page.goto(`/forms/${id}`);
  await expect(page.getByRole("heading", { name: "Intake questionnaire" })).toBeVisible();
  await expect(page.getByText("Do you smoke?")).toBeVisible();

  // The development mailbox too: these tests deliver to a real SMTP server, as production does.
  for (const path of ["/appointments/999999999", "/forms/999999999", "/no-such-page", "/dev/mailbox"]) {
    const response = await page.goto(path);
    expect(response?.status(), path).toBe(404);
    await expect(page.getByRole("heading", { name: "Page not found" })).toBeVisible();
  }
  await page.goto("/login/link/not-a-real-token");
  await expect(page.getByRole("heading", { name: "This link is not valid" })).toBeVisible();
  await page.goto("/password/new?token=not-a-real-token");
  await expect(page.getByRole("heading", { name: "This link no longer works" })).toBeVisible();
});

test("the account page: a time zone, a wrong password, forgetting this browser, signing out everywhere", async ({ page }) => {
  const email = addPatient("Ada Account");
  await page.goto("/account");
  await expect(page).toHaveURL(/\/login\?next=%2Faccount$/);
  await postPassword(page, email, PASSWORD);
  // Where it was going, not the appointments every sign-in lands on by default.
  await expect(page).toHaveURL(/\/account$/);
  await expect(page.getByText(email)).toBeVisible();
  await expect(page.getByText("This browser", { exact: true })).toBeVisible();

  await page.getByLabel("Your time zone").selectOption("America/Toronto");
  await page.getByRole("button", { name: "Save time zone" }).click();
  await expect(page).toHaveURL(/\/account$/);
  await expect(page.getByRole("status")).toHaveText("Times are now shown in America/Toronto.");
  await expect(page.getByLabel("Your time zone")).toHaveValue("America/Toronto");

  const renewed = "a brand new long passphrase";
  await page.getByLabel("Current password").fill("not my password at all");
  await page.getByLabel(/^New password/).fill(renewed);
  await page.getByLabel("Confirm the new password").fill(renewed);
  await page.getByRole("button", { name: "Change password" }).click();
  await expect(page).toHaveURL(/\/account$/);
  await cleanAddress(page);
  await expect(page.getByRole("alert")).toHaveText("Your current password is not correct.");

  await page.getByRole("button", { name: "Forget" }).click();
  await expect(page.getByRole("status")).toHaveText("Browser forgotten: a login link opened there will ask for a click.");
  await expect(page.getByText("This browser", { exact: true })).toHaveCount(0);

  await page.getByRole("button", { name: "Sign out everywhere" }).click();
  await expect(page).toHaveURL(/\/login$/);
  await page.goto("/appointments");
  await expect(page).toHaveURL(/\/login\?next=%2Fappointments$/);
});

/** The patient's phone with scripts off too: another device, which never asked for anything. */
async function phoneWithoutScripts(browser: Browser, seed: string): Promise<Page> {
  const context = await browser.newContext({
    ...devices["Pixel 7"],
    javaScriptEnabled: false,
    extraHTTPHeaders: { "x-forwarded-for": clientAddress(seed) },
  });
  return context.newPage();
}

/** Asks for a link on `screen` and returns the number it shows and the link's email. */
async function askOn(screen: Page, email: string): Promise<string> {
  await screen.goto("/login");
  await screen.getByLabel("Email address").first().fill(email);
  await screen.getByRole("button", { name: "Send Secure Login Link" }).click();
  await expect(screen).toHaveURL(/\/login\/check-email$/);
  const number = (await screen.locator(".approval-number").textContent())?.match(/\d\d/)?.[0];
  expect(number, "the number on the screen").toBeTruthy();
  return number!;
}

test("approving the computer that asked from a phone, both without scripts", async ({ page, browser }) => {
  const email = addPatient("Pia Plainphone");
  const number = await askOn(page, email);

  // Too early: told in place, and the screen still waits.
  await page.getByRole("button", { name: "I approved it, continue" }).click();
  await expect(page).toHaveURL(/\/login\/check-email$/);
  await cleanAddress(page);
  await expect(page.getByRole("alert")).toContainText("No approval has arrived yet.");
  await expect(page.locator(".approval-number")).toContainText(number);

  const phone = await phoneWithoutScripts(browser, `${email} phone`);
  await phone.goto(buttonLink(await mailTo(email, LOGIN_MAIL)));
  await chooseThatAsked(phone);
  await typeNumber(phone, number);
  await expect(phone.getByRole("heading", { name: "Approved" })).toBeVisible();
  await cleanAddress(phone);

  await page.getByRole("button", { name: "I approved it, continue" }).click();
  await expect(page).toHaveURL(/\/appointments$/);
  await phone.context().close();
});

test("a wrong number typed on a phone without scripts cancels the link", async ({ page, browser }) => {
  const email = addPatient("Walt Wrongtap");
  const number = await askOn(page, email);

  const phone = await phoneWithoutScripts(browser, `${email} phone`);
  await phone.goto(`${buttonLink(await mailTo(email, LOGIN_MAIL))}?on=computer`);
  await typeNumber(phone, otherThan(number));
  await expect(phone.getByRole("heading", { name: "Login cancelled" })).toBeVisible();
  await expect(phone.getByRole("alert")).toContainText("That was not the number on the other screen");
  await cleanAddress(phone);

  await page.getByRole("button", { name: "I approved it, continue" }).click();
  await expect(page).toHaveURL(/\/login\/check-email$/);
  await expect(page.getByRole("alert")).toContainText("No log in is waiting on this screen any more");
  await phone.context().close();
});
