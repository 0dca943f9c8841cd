import * as fs from "node:fs";
import { test, expect } from "./fixtures";
import { addAppointment, addPatient, signIn } from "./support";

// A patient whose browser is in Toronto; the server and the clinic are on UTC.
test.use({ timezoneId: "America/Toronto" });

test("times read in the browser's zone from the first sign-in, and the calendar file agrees", async ({ page }) => {
  const email = addPatient("Tori Onto");
  // 15:00 UTC on a winter day is 10:00 in Toronto (EST, UTC-5).
  const id = addAppointment(email, "Dr. Daylight", new Date("2031-03-04T15:00:00Z"));
  await signIn(page, email);

  const when = page.locator("time").filter({ hasText: "Tue 4 March 2031, 10:00 a.m. EST" });
  await expect(when).toBeVisible();
  await expect(when).toHaveAttribute("datetime", "2031-03-04T15:00:00Z");

  await page.goto("/account");
  await expect(page.getByLabel("Your time zone")).toHaveValue("America/Toronto");

  await page.goto(`/appointments/${id}`);
  const download = page.waitForEvent("download");
  await page.getByRole("link", { name: "Add to calendar" }).click();
  const file = await download;
  expect(file.suggestedFilename()).toMatch(/\.ics$/);
  const ics = fs.readFileSync(await file.path(), "utf8");
  expect(ics).toContain("DTSTART;TZID=America/Toronto:20310304T100000");
  expect(ics).toContain("BEGIN:VTIMEZONE");
});

test("a patient moves their times to another zone on their account page", async ({ page }) => {
  const email = addPatient("Paris Move");
  addAppointment(email, "Dr. Elsewhere", new Date("2031-03-04T15:00:00Z"));
  await signIn(page, email);

  await page.goto("/account");
  await page.getByLabel("Your time zone").selectOption("Europe/Paris");
  await page.getByRole("button", { name: "Save time zone" }).click();
  await expect(page.getByRole("status")).toHaveText("Times are now shown in Europe/Paris.");

  await page.goto("/appointments");
  await expect(page.getByText("Tue 4 March 2031, 4:00 p.m. CET")).toBeVisible();
});
