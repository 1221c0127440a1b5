// Writes docs/dashboard.png: the embedded demo as `npm start` serves it (fewer events, for speed), the
// dashboard at 1280x800 in Chromium, a listener selected and two songs played as "You".
//   npm run screenshot
import { mkdir } from "node:fs/promises";
import { fileURLToPath } from "node:url";
import { chromium } from "playwright-core";
import { createGenerator } from "../src/ingest/generator.js";
import { startService } from "../src/service/service.js";
import { DEMO_DEFAULTS } from "../src/service/settings.js";
import { buildWeb } from "./build-web.js";

const OUT = fileURLToPath(new URL("../docs/dashboard.png", import.meta.url));

await buildWeb();
const demo = { ...DEMO_DEFAULTS, events: 300_000 };
const generator = createGenerator(demo);
const server = await startService({ source: { kind: "demo", ...demo }, port: 0, drainSeconds: 0, logLevel: "warn" });
await server.ready;
const browser = await chromium.launch({ executablePath: "/usr/bin/chromium", args: ["--headless", "--no-sandbox", "--disable-gpu"] });
try {
  const page = await browser.newPage({ viewport: { width: 1280, height: 800 } });
  page.setDefaultTimeout(10_000);
  await page.goto(server.url + "/");
  await page.locator("#listeners button").nth(3).click();
  await page.locator("#profile dl").waitFor();
  const { artists, albums, tracks } = generator.catalogue;
  const pick = async (prefix: string, [id, name]: readonly [number, string, ...unknown[]]) => {
    await page.locator(`#you-${prefix}-search`).fill(name.slice(0, 4));
    await page.locator(`#you-${prefix}-results button[data-id="${id}"]`).click();
  };
  await pick("artist", artists[0]!);
  await pick("album", albums[0]!);
  for (const track of tracks.slice(0, 2)) {
    await pick("track", track);
    await page.locator("#you-play").click();
    await page.locator("#you-status", { hasText: track[1] }).waitFor();
  }
  await page.locator("#you-profile dl").waitFor();
  // A few polls, so that the events-per-second chart has a line.
  await page.waitForTimeout(12_000);
  await mkdir(fileURLToPath(new URL("../docs/", import.meta.url)), { recursive: true });
  await page.screenshot({ path: OUT });
  console.log(`wrote ${OUT}`);
} finally {
  await browser.close();
  await server.close();
}
