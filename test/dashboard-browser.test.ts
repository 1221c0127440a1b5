// The dashboard at / in a real browser against a real service on loopback: what it renders equals
// what the GraphQL API answers, live plays appear without a reload, a visitor's plays form their
// profile, recommendation parameters reach the request, and the page survives a service restart.
// Needs Debian's chromium; skipped without it unless REQUIRE_BROWSER=1 (as in CI).
import { existsSync, mkdtempSync, rmSync } from "node:fs";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { gzipSync } from "node:zlib";
import { chromium, type Browser, type Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { buildWeb } from "../scripts/build-web.js";
import { createGenerator } from "../src/ingest/generator.js";
import { ProfileStore, type Field } from "../src/index.js";
import { startGraphqlServer, type GraphqlServer } from "./helpers/graphql-server.js";

const CHROMIUM = "/usr/bin/chromium";
const hasBrowser = existsSync(CHROMIUM);
if (!hasBrowser && process.env.REQUIRE_BROWSER === "1") throw new Error(`REQUIRE_BROWSER=1 but ${CHROMIUM} is missing`);

const FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking", "--disable-component-update", "--disable-sync"];
const DATA = { users: 60, artists: 300, events: 20_000, seed: 11 };
const SIZE_BUDGET = 150 * 1024;

const catalogue = createGenerator(DATA).catalogue;
const CATALOGUE: Record<Field, Array<readonly [number, string, ...unknown[]]>> = { ARTIST: catalogue.artists, ALBUM: catalogue.albums, TRACK: catalogue.tracks };

async function generatedStore(): Promise<ProfileStore> {
  const store = await ProfileStore.create();
  for (const batch of createGenerator(DATA).eventBatches(DATA.events)) store.ingest(batch);
  for (const field of ["ARTIST", "ALBUM", "TRACK"] as Field[]) store.setNames(field, CATALOGUE[field].map(([id, name]) => [id, name] as const));
  return store;
}

const PROFILE_QUERY = `query($u: Long!){ getUserProfile(userId: $u){ totalListenCount firstListenEvent lastListenEvent
  artistCharts { topK { countPlays artist { name } } } albumCharts { topK { countPlays album { name } } } trackCharts { topK { countPlays track { name } } } } }`;

/** The rows of one bar table: [name, shown number]. */
async function chartRows(page: Page, caption: string): Promise<Array<[string, string]>> {
  const table = page.locator("table.bars", { has: page.locator("caption", { hasText: caption }) });
  return table.locator("tbody tr").evaluateAll((rows) => rows.map((r) => [r.querySelector("th")?.textContent ?? "", r.querySelector(".bar-value")?.textContent ?? ""] as [string, string]));
}

const count = (n: number) => n.toLocaleString("en");
const date = (ms: number) => new Date(ms).toISOString().slice(0, 16).replace("T", " ") + " UTC";

function postEvents(server: GraphqlServer, events: object[]): Promise<Response> {
  return fetch(`${server.url}/events`, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify(events) });
}

describe.skipIf(!hasBrowser)("the dashboard in a browser", () => {
  let browser: Browser;
  let store: ProfileStore;
  let server: GraphqlServer;
  let built: Awaited<ReturnType<typeof buildWeb>>;
  // Built from the sources now, apart from build/web/ that other test files' servers read.
  const dashboardRoot = mkdtempSync(join(tmpdir(), "profile-store-web-"));
  const start = (options: { port?: number } = {}) => startGraphqlServer(store, { ...options, dashboardRoot });

  beforeAll(async () => {
    built = await buildWeb(dashboardRoot);
    store = await generatedStore();
    server = await start();
    browser = await chromium.launch({ executablePath: CHROMIUM, args: FLAGS, headless: true });
  });
  afterAll(async () => {
    await browser?.close();
    await server?.close();
    rmSync(dashboardRoot, { recursive: true, force: true });
  });

  async function open(path: string, target = server): Promise<{ page: Page; errors: string[] }> {
    const page = await browser.newPage({ viewport: { width: 1280, height: 800 } });
    // Every wait of the page is bounded, inside expect.poll too.
    page.setDefaultTimeout(3000);
    const errors: string[] = [];
    page.on("console", (message) => message.type() === "error" && errors.push(message.text()));
    page.on("pageerror", (error) => errors.push(error.message));
    await page.goto(`${target.url}${path}`);
    return { page, errors };
  }

  it("renders a listener's numbers and names as the GraphQL API answers them, without console errors", async () => {
    const { page, errors } = await open("/");
    // The most recent listeners are there on first load, and the most recent one is shown.
    const recent = (await server.query("{ listeners(limit: 20){ userId } }")).body.data.listeners.map((l: { userId: number }) => l.userId);
    await expect.poll(() => page.locator("#listeners button").evaluateAll((b) => b.map((x) => Number((x as HTMLElement).dataset.user))), { timeout: 5000 }).toEqual(recent);
    await page.locator("#profile dl").waitFor({ timeout: 5000 });
    expect(await page.locator("#profile-title").textContent()).toBe(`Listener ${recent[0]}`);

    // Another one, chosen by id.
    const user = recent[5];
    await page.getByLabel("Listener id").fill(String(user));
    await page.getByRole("button", { name: "Show" }).click();
    await expect.poll(() => page.locator("#profile-title").textContent(), { timeout: 5000 }).toBe(`Listener ${user}`);
    const profile = (await server.query(PROFILE_QUERY, { u: user })).body.data.getUserProfile;
    await expect.poll(() => page.locator('#profile [data-fact="total"]').textContent(), { timeout: 5000 }).toBe(count(profile.totalListenCount));
    expect(await page.locator('#profile [data-fact="first"]').textContent()).toBe(date(profile.firstListenEvent));
    expect(await page.locator('#profile [data-fact="last"]').textContent()).toBe(date(profile.lastListenEvent));
    for (const [caption, charts, item] of [["Top artists", "artistCharts", "artist"], ["Top albums", "albumCharts", "album"], ["Top tracks", "trackCharts", "track"]] as const) {
      const expected = profile[charts].topK.map((e: any) => [e[item].name, count(e.countPlays)]);
      expect(expected.length).toBeGreaterThan(0);
      expect(await chartRows(page, `${caption} of ${user}`)).toEqual(expected);
    }
    // The service panel: listeners and graph sizes as serviceStatus says.
    const stats = store.stats();
    await expect.poll(() => page.locator('#service-facts [data-fact="listeners"]').textContent(), { timeout: 5000 }).toBe(count(stats.users));
    expect(await page.locator("#service-facts table.graphs tbody tr").allInnerTexts()).toEqual(
      (["ARTIST", "ALBUM", "TRACK"] as Field[]).map((f) => `${f.toLowerCase()}\t${count(stats.fields[f].items)}\t${count(stats.fields[f].edges)}`),
    );
    expect(errors).toEqual([]);
    await page.close();
  });

  it("is usable from the keyboard, labels every control, and gives the charts a text form", async () => {
    const { page } = await open("/");
    await page.locator("#profile dl").waitFor({ timeout: 5000 });
    // Every input and select has a label (its own, or aria-label).
    const unlabelled = await page.locator("input, select").evaluateAll((controls) =>
      controls.filter((c) => (c as HTMLInputElement).labels?.length === 0 && !c.getAttribute("aria-label")).map((c) => c.id),
    );
    expect(unlabelled).toEqual([]);
    // Tab to the listener id field, type, Enter: the listener shows.
    const user = (await server.query("{ listeners(limit: 3){ userId } }")).body.data.listeners[2].userId;
    for (let tab = 0; tab < 20 && (await page.evaluate(() => document.activeElement?.id)) !== "find-id"; tab++) await page.keyboard.press("Tab");
    expect(await page.evaluate(() => document.activeElement?.id)).toBe("find-id");
    await page.keyboard.type(String(user));
    await page.keyboard.press("Enter");
    await expect.poll(() => page.locator("#profile-title").textContent(), { timeout: 5000 }).toBe(`Listener ${user}`);
    // The bars are tables with captions, headers and the numbers as text; the time series says its rate in words.
    expect(await page.locator("#profile table.bars caption").count()).toBe(3);
    expect(await page.locator("#profile table.bars thead th").count()).toBeGreaterThanOrEqual(6);
    await expect.poll(() => page.locator("#rate-chart").getAttribute("aria-label"), { timeout: 8000 }).toMatch(/^Events ingested per second/);
    await page.close();
  });

  it("shows plays POSTed to /events for the shown listener within 2 s, without a reload", async () => {
    const user = store.listeners({ limit: 3 })[2]!.userId;
    const { page, errors } = await open(`/?listener=${user}`);
    const total = page.locator('#profile [data-fact="total"]');
    await expect.poll(() => total.textContent(), { timeout: 5000 }).toBe(count(store.profile(user)!.totalListenCount));
    await expect.poll(() => page.locator("#connection-status").textContent(), { timeout: 5000 }).toContain("live");
    const [trackId, trackName, artistId] = catalogue.tracks.find(([id]) => store.playCount(user, "TRACK", id) === 0)!;
    const [albumId] = catalogue.albums.find((album) => album[2] === artistId)!;
    const before = store.profile(user)!.totalListenCount;
    const plays = Array.from({ length: 40 }, (_, i) => ({ userId: user, artistId, albumId, trackId, timestamp: Date.now() + i }));
    expect((await postEvents(server, plays)).status).toBe(200);
    await expect.poll(() => total.textContent(), { timeout: 2000, interval: 100 }).toBe(count(before + 40));
    await expect.poll(async () => (await chartRows(page, `Top tracks of ${user}`)).find(([name]) => name === trackName), { timeout: 2000, interval: 100 }).toEqual([trackName, "40"]);
    // The listener list shows the listener's current track too.
    await expect.poll(() => page.locator(`#listeners [data-user="${user}"] .listener-track`).textContent(), { timeout: 2000 }).toBe(`♪ ${trackName}`);
    expect(errors).toEqual([]);
    await page.close();
  });

  it("'You': three songs played from the page make exactly that profile", async () => {
    const { page, errors } = await open("/");
    const youId = Number(await page.locator("#you-id").textContent());
    expect(store.profile(youId)).toBeUndefined();
    const pick = async (label: string, field: Field, index: number) => {
      const [id, name] = CATALOGUE[field][index]!;
      await page.getByLabel(label, { exact: true }).fill(name.slice(0, 12));
      await page.locator(`#you-${label.toLowerCase()}-results button[data-id="${id}"]`).click({ timeout: 5000 });
      await expect.poll(() => page.locator(`#you-${label.toLowerCase()}-chosen`).textContent()).toBe(name);
      return name;
    };
    const artist = await pick("Artist", "ARTIST", 2);
    const album = await pick("Album", "ALBUM", 4);
    const tracks: string[] = [];
    for (const index of [10, 11, 12]) {
      tracks.push(await pick("Track", "TRACK", index));
      await page.getByRole("button", { name: "Play", exact: true }).click();
      await expect.poll(() => page.locator("#you-status").textContent(), { timeout: 5000 }).toContain(tracks.at(-1)!);
    }
    await expect.poll(() => page.locator('#you-profile [data-fact="total"]').textContent(), { timeout: 5000 }).toBe("3");
    expect(store.profile(youId)!.totalListenCount).toBe(3);
    expect(await chartRows(page, `Top artists of ${youId}`)).toEqual([[artist, "3"]]);
    expect(await chartRows(page, `Top albums of ${youId}`)).toEqual([[album, "3"]]);
    expect((await chartRows(page, `Top tracks of ${youId}`)).sort()).toEqual(tracks.map((t) => [t, "1"]).sort());
    expect(errors).toEqual([]);
    await page.close();
  });

  it("recommends with names for each field, and sends the parameters set in the form", async () => {
    const user = store.listeners({ order: "MOST_ACTIVE", limit: 1 })[0]!.userId;
    const { page, errors } = await open(`/?listener=${user}`);
    const bodies: any[] = [];
    page.on("request", (request) => {
      const body = request.postDataJSON?.();
      if (request.url().endsWith("/graphql") && body?.query?.includes("getRecommendations")) bodies.push(body);
    });
    const rows = () => page.locator("#recs table.bars tbody th").allTextContents();
    for (const [field, caption] of [["ARTIST", "Artist"], ["ALBUM", "Album"], ["TRACK", "Track"]] as const) {
      await page.locator("#recs-form select[name=field]").selectOption(field);
      await page.locator("#recs caption", { hasText: `${caption} recommendations for ${user}` }).waitFor({ timeout: 5000 });
      const names = new Set(CATALOGUE[field].map(([, name]) => name));
      const shown = await rows();
      expect(shown.length).toBeGreaterThan(0);
      for (const name of shown) expect(names.has(name)).toBe(true);
      expect(bodies.at(-1).variables).toMatchObject({ userId: user, field, walks: 1000, walkLength: 100, resetProbability: 0.1 });
    }
    await page.getByLabel("Walks").fill("500");
    await page.getByLabel("Reset probability").fill("0.25");
    const sent = bodies.length;
    await page.getByRole("button", { name: "Refresh" }).click();
    await expect.poll(() => bodies.length, { timeout: 5000 }).toBeGreaterThan(sent);
    expect(bodies.at(-1).variables).toEqual({ userId: user, field: "TRACK", walks: 500, walkLength: 100, resetProbability: 0.25 });
    expect(errors).toEqual([]);
    await page.close();
  });

  it(`loads under ${SIZE_BUDGET / 1024} KB gzipped, served compressed, nothing from elsewhere`, async () => {
    const loaded: string[] = [];
    const page = await browser.newPage();
    page.setDefaultTimeout(3000);
    page.on("request", (request) => loaded.push(request.url()));
    await page.goto(server.url + "/");
    await page.locator("#profile dl").waitFor({ timeout: 5000 });
    const assets = [...new Set(loaded)].filter((url) => !url.endsWith("/graphql"));
    for (const url of assets) expect(url.startsWith(server.url)).toBe(true);
    expect(assets.map((url) => new URL(url).pathname).sort()).toEqual(["/", "/app.css", "/app.js"]);
    let total = 0;
    for (const url of assets) {
      const response = await fetch(url, { headers: { "accept-encoding": "gzip" } });
      expect(response.headers.get("content-encoding")).toBe("gzip");
      total += gzipSync(Buffer.from(await response.arrayBuffer()), { level: 9 }).length;
    }
    expect(total).toBe(built.filter((f) => ["index.html", "app.js", "app.css"].includes(f.file)).reduce((sum, f) => sum + f.gzip, 0));
    expect(total).toBeLessThan(SIZE_BUDGET);
    await page.close();
  });

  it("says when the service is away and recovers when it is back on the same port", async () => {
    let own = await start();
    const port = (own.app.server.address() as AddressInfo).port;
    const user = store.listeners({ limit: 1 })[0]!.userId;
    const { page } = await open(`/?listener=${user}`, own);
    const status = page.locator("#connection-status");
    await expect.poll(() => status.textContent(), { timeout: 5000 }).toContain("live");
    await own.close();
    await expect.poll(() => status.textContent(), { timeout: 6000 }).toContain("Cannot reach the service");
    expect(await status.getAttribute("data-state")).toBe("down");

    own = await start({ port });
    try {
      await expect.poll(() => status.textContent(), { timeout: 10_000 }).toMatch(/Connected to .*, live$/);
      // Live again: a play on the new service reaches the page.
      const before = store.profile(user)!.totalListenCount;
      const [albumId, , artistId] = catalogue.albums[0]!;
      const [trackId] = catalogue.tracks[0]!;
      await postEvents(own, [{ userId: user, artistId, albumId, trackId, timestamp: Date.now() }]);
      await expect.poll(() => page.locator('#profile [data-fact="total"]').textContent(), { timeout: 3000 }).toBe(count(before + 1));
    } finally {
      await page.close();
      await own.close();
    }
  });
});
