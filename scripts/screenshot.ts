// Writes docs/dashboard.png: a service with generated demo-like data and its live stream, the
// dashboard at 1280x800 in Chromium, a listener selected and two songs played as "You".
//   npm run screenshot
import { mkdir } from "node:fs/promises";
import { fileURLToPath } from "node:url";
import { chromium } from "playwright-core";
import { loadGeneratedData } from "../src/demo/generated-data.js";
import { startLiveStream } from "../src/demo/live-stream.js";
import { createGenerator } from "../src/ingest/generator.js";
import { ProfileStore } from "../src/index.js";
import { startGraphqlServer } from "../test/helpers/graphql-server.js";
import { buildWeb } from "./build-web.js";

const OUT = fileURLToPath(new URL("../docs/dashboard.png", import.meta.url));

await buildWeb();
const generator = createGenerator({ users: 1000, artists: 5000, seed: 1 });
const store = await ProfileStore.create();
await loadGeneratedData(store, generator, { events: 300_000 });
const live = startLiveStream(store, generator, { eventsPerSecond: 100 });
const server = await startGraphqlServer(store);
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
  live.stop();
  await server.close();
}
