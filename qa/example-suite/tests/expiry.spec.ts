// Expiry in seconds instead of an hour: the portal's clock moves forward (the "clock" project
// runs these last and alone, since every test then running would see the jump).
import { test, expect, LoginPage, LoginLinkPage } from "@carelink/playwright-kit";

test("a link expires after 60 minutes", async ({ page, patient, loginLink, advanceClock, newPage }) => {
  const login = new LoginPage(page);
  await login.goto();
  await login.askForLink(patient.email);
  const link = await loginLink();
  await advanceClock({ minutes: 61 });
  const phone = await newPage();
  await phone.goto(link);
  await expect(new LoginLinkPage(phone).expired).toBeVisible();
});

test("a session ends after 30 idle minutes", async ({ signedInPage, advanceClock }) => {
  await signedInPage.goto("/appointments");
  await expect(signedInPage.getByRole("heading", { name: "Your appointments" })).toBeVisible();
  await advanceClock({ minutes: 31 });
  await signedInPage.goto("/appointments");
  await expect(signedInPage).toHaveURL(/\/login/);
});
