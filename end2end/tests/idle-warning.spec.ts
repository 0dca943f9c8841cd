import { test, expect, hydrated } from "./fixtures";
import { addPatient, signIn, submitPassword } from "./support";

/**
 * WCAG 2.2.1: two minutes before the idle limit a dialog offers "Stay signed in"; past it, the
 * login page says why and comes back. The browser's clock is Playwright's, moved at will; how
 * long the server says is left is set for the first ask (the server's own count, with the
 * manual clock, is tested in tests/rules/sessions.rs and tests/api/idle_sessions.rs).
 */
test("a warning before the idle limit keeps the patient signed in, and after it they come back", async ({ page }) => {
  const email = addPatient("Ida Idle");
  await page.clock.install();
  await signIn(page, email);
  await page.goto("/appointments?tab=upcoming");
  await hydrated(page);

  const dialog = page.getByRole("dialog", { name: "Are you still there?" });
  await expect(dialog).toBeHidden();
  // The first ask is due two minutes before the limit; the server then says 100 s are left.
  await page.route("**/api/session_time_left", (route) => route.fulfill({ json: 100 }));
  await page.clock.fastForward("28:00");
  await expect(dialog).toBeVisible();
  const stay = dialog.getByRole("button", { name: "Stay signed in" });
  await expect(stay).toBeFocused();
  // Modal: the page behind is inert, so the keyboard never reaches it (Tab goes from the
  // dialog's one button to the browser's own controls and back).
  for (let press = 0; press < 3; press++) {
    await page.keyboard.press("Tab");
    const behind = await page.evaluate(() => {
      const e = document.activeElement;
      return !!e && e !== document.body && !e.closest("dialog");
    });
    expect(behind, "the focus reached the page behind the dialog").toBe(false);
  }

  // "Stay signed in" asks the server for a use of the session, and the dialog goes.
  const stayed = page.waitForResponse("**/api/stay_signed_in");
  await stay.focus();
  await page.keyboard.press("Enter");
  expect(await (await stayed).json()).toBeGreaterThan(1700);
  await expect(dialog).toBeHidden();

  // Past the limit: the login page says why, and signing in again comes back here.
  await page.unroute("**/api/session_time_left");
  await page.route("**/api/session_time_left", (route) => route.fulfill({ json: null }));
  await page.clock.fastForward("30:00");
  await expect(page).toHaveURL(/\/login\?ended=1&next=%2Fappointments%3Ftab%3Dupcoming$/);
  await expect(page.getByText("you were signed out after a while without activity")).toBeVisible();
  await submitPassword(page, email);
  await expect(page).toHaveURL(/\/appointments\?tab=upcoming$/);
});
