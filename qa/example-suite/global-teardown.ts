// Leaves the portal as the suite found it: every patient the testing API created goes, with
// their records and emails.
import type { FullConfig } from "@playwright/test";
import { Carelink } from "@carelink/playwright-kit";

export default async function teardown(config: FullConfig) {
  const baseURL = config.projects[0].use.baseURL ?? process.env.CARELINK_URL!;
  await new Carelink({ baseURL, token: process.env.CARELINK_TESTING_TOKEN! }).removeEverything();
}
