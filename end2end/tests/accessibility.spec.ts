import type { Browser, Page, TestInfo } from "@playwright/test";
import { test, expect, hydrated, clientAddress } from "./fixtures";
import { checkScreen } from "./screens";
import {
  LOGIN_MAIL,
  addAppointment,
  addFormResponse,
  addPatient,
  buttonLink,
  chooseThatAsked,
  mailTo,
  otherThan,
  requestLink,
  signIn,
  typeNumber,
} from "./support";

/** Every screen a patient can reach, through `checkScreen`. */

/** A second browser with this project's device: the phone the email was opened on. */
async function anotherBrowser(browser: Browser, testInfo: TestInfo): Promise<Page> {
  const { viewport, userAgent, deviceScaleFactor, isMobile, hasTouch } = testInfo.project.use;
  const extraHTTPHeaders = { "x-forwarded-for": clientAddress(`${testInfo.testId}-${Math.random()}`) };
  const context = await browser.newContext({ viewport, userAgent, deviceScaleFactor, isMobile, hasTouch, extraHTTPHeaders });
  return context.newPage();
}

test("the screens before signing in", async ({ page }, testInfo) => {
  const isMobile = !!testInfo.project.use.isMobile;
  await page.goto("/login");
  await checkScreen(page, testInfo, "login");

  await hydrated(page);
  await page.getByText("Log in with your password instead").click();
  await checkScreen(page, testInfo, "login-password");

  await page.goto("/no/such/page");
  await checkScreen(page, testInfo, "not-found");

  await page.goto("/password/reset");
  await checkScreen(page, testInfo, "password-reset");

  await page.goto("/login/link/not-a-real-token");
  await checkScreen(page, testInfo, "link-invalid");

  const email = addPatient("Alex Access");
  await requestLink(page, email, isMobile);
  await checkScreen(page, testInfo, "check-email");
});

test("the link page in each state", async ({ page, browser }, testInfo) => {
  const email = addPatient("Lou Link");
  await requestLink(page, email, !!testInfo.project.use.isMobile);
  const link = buttonLink(await mailTo(email, LOGIN_MAIL));

  // Opened on another device: it names the account and waits for a tap.
  const phone = await anotherBrowser(browser, testInfo);
  await phone.goto(link);
  await hydrated(phone);
  await checkScreen(phone, testInfo, "link-ready");

  await phone.getByRole("button", { name: "Log In" }).click();
  await expect(phone).toHaveURL(/\/appointments$/);
  await phone.context().close();

  // The same link again, in a browser that is not signed in.
  const other = await anotherBrowser(browser, testInfo);
  await other.goto(link);
  await checkScreen(other, testInfo, "link-used");
  await other.context().close();
});

test("the screens of approving the computer that asked", async ({ page, browser }, testInfo) => {
  // Approved: where the number is typed, then what the phone says after the right one.
  const email = addPatient("Abe Approve");
  await requestLink(page, email, !!testInfo.project.use.isMobile);
  const number = ((await page.locator(".approval-number").textContent()) ?? "").match(/\d\d/)![0];
  const phone = await anotherBrowser(browser, testInfo);
  await phone.goto(buttonLink(await mailTo(email, LOGIN_MAIL)));
  await chooseThatAsked(phone);
  await checkScreen(phone, testInfo, "approve-type-the-number");
  await typeNumber(phone, number);
  await expect(phone.getByRole("heading", { name: "Approved" })).toBeVisible();
  await checkScreen(phone, testInfo, "approve-done");
  await expect(page).toHaveURL(/\/appointments$/);
  await phone.context().close();

  // Cancelled by a wrong number: the phone, and the screen that waited.
  const other = addPatient("Cal Cancel");
  const screen = await anotherBrowser(browser, testInfo);
  await requestLink(screen, other, !!testInfo.project.use.isMobile);
  const shown = ((await screen.locator(".approval-number").textContent()) ?? "").match(/\d\d/)![0];
  const second = await anotherBrowser(browser, testInfo);
  await second.goto(buttonLink(await mailTo(other, LOGIN_MAIL)));
  await chooseThatAsked(second);
  await typeNumber(second, otherThan(shown));
  await expect(second.getByRole("heading", { name: "Login cancelled" })).toBeVisible();
  await checkScreen(second, testInfo, "approve-cancelled");
  await expect(screen.getByRole("alert")).toBeVisible();
  await checkScreen(screen, testInfo, "check-email-cancelled");
  await second.context().close();
  await screen.context().close();
});

test("the screens of a signed-in patient", async ({ page }, testInfo) => {
  const email = addPatient("Pat Portal");
  const next = addAppointment(email, "Dr. Upcoming", 2);
  addAppointment(email, "Dr. Earlier", -3);
  const form = addFormResponse(email, "Health questionnaire", ["Allergies=None", "Medication=Vitamin D"]);
  await signIn(page, email);
  await checkScreen(page, testInfo, "appointments");

  await page.goto(`/appointments/${next}`);
  await checkScreen(page, testInfo, "appointment");

  await page.goto(`/forms/${form}`);
  await checkScreen(page, testInfo, "form-response");

  await page.goto("/account");
  await checkScreen(page, testInfo, "account");

  await page.goto("/appointments/999999999");
  await checkScreen(page, testInfo, "appointment-not-found");
});

test("a keyboard reaches the form past a visible skip link, and sees where it is", async ({ page }) => {
  await page.goto("/login");
  await page.keyboard.press("Tab");
  const skip = page.getByRole("link", { name: "Skip to main content" });
  await expect(skip).toBeFocused();
  await expect(skip).toBeInViewport();
  await page.keyboard.press("Enter");
  await page.keyboard.press("Tab");
  const email = page.getByLabel("Email address").first();
  await expect(email).toBeFocused();
  const ring = await email.evaluate((e) => {
    const style = getComputedStyle(e);
    return { style: style.outlineStyle, width: parseFloat(style.outlineWidth) };
  });
  expect(ring.style).not.toBe("none");
  expect(ring.width).toBeGreaterThanOrEqual(2);
});

test("the countdown on Send again is not announced every second", async ({ page }, testInfo) => {
  const email = addPatient("Quinn Quiet");
  await requestLink(page, email, !!testInfo.project.use.isMobile);
  const again = page.getByRole("button", { name: /^Send again in \d+ s$/ });
  await expect(again).toBeVisible();
  const live = await again.evaluate((b) => b.closest("[aria-live], [role=status], [role=alert], [role=timer]"));
  expect(live).toBeNull();
});
