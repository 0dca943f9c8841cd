// WCAG 2.2 AA as axe checks it, on the pages a patient signs in through.
import AxeBuilder from "@axe-core/playwright";
import { test, expect, LoginPage } from "@carelink/playwright-kit";

const wcag = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa"];

test("the login and check-email pages pass axe", async ({ page, patient }) => {
  const login = new LoginPage(page);
  await login.goto();
  expect((await new AxeBuilder({ page }).withTags(wcag).analyze()).violations).toEqual([]);
  await login.askForLink(patient.email);
  expect((await new AxeBuilder({ page }).withTags(wcag).analyze()).violations).toEqual([]);
});

test("the appointments page passes axe", async ({ signedInPage }) => {
  await signedInPage.goto("/appointments");
  expect((await new AxeBuilder({ page: signedInPage }).withTags(wcag).analyze()).violations).toEqual([]);
});
