// The email opened on the phone, the sign-in wanted on the computer: "Log in on the computer
// that asked", typing the number the computer shows.
import { devices } from "@playwright/test";
import { test, expect, LoginPage, LoginLinkPage } from "@carelink/playwright-kit";

test("the phone signs in the computer that asked by typing its number", async ({ page, patient, loginLink, newPage }) => {
  const login = new LoginPage(page);
  await login.goto();
  const waiting = await login.askForLink(patient.email);
  const number = await waiting.approvalNumber();
  const phone = await newPage({ ...devices["Pixel 7"] });
  await phone.goto(await loginLink());
  await new LoginLinkPage(phone).approveThatAsked(number);
  await expect(page).toHaveURL(/\/appointments$/);
});
