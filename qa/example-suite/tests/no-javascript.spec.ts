// With scripts off, as in a locked-down hospital browser: every step is a plain page and form.
import { test, expect, LoginPage, LoginLinkPage } from "@carelink/playwright-kit";

test("a Secure Login Link signs in with JavaScript off", async ({ page, patient, loginLink }) => {
  const login = new LoginPage(page);
  await login.goto();
  await login.askForLink(patient.email);
  // Without a script the page cannot sign in by itself: "Log In" is pressed.
  await new LoginLinkPage(page).open(await loginLink());
  await expect(page).toHaveURL(/\/appointments$/);
});
