import { test, expect, hydrated } from "./fixtures";
import type { Browser, Page } from "@playwright/test";
import {
  LOGIN_MAIL,
  addAppointment,
  addPatient,
  buttonLink,
  mailTo,
  requestLink,
  sendLinkButton,
  submitPassword,
} from "./support";

/** Asks for a link on `page` and returns the one the email brings (over real SMTP). */
async function askForLink(page: Page, email: string, isMobile: boolean): Promise<string> {
  await requestLink(page, email, isMobile);
  return buttonLink(await mailTo(email, LOGIN_MAIL));
}

/** Opens `link` in a brand-new browser context (another device, or a scanner's browser). */
async function openElsewhere(browser: Browser, link: string): Promise<Page> {
  const page = await (await browser.newContext()).newPage();
  await page.goto(link);
  await hydrated(page);
  return page;
}

test("the login button reads as the help article says on this device", async ({ page, isMobile }) => {
  await page.goto("/login");
  await expect(sendLinkButton(page, isMobile)).toBeVisible();
});

test("a patient asks for a link and the same browser is signed in without a click", async ({ page, isMobile }) => {
  const email = addPatient("Lee Link");
  addAppointment(email, "Dr. Magic Link", 2);

  await requestLink(page, email, isMobile);
  await expect(page.getByRole("heading", { name: "Check your email" })).toBeVisible();
  await expect(page.getByText(email)).toBeVisible();
  await expect(page.getByRole("button", { name: /^Send again in \d+ s$/ })).toBeDisabled();
  // The countdown runs in the hydrated page.
  await expect(page.getByRole("button", { name: /^Send again in 5[0-8] s$/ })).toBeVisible();

  const mail = await mailTo(email, LOGIN_MAIL);
  expect(mail.html).toContain(">Log In</a>");
  await page.goto(buttonLink(mail));
  await expect(page).toHaveURL(/\/appointments$/);
  await expect(page.getByText("Dr. Magic Link")).toBeVisible();
  // The link's page was replaced: the token is neither in the address bar nor one step back.
  await page.goBack();
  expect(page.url()).not.toContain("/login/link/");
});

test("mail scanners that fetch the link, or run it in their own browser, do not burn it", async ({ page, browser, request, isMobile }) => {
  const email = addPatient("Sam Scanner");
  const link = await askForLink(page, email, isMobile);

  // A plain HTTP GET, as link checkers do.
  const fetched = await request.get(link);
  expect(fetched.status()).toBe(200);
  expect(fetched.headers()["cache-control"]).toBe("no-store");
  expect(fetched.headers()["referrer-policy"]).toBe("same-origin");
  expect(await fetched.text()).toContain("Log in as");

  // A scripted browser with its own cookies, which runs the page's scripts.
  const scanner = await openElsewhere(browser, link);
  await expect(scanner.getByRole("button", { name: "Log In" })).toBeVisible();
  // Hydrated, the page would have pressed "Log In" by now if it were going to.
  await hydrated(scanner);
  await expect(scanner.getByRole("button", { name: "Log In" })).not.toHaveAttribute("aria-busy");
  await expect(scanner).toHaveURL(link);
  await scanner.context().close();

  // The patient's click still works, in the browser that asked: no click needed.
  await page.goto(link);
  await expect(page).toHaveURL(/\/appointments$/);
});

test("another browser sees whose account it is and signs in with one click; the link then works nowhere else", async ({ page, browser, isMobile }) => {
  const email = addPatient("Kim Click");
  const link = await askForLink(page, email, isMobile);

  const other = await openElsewhere(browser, link);
  await expect(other.getByText(/Log in as/)).toBeVisible();
  await expect(other.locator(".account")).toHaveText(/^k•••@example\.org$/);
  await other.getByRole("button", { name: "Log In" }).click();
  await expect(other).toHaveURL(/\/appointments$/);

  // Used: a third browser is refused and told why.
  const third = await openElsewhere(browser, link);
  await expect(third.getByRole("heading", { name: "This link has already been used" })).toBeVisible();
  await expect(third.getByRole("button", { name: "Email me a new link" })).toBeVisible();
  await third.context().close();

  // The browser that used it is signed in as that patient (say in another tab): it just lands.
  const tab = await other.context().newPage();
  await tab.goto(link);
  await expect(tab).toHaveURL(/\/appointments$/);
  await other.context().close();
});

test("an appointment notification's link lands on that appointment", async ({ browser }) => {
  const email = addPatient("Nia Notify");
  addAppointment(email, "Dr. Notified", 3);
  const mail = await mailTo(email, "New appointment created");

  // Opened on a browser that never signed in: whose account, one click, that appointment.
  const phone = await openElsewhere(browser, buttonLink(mail, "View appointment"));
  await phone.getByRole("button", { name: "Log In" }).click();
  await expect(phone).toHaveURL(/\/appointments\/\d+$/);
  await expect(phone.getByText("Dr. Notified")).toBeVisible();
  await phone.context().close();
});

test("a browser the patient signed in on before opens their next link without a click", async ({ page, browser, isMobile }) => {
  const email = addPatient("Dee Device");
  // Signed in here once (this becomes a known browser), then signed out.
  await page.goto("/login");
  await submitPassword(page, email);
  await expect(page).toHaveURL(/\/appointments$/);
  await page.goto("/account");
  await expect(page.getByText("This browser")).toBeVisible();
  await page.getByRole("button", { name: "Sign out", exact: true }).click();
  await expect(page).toHaveURL(/\/login/);

  // The link is asked for on another device, and opened here.
  const phone = await (await browser.newContext()).newPage();
  const link = await askForLink(phone, email, isMobile);
  await page.goto(link);
  await expect(page).toHaveURL(/\/appointments$/);
  await phone.context().close();
});
