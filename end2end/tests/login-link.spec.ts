import { test, expect, hydrated } from "./fixtures";
import type { Page } from "@playwright/test";
import { addAppointment, addPatient } from "./support";

/** The newest "Log In" link sent to `email`, read from the development mailbox. */
async function loginLinkFor(page: Page, email: string): Promise<string> {
  for (let attempt = 0; attempt < 20; attempt++) {
    await page.goto("/dev/mailbox");
    const mail = page.locator("li.mail", { has: page.locator(".mail-to", { hasText: email }) }).first();
    if (await mail.count()) {
      const text = await mail.locator(".mail-text").textContent();
      const match = text?.match(/Log In: (\S+)/);
      if (match) return match[1];
    }
    await page.waitForTimeout(250);
  }
  throw new Error(`no login link for ${email}`);
}

test("the login button reads as the help article says on this device", async ({ page, isMobile }) => {
  await page.goto("/login");
  const label = isMobile ? "Sign in without password" : "Send Secure Login Link";
  await expect(page.getByRole("button", { name: label })).toBeVisible();
});

test("a patient asks for a link and the same browser is signed in without a click", async ({ page, isMobile }) => {
  const email = addPatient("Lee Link");
  addAppointment(email, "Dr. Magic Link", 2);

  await page.goto("/login");
  await hydrated(page);
  await page.getByLabel("Email address").first().fill(email);
  await page.getByRole("button", { name: isMobile ? "Sign in without password" : "Send Secure Login Link" }).click();
  await expect(page).toHaveURL(/\/login\/check-email/);
  await expect(page.getByRole("heading", { name: "Check your email" })).toBeVisible();
  await expect(page.getByText(email)).toBeVisible();
  await expect(page.getByRole("button", { name: /Send again in \d+ s/ })).toBeDisabled();
  // The countdown runs in the hydrated page.
  await expect(page.getByRole("button", { name: /Send again in 5[0-8] s/ })).toBeVisible();

  const link = await loginLinkFor(page, email);
  await page.goto(link);
  await expect(page).toHaveURL(/\/appointments$/);
  await expect(page.getByText("Dr. Magic Link")).toBeVisible();
});

test("another browser sees whose account it is and signs in with one click", async ({ page, browser }) => {
  const email = addPatient("Kim Click");
  await page.goto("/login");
  await hydrated(page);
  await page.getByLabel("Email address").first().fill(email);
  await page.locator("form button[type=submit]").first().click();
  await expect(page).toHaveURL(/\/login\/check-email/);
  const link = await loginLinkFor(page, email);

  const elsewhere = await browser.newContext();
  const other = await elsewhere.newPage();
  await other.goto(link);
  await hydrated(other);
  await expect(other.getByText(/Log in as/)).toBeVisible();
  await expect(other.locator(".account")).toHaveText(/^k•••@example\.org$/);
  await other.getByRole("button", { name: "Log In" }).click();
  await expect(other).toHaveURL(/\/appointments$/);

  // The link is spent: a third browser is told so.
  const third = await (await browser.newContext()).newPage();
  await third.goto(link);
  await expect(third.getByRole("heading", { name: "This link has already been used" })).toBeVisible();
  await elsewhere.close();
});
