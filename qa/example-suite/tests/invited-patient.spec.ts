// An invited patient creates a password from the emailed link, and may then ask for Secure
// Login Links ("Only accounts that have created a password").
import { test, expect, EMAIL, LoginPage, PasswordPages } from "@carelink/playwright-kit";

test("an invited patient creates a password from the email, then gets Secure Login Links", async ({ page, carelink, newPage }) => {
  const invited = await carelink.createPatient({ invited: true });
  const invitation = await carelink.waitForEmail(invited.email, { kind: EMAIL.setPassword });
  const link = invitation.Links.find((url) => url.includes("/password/new"));
  expect(link, invitation.Text ?? "").toBeTruthy();
  await page.goto(link!);
  await new PasswordPages(page).choose("a tidy garden of seven quiet herons");
  await expect(page).toHaveURL(/\/appointments$/);

  const phone = await newPage();
  const login = new LoginPage(phone);
  await login.goto();
  await login.askForLink(invited.email);
  expect(await carelink.loginLink(invited.email)).toContain("/login/link/");
  await carelink.removePatient(invited.email);
});
