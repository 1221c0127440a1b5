// A person with a browser: /docs renders the OpenAPI document in swagger UI and can call the API.
// Needs Debian's chromium; skipped without it unless REQUIRE_BROWSER=1 (as in CI).
import { existsSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { chromium, type BrowserContext } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { serveGeneratedStore } from "./helpers/http-server.js";

const CHROMIUM = "/usr/bin/chromium";
const hasBrowser = existsSync(CHROMIUM);
if (!hasBrowser && process.env.REQUIRE_BROWSER === "1") throw new Error(`REQUIRE_BROWSER=1 but ${CHROMIUM} is missing`);

const FLAGS = [
  "--headless",
  "--no-sandbox",
  "--disable-gpu",
  "--disable-quic",
  "--no-first-run",
  "--disable-background-networking",
  "--disable-component-update",
  "--disable-sync",
];

describe.skipIf(!hasBrowser)("/docs in a browser", () => {
  const suite = serveGeneratedStore();
  let profileDir: string;
  let browser: BrowserContext;

  beforeAll(async () => {
    profileDir = mkdtempSync(join(tmpdir(), "profile-store-chromium-"));
    browser = await chromium.launchPersistentContext(profileDir, { executablePath: CHROMIUM, args: FLAGS, headless: true });
  });
  afterAll(async () => {
    await browser?.close();
    if (profileDir) rmSync(profileDir, { recursive: true, force: true });
  });

  it("lists every route and answers a recommendation through 'Try it out'", async () => {
    const page = await browser.newPage();
    await page.goto(`${suite.server.url}/docs`);
    const operations = page.locator(".opblock-summary-path");
    await operations.first().waitFor();
    expect(await operations.allTextContents()).toEqual(
      expect.arrayContaining(["/recommendation/{userId}/{field}", "/profiles/{userId}", "/events", "/metrics"]),
    );

    const recommendation = page.locator("#operations-recommendations-get_recommendation__userId___field_");
    await recommendation.locator(".opblock-summary").click();
    await recommendation.getByRole("button", { name: "Try it out" }).click();
    await recommendation.locator('tr[data-param-name="userId"] input').fill(String(suite.data.users[0]));
    await recommendation.locator('tr[data-param-name="field"] select').selectOption("ARTIST");
    await recommendation.locator('tr[data-param-name="seed"] input').fill("3");
    await recommendation.getByRole("button", { name: "Execute" }).click();
    const answer = recommendation.locator(".live-responses-table .response-col_description pre");
    await answer.first().waitFor();
    const shown = JSON.parse(await answer.first().innerText());
    expect(shown).toEqual(suite.data.store.recommend(suite.data.users[0]!, "ARTIST", { seed: 3 }));
  });
});
