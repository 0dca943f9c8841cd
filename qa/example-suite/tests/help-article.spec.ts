// The help article's promises about Secure Login Links, one test each, as a patient sees them.
import { test, expect, EMAIL, AppointmentPage, FormResponsePage, LoginPage, LoginLinkPage } from "@carelink/playwright-kit";

test("the login page offers the link by the article's name and confirms it was sent", async ({ page, patient, isMobile }) => {
  const login = new LoginPage(page);
  await login.goto();
  const name = isMobile ? "Sign in without password" : "Send Secure Login Link";
  await expect(page.getByRole("button", { name })).toBeVisible();
  const checkEmail = await login.askForLink(patient.email);
  await expect(checkEmail.heading).toBeVisible();
});

test("the email's Log In button signs the patient in on their appointments, with no password", async ({ page, patient, lastEmail, newPage }) => {
  await new LoginPage(page).goto();
  await new LoginPage(page).askForLink(patient.email);
  const email = await lastEmail({ kind: EMAIL.loginLink });
  expect(email.Subject).toBe("Your secure login link");
  expect(email.Text).toContain(`Log In: ${email.LoginLink}`);
  // Opened on another device, as from a phone's mail app.
  const phone = await newPage();
  await new LoginLinkPage(phone).open(email.LoginLink!);
  await expect(phone).toHaveURL(/\/appointments$/);
  await expect(phone.getByRole("heading", { name: "Your appointments" })).toBeVisible();
});

test("only an account that has created a password gets a link", async ({ page, carelink, lastEmail }) => {
  const invited = await carelink.createPatient({ invited: true });
  const login = new LoginPage(page);
  await login.goto();
  await login.askForLink(invited.email);
  // The invitation, then the answer to the request: a link to create a password, not to log in.
  const answer = await lastEmail({ to: invited.email, kind: EMAIL.setPassword, since: 1 });
  expect(answer.LoginLink).toBeNull();
  const all = await carelink.messages(invited.email);
  expect(all.filter((m) => m.Kind === EMAIL.loginLink)).toEqual([]);
  await carelink.removePatient(invited.email);
});

test("a link works once, except in the browser it already signed in", async ({ page, patient, loginLink, newPage }) => {
  const login = new LoginPage(page);
  await login.goto();
  await login.askForLink(patient.email);
  const link = await loginLink();
  const first = await newPage();
  await new LoginLinkPage(first).open(link);
  await expect(first).toHaveURL(/\/appointments$/);
  // Another tab of that browser: still signed in, it lands there again.
  const tab = await first.context().newPage();
  await tab.goto(link);
  await expect(tab).toHaveURL(/\/appointments$/);
  // Anyone else: used.
  const other = await newPage();
  await other.goto(link);
  await expect(new LoginLinkPage(other).used).toBeVisible();
});

test('"New appointment created" signs the patient in on that appointment', async ({ carelink, patient, lastEmail, newPage }) => {
  const starts = new Date(Date.now() + 3 * 86_400_000);
  await carelink.bookAppointment({ email: patient.email, startsAt: starts, clinician: "Lee Chen, physiotherapist", reason: "Knee exercises" });
  const email = await lastEmail({ subject: "New appointment created" });
  const phone = await newPage();
  await new LoginLinkPage(phone).open(email.LoginLink!);
  await expect(new AppointmentPage(phone).heading("Lee Chen, physiotherapist")).toBeVisible();
});

test('"New form response" signs the patient in on that response', async ({ carelink, patient, lastEmail, newPage }) => {
  await carelink.recordFormResponse({ email: patient.email, title: "Pre-visit questionnaire", answers: { "How are you feeling today?": "Better" } });
  const email = await lastEmail({ subject: "New form response" });
  const phone = await newPage();
  await new LoginLinkPage(phone).open(email.LoginLink!);
  const response = new FormResponsePage(phone);
  await expect(response.heading("Pre-visit questionnaire")).toBeVisible();
  await expect(response.answerTo("How are you feeling today?")).toHaveText("Better");
});

test("a signed-in page needs no sign-in at all", async ({ signedInPage, carelink, patient }) => {
  await carelink.bookAppointment({ email: patient.email, startsAt: new Date(Date.now() + 86_400_000), clinician: "Dr. Amara Okafor" });
  await signedInPage.goto("/appointments");
  await expect(signedInPage.getByText("Dr. Amara Okafor")).toBeVisible();
});
