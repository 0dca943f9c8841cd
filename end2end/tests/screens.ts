import * as path from "node:path";
import AxeBuilder from "@axe-core/playwright";
import type { Page, TestInfo } from "@playwright/test";
import { expect } from "./fixtures";

/**
 * What every screen a patient can reach must pass, checked as a screen-reader user, a keyboard
 * user and a patient on a small phone would need it, and photographed for review:
 * end2end/screenshots/<project>/<screen>.png (also attached to the HTML report).
 *
 * axe checks WCAG 2.1 AA; the WCAG 2.2 AA criteria it does not check by itself are checked here:
 * 2.5.8 Target Size (24 CSS px, and 44 on a phone), 2.4.11 Focus Not Obscured (each stop of
 * the keyboard is visible, not under another element), and 3.1.2 Language of Parts.
 */
const SCREENSHOTS = path.resolve(__dirname, "../screenshots");
const WCAG_AA = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa"];
/** The smallest a control may be on a phone (WCAG 2.5.5's 44 CSS px). */
const TAP = 44;
/** The smallest a target may be anywhere (WCAG 2.2's 2.5.8). */
const TARGET = 24;
/** Controls a pointer must hit; links inside a sentence are exempt, as WCAG exempts them. */
const TARGETS = "button, input:not([type=hidden]), select, summary, a:not(p a, li a, dd a)";

/** Each visible target smaller than `min` CSS px tall (or wide, with `wide`). */
async function smallTargets(page: Page, min: number, wide: boolean): Promise<string[]> {
  return page.locator(TARGETS).evaluateAll(
    (controls, [min, wide]) =>
      controls
        .filter((c) => (c as HTMLElement).offsetParent !== null)
        .map((c) => ({ c, box: c.getBoundingClientRect() }))
        .filter(({ box }) => box.height < (min as number) || (wide && box.width < (min as number)))
        .map(({ c, box }) => `${c.outerHTML.slice(0, 80)} is ${box.width.toFixed(0)}×${box.height.toFixed(0)} px`),
    [min, wide] as const,
  );
}

/** Tabs through the page; every stop must be on screen and not covered by anything else. */
async function focusStopsObscured(page: Page): Promise<string[]> {
  const hidden: string[] = [];
  await page.evaluate(() => (document.activeElement as HTMLElement | null)?.blur());
  for (let stop = 0; stop < 40; stop++) {
    await page.keyboard.press("Tab");
    const seen = await page.evaluate(() => {
      const e = document.activeElement as HTMLElement | null;
      if (!e || e === document.body) return null;
      const box = e.getBoundingClientRect();
      const [x, y] = [box.left + box.width / 2, box.top + box.height / 2];
      const inView = y >= 0 && y <= window.innerHeight && x >= 0 && x <= window.innerWidth;
      const top = document.elementFromPoint(Math.max(0, x), Math.max(0, y));
      const visible = inView && !!top && (e === top || e.contains(top) || top.contains(e));
      return { visible, what: e.outerHTML.slice(0, 80) };
    });
    if (seen === null) break;
    if (!seen.visible) hidden.push(seen.what);
  }
  return hidden;
}

export async function checkScreen(page: Page, testInfo: TestInfo, screen: string): Promise<void> {
  await expect(page.locator("h1"), "one h1 per page").toHaveCount(1);
  await expect(page.getByRole("banner")).toHaveCount(1);
  await expect(page.getByRole("main")).toHaveCount(1);
  await expect(page.locator('meta[name="robots"]')).toHaveAttribute("content", /noindex/);
  // 3.1.1 and 3.1.2: the page says its language, and the switch to the other one says its own.
  const lang = await page.locator("html").getAttribute("lang");
  expect(lang, "the page's language").toMatch(/^(en|fr)-CA$/);
  const other = lang === "fr-CA" ? "en-CA" : "fr-CA";
  await expect(page.locator(`.language-switch [lang="${other}"]`)).toHaveCount(1);
  // "Need a hand?" in the same place on every page (3.2.6).
  await expect(page.locator("footer.site-help h2")).toHaveCount(1);

  const axe = await new AxeBuilder({ page }).withTags(WCAG_AA).analyze();
  const violations = axe.violations.map(
    (v) => `${v.id} (${v.help}): ${v.nodes.map((n) => n.target.join(" ")).join(", ")}`,
  );
  expect(violations, `axe on ${screen}`).toEqual([]);

  // The header's links stay on one line, however narrow the screen.
  const navLines = await page.locator(".site-nav > *").evaluateAll(
    (items) => new Set(items.map((item) => Math.round(item.getBoundingClientRect().top))).size,
  );
  expect(navLines, "lines the header's links take").toBeLessThanOrEqual(1);

  expect(await smallTargets(page, TARGET, true), "targets under 24 px (2.5.8)").toEqual([]);
  if (testInfo.project.use.isMobile) {
    expect(await smallTargets(page, TAP, false), "controls under 44 px tall").toEqual([]);
    const overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
    expect(overflow, "sideways scrolling").toBeLessThanOrEqual(0);
  }

  const file = path.join(SCREENSHOTS, testInfo.project.name, `${screen}.png`);
  await page.screenshot({ path: file, fullPage: true });
  await testInfo.attach(screen, { path: file, contentType: "image/png" });

  // Last: tabbing moves the focus (and may scroll), which the checks above must not see.
  if (testInfo.project.use.javaScriptEnabled !== false) {
    expect(await focusStopsObscured(page), "keyboard stops hidden or covered (2.4.11)").toEqual([]);
  }
}
