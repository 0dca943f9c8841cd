// A clinic's scheduling and forms system, as scripts/clinic-system runs it: every call goes
// through the FHIR API with the key in CARELINK_API_KEY, and every email is read from the mail
// catcher at MAIL_URL. After each call it checks that the patient received exactly one more
// email, with the expected subject, and that its button signs them in on what it announces.
// Exits non-zero, saying what went wrong, at the first surprise.

const portal = process.env.CARELINK_URL;
const mail = process.env.MAIL_URL;
const key = process.env.CARELINK_API_KEY;
if (!portal || !mail || !key?.startsWith("clk_")) {
  throw new Error("set CARELINK_URL, MAIL_URL and CARELINK_API_KEY (a key from carelink api-key add)");
}

const email = `clinic-system-${Date.now()}@example.org`;
const password = "a long and unguessable passphrase 42";
const charts = "https://clinic.example/charts";
const visits = "https://scheduling.clinic.example/visits";
let cookies = "";

function check(condition, what) {
  if (!condition) throw new Error(what);
}

async function put(path, resource, expected) {
  const response = await fetch(`${portal}/fhir/${path}`, {
    method: "PUT",
    headers: { authorization: `Bearer ${key}`, "content-type": "application/fhir+json" },
    body: JSON.stringify(resource),
  });
  const body = await response.json();
  check(response.status === expected, `PUT ${path}: ${response.status}, expected ${expected}: ${JSON.stringify(body)}`);
  console.log(`PUT /fhir/${path.split("?")[0]} -> ${response.status}`);
  return body;
}

/// The patient's emails, once there are `count`.
async function emails(count) {
  for (let i = 0; i < 100; i++) {
    const messages = await (await fetch(`${mail}/messages?to=${encodeURIComponent(email)}`)).json();
    if (messages.length >= count) return messages;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  throw new Error(`the patient did not receive ${count} emails`);
}

/// Waits for email number `count` and checks it is the only new one, about `subject`.
async function nextEmail(count, subject) {
  const messages = await emails(count);
  await new Promise((resolve) => setTimeout(resolve, 500));
  const settled = await emails(count);
  check(settled.length === count, `expected ${count} emails, the patient has ${settled.length}`);
  const latest = messages[count - 1];
  check(latest.subject.startsWith(subject), `email ${count}: "${latest.subject}", expected "${subject}"`);
  console.log(`  email ${count}: ${latest.subject}`);
  return latest.text;
}

/// Submits a plain form as a browser without JavaScript does; returns where it leads.
async function submit(from, endpoint, fields) {
  const response = await fetch(`${portal}${endpoint}`, {
    method: "POST",
    redirect: "manual",
    headers: {
      accept: "text/html",
      origin: portal,
      referer: from,
      "content-type": "application/x-www-form-urlencoded",
      cookie: cookies,
    },
    body: new URLSearchParams(fields),
  });
  const set = response.headers.getSetCookie().map((c) => c.split(";")[0]);
  if (set.length) cookies = [cookies, ...set].filter(Boolean).join("; ");
  check([302, 303].includes(response.status), `${endpoint}: ${response.status}, expected a redirect`);
  return response.headers.get("location");
}

/// Follows the email's button in a new browser and checks it lands, signed in, on `landing`.
async function signsIn(text, landing) {
  cookies = "";
  const login = text.match(/https?:\/\/\S+\/login\/link\/[\w-]+/);
  const create = text.match(/https?:\/\/\S+\/password\/new\?token=[\w-]+/);
  let location;
  if (login) {
    const token = login[0].split("/").pop();
    location = await submit(login[0], "/api/sign_in_with_link", { token });
  } else {
    check(create, `no sign-in link in: ${text}`);
    const token = create[0].split("token=")[1];
    location = await submit(create[0], "/api/set_password", {
      token,
      new_password: password,
      confirm_password: password,
    });
  }
  check(location === landing, `the button led to ${location}, expected ${landing}`);
  const page = await fetch(`${portal}${landing}`, { headers: { cookie: cookies, accept: "text/html" }, redirect: "manual" });
  check(page.status === 200, `${landing} answered ${page.status} after signing in`);
  console.log(`  its button signs the patient in on ${landing}`);
}

const patient = await put(`Patient?identifier=${charts}|C-100`, {
  resourceType: "Patient",
  telecom: [{ system: "email", value: email }],
  name: [{ given: ["Robin"], family: "Clinic" }],
  extension: [{ url: "http://hl7.org/fhir/StructureDefinition/timezone", valueCode: "America/Toronto" }],
}, 201);
// The invitation: creating the password signs the patient in.
await signsIn(await nextEmail(1, "Create your"), "/appointments");
await put(`Patient?identifier=${charts}|C-100`, { resourceType: "Patient", telecom: [{ system: "email", value: email }] }, 200);

const start = new Date(Date.now() + 3 * 86400e3);
start.setUTCMinutes(0, 0, 0);
const visit = (starts, status) => ({
  resourceType: "Appointment",
  status,
  start: starts.toISOString(),
  end: new Date(starts.getTime() + 30 * 60e3).toISOString(),
  description: "Annual check-up",
  participant: [
    { actor: { reference: `Patient?identifier=${charts}|C-100` } },
    { actor: { display: "Dr. Ada Okafor" } },
  ],
});
const booked = await put(`Appointment?identifier=${visits}|V-100`, visit(start, "booked"), 201);
const page = `/appointments/${booked.id}`;
await signsIn(await nextEmail(2, "New appointment created"), page);
await put(`Appointment?identifier=${visits}|V-100`, visit(start, "booked"), 200);

const moved = new Date(start.getTime() + 86400e3);
await put(`Appointment?identifier=${visits}|V-100`, visit(moved, "booked"), 200);
await signsIn(await nextEmail(3, "Your appointment has changed"), page);

await put(`Appointment?identifier=${visits}|V-100`, visit(moved, "cancelled"), 200);
await signsIn(await nextEmail(4, "Your appointment was cancelled"), page);
await put(`Appointment?identifier=${visits}|V-100`, visit(moved, "cancelled"), 200);

const form = await put("QuestionnaireResponse?identifier=https://forms.clinic.example|R-100", {
  resourceType: "QuestionnaireResponse",
  status: "completed",
  subject: { reference: `Patient/${patient.id}` },
  _questionnaire: { extension: [{ url: "http://hl7.org/fhir/StructureDefinition/display", valueString: "Intake form" }] },
  item: [{ linkId: "1", text: "Any allergies?", answer: [{ valueBoolean: false }] }],
}, 201);
await signsIn(await nextEmail(5, "New form response"), `/forms/${form.id}`);

await emails(5);
console.log(`clinic system: 5 calls that change something, 5 emails to ${email}, each signing them in`);
