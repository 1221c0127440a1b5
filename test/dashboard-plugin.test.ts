// Serving the built dashboard: / is the page, the compressed copy when the browser takes one, any
// other path the service's own 404; a directory without a built page is refused at start.
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { buildWeb } from "../scripts/build-web.js";
import { registerDashboard } from "../src/dashboard/plugin.js";
import { buildServer } from "../src/http/server.js";
import { ProfileStore } from "../src/index.js";

describe("registerDashboard", () => {
  const root = mkdtempSync(join(tmpdir(), "profile-store-web-"));
  beforeAll(() => buildWeb(root));
  afterAll(() => rmSync(root, { recursive: true, force: true }));

  it("serves the page at /, compressed when asked, and leaves other paths to the service's 404", async () => {
    const app = await buildServer(await ProfileStore.create());
    await registerDashboard(app, root);
    const page = await app.inject({ url: "/", headers: { "accept-encoding": "br, gzip" } });
    expect(page.statusCode).toBe(200);
    expect(page.headers["content-type"]).toBe("text/html; charset=utf-8");
    expect(page.headers["content-encoding"]).toBe("br");
    const script = await app.inject({ url: "/app.js" });
    expect(script.headers["content-encoding"]).toBeUndefined();
    expect(script.body).toContain("graphql-ws");
    const missing = await app.inject({ url: "/app.jsx" });
    expect(missing.statusCode).toBe(404);
    expect(missing.json()).toMatchObject({ error: "route_not_found" });
    expect((await app.inject({ url: "/profiles/1" })).statusCode).toBe(404);
    await app.close();
  });

  it("refuses a directory without the built page, naming it", async () => {
    const app = await buildServer(await ProfileStore.create());
    const empty = mkdtempSync(join(tmpdir(), "profile-store-web-empty-"));
    try {
      await expect(registerDashboard(app, empty)).rejects.toThrow(`no dashboard in ${empty} (index.html is missing); run npm run build:web`);
    } finally {
      rmSync(empty, { recursive: true, force: true });
      await app.close();
    }
  });
});
