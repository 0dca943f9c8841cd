import { test, expect, hydrated } from "./fixtures";
import { checkScreen } from "./screens";
import type { Page } from "@playwright/test";
import { LOGIN_MAIL, addAppointment, addPatient, buttonLink, mailTo, requestLink, withAuthenticator } from "./support";

// Passkeys, with Chromium's virtual authenticator standing in for a phone's or a laptop's
// (`withAuthenticator`). It lives in the page, across navigations: the same device, visit after
// visit.

/** Signs `email` in with a Secure Login Link asked for on `page`, up to the appointments. */
async function signInByLink(page: Page, email: string, isMobile: boolean): Promise<void> {
  await requestLink(page, email, isMobile);
  await page.goto(buttonLink(await mailTo(email, LOGIN_MAIL)));
  await expect(page).toHaveURL(/\/appointments$/);
}

const OFFER = "Sign in faster next time";
const PASSKEY_BUTTON = { name: "Sign in with a passkey" };

async function signOut(page: Page): Promise<void> {
  await page.getByRole("button", { name: "Sign out", exact: true }).click();
  await expect(page).toHaveURL(/\/login$/);
  await hydrated(page);
}

test("after a link, a patient saves a passkey and next time signs in with it and no email", async ({ page, isMobile }, testInfo) => {
  const email = addPatient("Pia Passkey");
  addAppointment(email, "Dr. Touch", 2);
  await withAuthenticator(page);
  await signInByLink(page, email, isMobile);

  const offer = page.getByRole("region", { name: OFFER });
  await expect(offer).toBeVisible();
  await checkScreen(page, testInfo, "passkey-offer");
  await offer.getByRole("button", { name: "Save a passkey" }).click();
  await expect(offer.getByText(/^Passkey saved/)).toBeVisible();
  const added = await mailTo(email, "A passkey was added to your account");
  expect(added.text).toContain("Not you?");

  await signOut(page);
  const mailsBefore = await mailCount(email);
  await page.getByRole("button", PASSKEY_BUTTON).click();
  await expect(page).toHaveURL(/\/appointments$/);
  await expect(page.getByText("Dr. Touch")).toBeVisible();
  // Reloaded: offered once only.
  await expect(page.getByRole("region", { name: OFFER })).toHaveCount(0);
  expect(await mailCount(email)).toBe(mailsBefore);
});

test("a passkey sign-in lands where the patient was going", async ({ page, isMobile }) => {
  const email = addPatient("Gus Going");
  await withAuthenticator(page);
  await signInByLink(page, email, isMobile);
  await page.getByRole("region", { name: OFFER }).getByRole("button", { name: "Save a passkey" }).click();
  await expect(page.getByText(/^Passkey saved/)).toBeVisible();
  await signOut(page);
  await page.goto("/account");
  await expect(page).toHaveURL(/\/login\?next=%2Faccount$/);
  await hydrated(page);
  await page.getByRole("button", PASSKEY_BUTTON).click();
  await expect(page).toHaveURL(/\/account$/);
  await expect(page.getByText("Signed in with a passkey").first()).toBeVisible();
});

test("Not now puts the offer away", async ({ page, isMobile }) => {
  const email = addPatient("Nat Notnow");
  await withAuthenticator(page);
  await signInByLink(page, email, isMobile);
  const offer = page.getByRole("region", { name: OFFER });
  const declined = page.waitForResponse((r) => r.url().endsWith("/api/decline_passkey_offer"));
  await offer.getByRole("button", { name: "Not now" }).click();
  expect((await declined).status()).toBe(200);
  await expect(offer).toBeHidden();
  await page.reload();
  await expect(page.getByRole("region", { name: OFFER })).toHaveCount(0);
});

test("a passkey removed on /account signs in no more, and the patient is told", async ({ page, isMobile }) => {
  const email = addPatient("Rey Removed");
  await withAuthenticator(page);
  await signInByLink(page, email, isMobile);
  await page.goto("/account");
  await hydrated(page);
  // "Add a passkey" on /account, this time.
  await page.getByRole("button", { name: "Add a passkey" }).click();
  const passkeys = page.locator("section.passkeys");
  await expect(passkeys.getByText("never used")).toBeVisible();
  await passkeys.getByRole("button", { name: /^Remove / }).click();
  await expect(page.getByText("Passkey removed. It no longer signs you in.")).toBeVisible();
  await expect(passkeys.getByText("You have no passkeys yet.")).toBeVisible();
  await mailTo(email, "A passkey was removed from your account");

  await signOut(page);
  // The device still holds it; the portal no longer knows it.
  await page.getByRole("button", PASSKEY_BUTTON).click();
  await expect(page.getByText("Signing in with that passkey did not work")).toBeVisible();
  await expect(page).toHaveURL(/\/login$/);
});

/** How many messages reached `email` at the mail catcher. */
async function mailCount(email: string): Promise<number> {
  const response = await fetch(`${process.env.E2E_MAIL_API}/messages?to=${encodeURIComponent(email)}`);
  return ((await response.json()) as unknown[]).length;
}
