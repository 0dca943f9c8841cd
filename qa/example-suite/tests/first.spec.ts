import { test, expect, LoginPage } from "@carelink/playwright-kit";

test("a patient signs in with a Secure Login Link and sees their appointment", async ({ page, carelink, patient, loginLink }) => {
  await carelink.bookAppointment({ email: patient.email, startsAt: new Date(Date.now() + 2 * 86_400_000), clinician: "Dr. Amara Okafor" });
  const login = new LoginPage(page);
  await login.goto();
  await login.askForLink(patient.email);
  await page.goto(await loginLink());
  await expect(page.getByRole("heading", { name: "Your appointments" })).toBeVisible();
  await expect(page.getByText("Dr. Amara Okafor")).toBeVisible();
});
