// Dashboard benchmark: how fast the page renders for a person opening it on the embedded demo, and
// what it transfers. Starts the demo as `npm start` does (1,000,000 events, the live stream on), opens
// the dashboard in Chromium (Debian's /usr/bin/chromium) with a fresh cache each time, and times
// navigation to the first listener shown and a click on a listener to its profile with charts.
//   node dist/bench/dashboard.js [--events 1000000] [--loads 10]
import { parseArgs } from "node:util";
import { chromium } from "playwright-core";
import { startService } from "../src/service/service.js";
import { DEMO_DEFAULTS } from "../src/service/settings.js";
import { fmt, median } from "./load.js";

const { values } = parseArgs({ options: { events: { type: "string", default: "1000000" }, loads: { type: "string", default: "10" } } });
const events = Number(values.events);
const loads = Number(values.loads);

const service = await startService({ source: { kind: "demo", ...DEMO_DEFAULTS, events }, port: 0, drainSeconds: 0, logLevel: "warn" });
await service.ready;
const browser = await chromium.launch({ executablePath: "/usr/bin/chromium", args: ["--headless", "--no-sandbox", "--disable-gpu"] });
const firstRender: number[] = [];
const profileRender: number[] = [];
let transferred = 0;
try {
  for (let load = 0; load < loads; load++) {
    // A new context each time: nothing cached, as for a first visit.
    const context = await browser.newContext({ viewport: { width: 1280, height: 800 } });
    const page = await context.newPage();
    page.setDefaultTimeout(10_000);
    const session = await context.newCDPSession(page);
    await session.send("Network.enable");
    let bytes = 0;
    session.on("Network.loadingFinished", (event: { encodedDataLength: number }) => (bytes += event.encodedDataLength));
    const start = performance.now();
    await page.goto(`${service.url}/`);
    await page.locator("#listeners button").first().waitFor();
    firstRender.push(performance.now() - start);
    const click = performance.now();
    await page.locator("#listeners button").nth(load % 5).click();
    await page.locator("#profile table").first().waitFor();
    profileRender.push(performance.now() - click);
    // The page's own assets and its first queries; the live subscription keeps going, and is not counted after this.
    transferred = Math.max(transferred, bytes);
    await context.close();
  }
} finally {
  await browser.close();
  await service.close();
}
const row = (label: string, times: number[], goal: string) => {
  const sorted = [...times].sort((a, b) => a - b);
  return `| ${label} | ${fmt(median(sorted))} | ${fmt(sorted.at(-1)!)} | ${goal} |`;
};
console.log(
  [
    `${fmt(events)} generated events (the embedded demo, live stream on); ${loads} first visits in headless Chromium, each with an empty cache.`,
    "",
    "| measure | median ms | slowest ms | goal |",
    "|---|---:|---:|---|",
    row("navigation to the first listener shown", firstRender, "< 1,000"),
    row("click on a listener to its profile and charts", profileRender, ""),
    "",
    `Transferred on a first visit, page and first answers, as sent (compressed): ${fmt(transferred)} bytes (goal: the page's assets under 150 KB gzipped).`,
  ].join("\n"),
);
