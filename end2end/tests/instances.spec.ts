import { expect, test } from "@playwright/test";

// With E2E_INSTANCES=2 (scripts/test's PostgreSQL pass) every test here runs against two
// instances behind a balancer; this one checks that both really serve, so that the others cross
// from one to the other as a patient's requests would.
test("requests reach both instances behind the balancer", async ({ request }) => {
  test.skip(Number(process.env.E2E_INSTANCES ?? 1) < 2, "one instance in this run");
  const served = new Set<string>();
  // Round robin, with other tests' requests in between: a few tries see both.
  for (let i = 0; i < 40 && served.size < 2; i++) {
    const response = await request.get("/health");
    expect(response.ok()).toBe(true);
    served.add(response.headers()["x-carelink-instance"]);
  }
  expect([...served].sort()).toEqual(["a", "b"]);
});
