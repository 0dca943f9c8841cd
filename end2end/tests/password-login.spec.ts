import { test, expect } from "./fixtures";
import { addAppointment, addPatient, submitPassword } from "./support";

test("a patient logs in with a password and sees their appointments", async ({ page }) => {
  const email = addPatient("Robin Password");
  addAppointment(email, "Dr. Playwright", 3);

  await page.goto("/appointments");
  await expect(page).toHaveURL(/\/login\?next=%2Fappointments$/);
  await submitPassword(page, email);

  await expect(page).toHaveURL(/\/appointments$/);
  await expect(page.getByRole("heading", { name: "Your appointments" })).toBeVisible();
  await expect(page.getByText("Dr. Playwright")).toBeVisible();
  await expect(page.getByRole("button", { name: "Sign out" })).toBeVisible();
});

test("a wrong password is refused with one message for every case", async ({ page }) => {
  const email = addPatient("Robin Wrong");
  await page.goto("/login");
  await submitPassword(page, email, "not the password at all");
  await expect(page.getByRole("alert")).toHaveText("Incorrect email or password");
  await expect(page).toHaveURL(/\/login/);
});
