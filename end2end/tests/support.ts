import { execFileSync } from "node:child_process";
import * as path from "node:path";

/**
 * Test data goes in through the same `carelink` CLI that clinics use, against the database of
 * the server under test (CARELINK_E2E_DB, set by playwright.config.ts or by whoever runs the
 * tests against their own server).
 */
const binary = process.env.CARELINK_BIN ?? path.resolve(__dirname, "../../target/debug/carelink");

function carelink(args: string[], input?: string): string {
  return execFileSync(binary, args, {
    input,
    encoding: "utf8",
    env: { ...process.env, DATABASE_URL: `sqlite://${process.env.CARELINK_E2E_DB}`, RUST_LOG: "warn" },
  });
}

export const PASSWORD = "a long and happy passphrase";

/** A new patient with a unique email; with the password above unless `invited`. */
export function addPatient(name: string, options: { invited?: boolean } = {}): string {
  const email = `${name.toLowerCase().replace(/[^a-z0-9]+/g, "-")}-${Date.now()}-${Math.floor(Math.random() * 1e6)}@example.org`;
  if (options.invited) {
    carelink(["user", "add", "--email", email, "--name", name]);
  } else {
    carelink(["user", "add", "--email", email, "--name", name, "--password-stdin"], `${PASSWORD}\n`);
  }
  return email;
}

export function addAppointment(email: string, clinician: string, inDays: number): void {
  const startsAt = new Date(Date.now() + inDays * 86_400_000).toISOString().replace(/\.\d+Z$/, "Z");
  carelink(["appointment", "add", "--email", email, "--starts-at", startsAt, "--clinician", clinician]);
}
