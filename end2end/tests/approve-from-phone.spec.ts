import { test, expect, hydrated } from "./fixtures";
import { devices, type Browser, type BrowserContextOptions, type Page } from "@playwright/test";
import {
  LOGIN_MAIL,
  addPatient,
  buttonLink,
  chooseThatAsked,
  mailTo,
  otherThan,
  requestLink,
  typeNumber,
} from "./support";

// "Log in on the computer that asked": the patient asks on one device (this project's: a
// desktop, or a phone) and opens the email on their phone, which signs the first one in when the
// patient types the number its screen shows.

/** The patient's phone: another device, which never asked for anything. */
async function phoneOpening(browser: Browser, link: string): Promise<Page> {
  const phone = await (await browser.newContext({ ...devices["Pixel 7"] })).newPage();
  await phone.goto(link);
  await hydrated(phone);
  return phone;
}

/**
 * The device that asks, as this project's device, from an address and city of its own (the
 * portal believes the test proxy's X-Forwarded-For and x-e2e-city), so runs do not share one
 * client's limits.
 */
async function computer(browser: Browser, isMobile: boolean, options: BrowserContextOptions = {}): Promise<Page> {
  const n = Math.floor(Math.random() * 250) + 1;
  const context = await browser.newContext({
    ...devices[isMobile ? "Pixel 7" : "Desktop Chrome"],
    extraHTTPHeaders: { "x-forwarded-for": `198.51.100.${n}`, "x-e2e-city": "Toronto" },
    ...options,
  });
  return context.newPage();
}

/** The number the waiting screen shows. */
async function numberOn(screen: Page): Promise<string> {
  const text = (await screen.locator(".approval-number").textContent()) ?? "";
  const number = text.match(/\d\d/)?.[0];
  if (!number) throw new Error(`no number on the waiting screen: "${text}"`);
  return number;
}

/** On the phone: "Log in on the computer that asked", where no number is offered to pick. */
async function chooseTheComputer(phone: Page): Promise<void> {
  await chooseThatAsked(phone);
  await expect(phone.getByText("Never type a number that someone gives you")).toBeVisible();
  await expect(phone.locator("main form button")).toHaveText(["Log in there"]);
}

test("the computer that asked signs in by itself when the phone types its number", async ({ browser, isMobile }) => {
  // E2E_APPROVAL_RUNS=20 measures it (scripts/bench approval): the median is printed.
  const runs = Number(process.env.E2E_APPROVAL_RUNS ?? 1);
  test.setTimeout(30_000 + runs * 15_000);
  const took: number[] = [];
  for (let run = 0; run < runs; run++) {
    const email = addPatient("Tess Tap");
    const screen = await computer(browser, isMobile);
    await requestLink(screen, email, isMobile);
    const where = isMobile ? "Opening the email in another app?" : "Opening the email on your phone?";
    await expect(screen.getByRole("heading", { name: where })).toBeVisible();
    await expect(screen.getByText("Waiting for your phone…")).toBeVisible();
    const number = await numberOn(screen);

    const phone = await phoneOpening(browser, buttonLink(await mailTo(email, LOGIN_MAIL)));
    await expect(phone.getByRole("button", { name: "Log in on this phone" })).toBeVisible();
    await expect(phone.locator(".asker")).toHaveText(/^Chrome on \w+, near Toronto, just now$/);
    await chooseTheComputer(phone);

    const tapped = Date.now();
    await typeNumber(phone, number);
    // No reload, no click: the waiting screen goes to the appointments by itself.
    await expect(screen).toHaveURL(/\/appointments$/);
    took.push(Date.now() - tapped);
    await expect(screen.getByRole("heading", { name: "Your appointments" })).toBeVisible();
    await expect(phone.getByRole("heading", { name: "Approved" })).toBeVisible();
    await expect(phone.getByText("The browser that asked is logging in")).toBeVisible();

    // The phone approved, and was not signed in itself.
    await phone.goto("/appointments");
    await expect(phone).toHaveURL(/\/login/);
    await phone.context().close();
    await screen.context().close();
  }
  took.sort((a, b) => a - b);
  const median = took[Math.floor((took.length - 1) / 2)];
  console.log(`approval: signed in ${median} ms after the tap (median of ${runs}; all: ${took.join(", ")} ms)`);
  test.info().annotations.push({ type: "tap to signed in (ms, median)", description: String(median) });
});

test("a wrong number cancels the link, and the computer stays signed out", async ({ browser, isMobile }) => {
  const email = addPatient("Wren Wrong");
  const screen = await computer(browser, isMobile);
  await requestLink(screen, email, isMobile);
  const number = await numberOn(screen);

  const phone = await phoneOpening(browser, buttonLink(await mailTo(email, LOGIN_MAIL)));
  await chooseTheComputer(phone);
  await typeNumber(phone, otherThan(number));
  await expect(phone.getByRole("alert")).toContainText("That was not the number on the other screen");
  await expect(phone.getByRole("heading", { name: "Login cancelled" })).toBeVisible();

  // The computer is told at once that its request is over, and its number goes.
  await expect(screen.getByRole("alert")).toContainText("No log in is waiting on this screen any more");
  await expect(screen.locator(".approval-number")).toBeHidden();
  await expect(screen).toHaveURL(/\/login\/check-email$/);
  await phone.context().close();
  await screen.context().close();
});

test("without JavaScript, the computer goes on with \"I approved it, continue\"", async ({ browser, isMobile }) => {
  const email = addPatient("Noel Noscript");
  const screen = await computer(browser, isMobile, { javaScriptEnabled: false });
  await screen.goto("/login");
  await screen.getByLabel("Email address").first().fill(email);
  await screen.getByLabel("Email address").first().press("Enter");
  await expect(screen).toHaveURL(/\/login\/check-email/);
  const number = await numberOn(screen);

  const phone = await phoneOpening(browser, buttonLink(await mailTo(email, LOGIN_MAIL)));
  await chooseTheComputer(phone);
  await typeNumber(phone, number);
  await expect(phone.getByRole("heading", { name: "Approved" })).toBeVisible();

  await screen.getByRole("button", { name: "I approved it, continue" }).click();
  await expect(screen).toHaveURL(/\/appointments$/);
  await phone.context().close();
  await screen.context().close();
});
