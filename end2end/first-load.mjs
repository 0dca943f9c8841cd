// What a phone downloads on its first visit to a page: every transfer (headers and the body as
// sent, compressed or not), from a fresh Chromium profile, until the page has hydrated.
// Prints one line per transfer and the total; exits 1 when the total is over the budget.
//
//   node first-load.mjs http://127.0.0.1:3000/login 150
import { chromium } from "@playwright/test";

const [url, budgetKb] = process.argv.slice(2);
if (!url || !Number(budgetKb)) {
  console.error("usage: node first-load.mjs URL BUDGET_KB");
  process.exit(2);
}

const browser = await chromium.launch({
  executablePath: process.env.CHROMIUM_PATH ?? "/usr/bin/chromium",
  args: ["--no-sandbox", "--disable-gpu", "--disable-background-networking"],
});
const page = await (await browser.newContext()).newPage();
const transfers = [];
page.on("requestfinished", async (request) => {
  const response = await request.response();
  const sizes = await request.sizes();
  transfers.push({
    path: new URL(request.url()).pathname,
    encoding: response?.headers()["content-encoding"] ?? "none",
    bytes: sizes.responseHeadersSize + sizes.responseBodySize,
  });
});
await page.goto(url);
await page.locator("body[data-hydrated=true]").waitFor({ state: "attached", timeout: 30_000 });
await page.waitForLoadState("networkidle");
await browser.close();

const kb = (bytes) => (bytes / 1024).toFixed(1).padStart(7);
for (const t of transfers.sort((a, b) => b.bytes - a.bytes)) {
  console.log(`${kb(t.bytes)} KB  ${t.encoding.padEnd(5)} ${t.path}`);
}
const total = transfers.reduce((sum, t) => sum + t.bytes, 0);
console.log(`${kb(total)} KB  total for the first visit to ${url} (budget ${budgetKb} KB)`);
if (total > Number(budgetKb) * 1024) {
  console.error(`over budget by ${(total / 1024 - Number(budgetKb)).toFixed(1)} KB`);
  process.exit(1);
}
