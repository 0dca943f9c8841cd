// The email opened on another device than the one that asked: type its code where you asked.
import { test, expect, LoginPage } from "@carelink/playwright-kit";

test("the code from the email signs in the browser that asked", async ({ page, patient, signInCode }) => {
  const login = new LoginPage(page);
  await login.goto();
  const checkEmail = await login.askForLink(patient.email);
  await checkEmail.enterCode(await signInCode());
  await expect(page).toHaveURL(/\/appointments$/);
});
