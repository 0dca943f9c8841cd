import type { Browser, Page, TestInfo } from "@playwright/test";
import { test, expect, hydrated, clientAddress } from "./fixtures";
import { checkScreen } from "./screens";
import { addAppointment, addFormResponse, addPatient, buttonLink, mailTo } from "./support";

/**
 * A French-speaking patient, from a browser that asks for French (the "(fr)" projects: a
 * computer, a phone, and a phone without JavaScript), goes from the login page to their
 * appointments by a Secure Login Link without reading a word of English.
 */

/** Words that would give an English sentence away. The switch to English, in English on
 * purpose (and marked so), is left out. */
const ENGLISH = /\b(the|your|you|and|with|Log in|Sign in|Send|Check|Need a hand|Appointments|Email)\b/;

async function readsOnlyFrench(page: Page): Promise<void> {
  await expect(page.locator("html")).toHaveAttribute("lang", "fr-CA");
  await expect(page.locator('.language-switch [lang="en-CA"]')).toHaveText("English");
  const text = (await page.locator("body").innerText()).replace(/\bEnglish\b/, "");
  expect(text, "English on a French page").not.toMatch(ENGLISH);
}

/** Another browser of this project's kind, asking for French: the phone the email was opened
 * on. */
async function frenchBrowser(browser: Browser, testInfo: TestInfo): Promise<Page> {
  const { viewport, userAgent, deviceScaleFactor, isMobile, hasTouch, javaScriptEnabled } = testInfo.project.use;
  const extraHTTPHeaders = { "x-forwarded-for": clientAddress(`${testInfo.testId}-${Math.random()}`) };
  const context = await browser.newContext({
    viewport, userAgent, deviceScaleFactor, isMobile, hasTouch, javaScriptEnabled, locale: "fr-CA", extraHTTPHeaders,
  });
  return context.newPage();
}

/** Every check of a screen; without scripts, those that need none (axe runs in the page). */
async function check(page: Page, testInfo: TestInfo, screen: string): Promise<void> {
  if (testInfo.project.use.javaScriptEnabled === false) {
    await expect(page.locator("footer.site-help h2")).toHaveText("Besoin d'aide?");
    return;
  }
  await checkScreen(page, testInfo, screen);
}

test("a French-speaking patient signs in by Secure Login Link without a word of English", async ({ page, browser }, testInfo) => {
  // A dozen screens, each checked for English and by axe: near 30 s behind HAProxy on two cores.
  test.slow();
  const scripted = testInfo.project.use.javaScriptEnabled !== false;
  const email = addPatient("Camille Tremblay", { language: "fr" });
  const visit = addAppointment(email, "Dre Gagnon", 3);
  const form = addFormResponse(email, "Questionnaire de santé", ["Allergies=Aucune"]);
  const booked = await mailTo(email, "Nouveau rendez-vous");
  expect(booked.text).toContain("Un rendez-vous avec Dre Gagnon a été fixé pour vous le");
  expect(booked.text).toMatch(/\d{4}, \d{1,2} h \d\d \(/);

  await page.goto("/login");
  await readsOnlyFrench(page);
  await expect(page.getByRole("heading", { name: "Connexion au portail Carelink" })).toBeVisible();
  await check(page, testInfo, "fr-login");
  if (scripted) await hydrated(page);

  await page.getByLabel("Adresse courriel").first().fill(email);
  const send = testInfo.project.use.isMobile ? "Se connecter sans mot de passe" : "Envoyer le lien de connexion sécurisé";
  await page.getByRole("button", { name: send }).click();
  await expect(page).toHaveURL(/\/login\/check-email/);
  await expect(page.getByRole("heading", { name: "Consultez vos courriels" })).toBeVisible();
  await readsOnlyFrench(page);
  await check(page, testInfo, "fr-check-email");

  const mail = await mailTo(email, "Votre lien de connexion sécurisé");
  expect(mail.text).toContain("Bonjour Camille Tremblay,");
  expect(mail.html).toContain('<html lang="fr-CA">');
  const link = buttonLink(mail, "Se connecter");

  if (scripted) {
    // Opened on a phone first: the screen where the number the asking screen shows is typed.
    const phone = await frenchBrowser(browser, testInfo);
    await phone.goto(link);
    await phone.getByRole("link", { name: /^Connecter (l'ordinateur|le navigateur) qui a fait la demande/ }).click();
    await readsOnlyFrench(phone);
    await check(phone, testInfo, "fr-approve-type-the-number");
    await phone.context().close();
  }

  await page.goto(link);
  if (scripted) {
    // The browser that asked signs in by itself.
    await expect(page).toHaveURL(/\/appointments$/);
  } else {
    await readsOnlyFrench(page);
    await check(page, testInfo, "fr-link");
    await page.getByRole("button", { name: "Se connecter" }).click();
    await expect(page).toHaveURL(/\/appointments$/);
  }
  await expect(page.getByRole("heading", { name: "Vos rendez-vous" })).toBeVisible();
  // The same link again, elsewhere: used.
  const other = await frenchBrowser(browser, testInfo);
  await other.goto(link);
  await expect(other.getByRole("heading", { name: "Ce lien a déjà été utilisé" })).toBeVisible();
  await readsOnlyFrench(other);
  await check(other, testInfo, "fr-link-used");
  await other.context().close();
  await expect(page.getByText("Dre Gagnon")).toBeVisible();
  await readsOnlyFrench(page);
  await check(page, testInfo, "fr-appointments");

  // Every other screen of a signed-in patient, in French too.
  for (const [path, screen] of [
    [`/appointments/${visit}`, "fr-appointment"],
    [`/forms/${form}`, "fr-form-response"],
    ["/account", "fr-account"],
    ["/appointments/999999999", "fr-appointment-not-found"],
  ]) {
    await page.goto(path);
    await readsOnlyFrench(page);
    await check(page, testInfo, screen);
  }
});

test("the screens before signing in read in French", async ({ page }, testInfo) => {
  for (const [path, screen] of [
    ["/password/reset", "fr-password-reset"],
    ["/login/link/not-a-real-token", "fr-link-invalid"],
    ["/no/such/page", "fr-not-found"],
  ]) {
    await page.goto(path);
    await readsOnlyFrench(page);
    await check(page, testInfo, screen);
  }
  await page.goto("/login");
  await page.getByText("Se connecter plutôt avec un mot de passe").click();
  await readsOnlyFrench(page);
  await check(page, testInfo, "fr-login-password");
});

test("the language switch on the login page works with or without JavaScript, and stays", async ({ page }) => {
  await page.goto("/login");
  await page.getByRole("button", { name: "English" }).click();
  await expect(page).toHaveURL(/\/login$/);
  await expect(page.locator("html")).toHaveAttribute("lang", "en-CA");
  await expect(page.getByRole("heading", { name: "Log in to Carelink" })).toBeVisible();
  await page.reload();
  await expect(page.locator("html")).toHaveAttribute("lang", "en-CA");
  await page.getByRole("button", { name: "Français" }).click();
  await expect(page.locator("html")).toHaveAttribute("lang", "fr-CA");
});

test("an invited patient's set-password page reads in French", async ({ page }, testInfo) => {
  const invited = addPatient("Élodie Roy", { invited: true, language: "fr" });
  const invitation = await mailTo(invited, "Créez votre mot de passe pour le portail Carelink");
  await page.goto(buttonLink(invitation, "Créer un mot de passe"));
  await expect(page.getByRole("heading", { name: "Choisissez un mot de passe" })).toBeVisible();
  await readsOnlyFrench(page);
  await check(page, testInfo, "fr-password-new");
});

test("a wrong number's cancelled link reads in French, on the phone and the asking screen", async ({ page, browser }, testInfo) => {
  test.skip(testInfo.project.use.javaScriptEnabled === false, "the asking screen waits by script");
  const email = addPatient("Jean Côté", { language: "fr" });
  await page.goto("/login");
  await hydrated(page);
  await page.getByLabel("Adresse courriel").first().fill(email);
  const send = testInfo.project.use.isMobile ? "Se connecter sans mot de passe" : "Envoyer le lien de connexion sécurisé";
  await page.getByRole("button", { name: send }).click();
  const shown = ((await page.locator(".approval-number").textContent()) ?? "").match(/\d\d/)![0];
  const phone = await frenchBrowser(browser, testInfo);
  await phone.goto(buttonLink(await mailTo(email, "Votre lien de connexion sécurisé"), "Se connecter"));
  await phone.getByRole("link", { name: /^Connecter (l'ordinateur|le navigateur) qui a fait la demande/ }).click();
  await phone.getByLabel(/^Le numéro affiché à l'écran/).fill(shown === "99" ? "10" : String(Number(shown) + 1));
  await phone.getByRole("button", { name: "Connecter l'autre appareil" }).click();
  await expect(phone.getByRole("heading", { name: "Connexion annulée" })).toBeVisible();
  await readsOnlyFrench(phone);
  await check(phone, testInfo, "fr-approve-cancelled");
  await expect(page.getByRole("alert")).toBeVisible();
  await readsOnlyFrench(page);
  await check(page, testInfo, "fr-check-email-cancelled");
  await phone.context().close();
});
