import { test, expect, hydrated } from "./fixtures";
import { LOGIN_MAIL, addAppointment, addPatient, mailTo, requestLink } from "./support";

test("a patient types the code from the email on the confirmation screen and lands on appointments", async ({ page, isMobile }) => {
  const email = addPatient("Cody Code");
  addAppointment(email, "Dr. Digits", 4);
  await requestLink(page, email, isMobile);

  const mail = await mailTo(email, LOGIN_MAIL);
  const code = mail.text.match(/^\s*(\d{4} \d{4})\s*$/m)?.[1];
  expect(code, mail.text).toBeTruthy();
  expect(mail.html).toContain(`>${code}</p>`);

  await hydrated(page);
  await expect(page.getByRole("heading", { name: "Have a code? Enter it here" })).toBeVisible();
  const field = page.getByLabel("Sign-in code");
  await expect(field).toHaveAttribute("autocomplete", "one-time-code");
  await expect(field).toHaveAttribute("inputmode", "numeric");
  const button = page.getByRole("button", { name: "Log In with code" });

  // A slip of the finger is refused (in words that say nothing about who has an account).
  const wrong = code === "0000 0000" ? "1111 1111" : "0000 0000";
  await field.fill(wrong);
  await button.click();
  await expect(page.getByRole("alert")).toHaveText(/^That code did not work\./);

  // Pasted (WCAG 3.3.8: no per-digit boxes, nothing that blocks a paste), as some mail apps
  // copy it, with a dash.
  await field.fill("");
  await field.focus();
  await page.evaluate((text) => {
    const data = new DataTransfer();
    data.setData("text/plain", text);
    const pasted = new ClipboardEvent("paste", { clipboardData: data, bubbles: true, cancelable: true });
    const field = document.activeElement as HTMLInputElement;
    // A page that blocked pasting would cancel the event; ours must let it through.
    if (field.dispatchEvent(pasted)) field.setRangeText(text, 0, field.value.length, "end");
  }, code!.replace(" ", "-"));
  await expect(field).toHaveValue(code!.replace(" ", "-"));
  await expect(page.locator("input.code, input[name=code]")).toHaveCount(1);
  await button.click();
  await expect(page).toHaveURL(/\/appointments$/);
  await expect(page.getByText("Dr. Digits")).toBeVisible();
});
