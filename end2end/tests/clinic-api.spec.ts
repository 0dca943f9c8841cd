import { test, expect } from "./fixtures";
import { addPatient, apiKey, buttonLink, mailTo } from "./support";

// The clinic's scheduling system books through the FHIR API (docs/api.md); the patient signs in
// from the email and finds the visit on their page, and sees it cancelled when the system
// cancels it.
test("an appointment sent through the API is on the patient's page after they sign in from its email", async ({
  page,
  baseURL,
}) => {
  const email = addPatient("Ines Integration");
  const key = apiKey(`scheduling-${Date.now()}`, ["system/Patient.write", "system/Appointment.write"]);
  const put = async (path: string, resource: object) => {
    const response = await fetch(`${baseURL}/fhir/${path}`, {
      method: "PUT",
      headers: { authorization: `Bearer ${key}`, "content-type": "application/fhir+json" },
      body: JSON.stringify(resource),
    });
    return { status: response.status, body: await response.json() };
  };
  const chart = `C-${Date.now()}-${Math.floor(Math.random() * 1e6)}`;
  const patient = await put(`Patient?identifier=https://clinic.example/charts|${chart}`, {
    resourceType: "Patient",
    telecom: [{ system: "email", value: email }],
  });
  expect(patient.status).toBe(200);

  const start = new Date(Date.now() + 5 * 86_400_000);
  start.setUTCHours(15, 0, 0, 0);
  const visit = (status: string) => ({
    resourceType: "Appointment",
    status,
    start: start.toISOString(),
    end: new Date(start.getTime() + 30 * 60_000).toISOString(),
    description: "Sent by the scheduling system",
    participant: [
      { actor: { reference: `Patient?identifier=https://clinic.example/charts|${chart}` } },
      { actor: { display: "Dr. Fhir Integration" } },
    ],
  });
  const path = `Appointment?identifier=https://scheduling.clinic.example/visits|${chart}`;
  const booked = await put(path, visit("booked"));
  expect(booked.status).toBe(201);

  const mail = await mailTo(email, "New appointment created");
  await page.goto(buttonLink(mail, "View appointment"));
  await page.getByRole("button", { name: "Log In" }).click();
  await expect(page).toHaveURL(new RegExp(`/appointments/${booked.body.id}$`));
  await expect(page.getByRole("heading", { level: 1 })).toHaveText("Appointment with Dr. Fhir Integration");
  await expect(page.getByText("Sent by the scheduling system")).toBeVisible();

  await page.goto("/appointments");
  const row = page.locator("li.appointment", { hasText: "Dr. Fhir Integration" });
  await expect(row).toBeVisible();
  await expect(row.getByText("Cancelled")).toHaveCount(0);

  expect((await put(path, visit("cancelled"))).status).toBe(200);
  await mailTo(email, "Your appointment was cancelled");
  await page.reload();
  await expect(row.getByText("Cancelled")).toBeVisible();
});
