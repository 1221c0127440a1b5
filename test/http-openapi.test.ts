// The committed OpenAPI document must be what the code generates (run `npm run openapi` after
// changing a route), and must document every route, parameter, bound, default and error shape.
import { readFileSync } from "node:fs";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { App } from "../src/http/context.js";
import { openapiJson } from "../src/http/openapi.js";
import { HTTP_LIMITS } from "../src/http/schemas.js";
import { buildServer } from "../src/http/server.js";
import { LIMITS, PRESETS, ProfileStore } from "../src/index.js";
import { DEFAULT_LIMIT } from "../src/presets.js";

const COMMITTED = new URL("../openapi/openapi.json", import.meta.url);
let app: App;
let generated: string;
let document: any;

beforeAll(async () => {
  app = await buildServer(await ProfileStore.create());
  generated = await openapiJson(app);
  document = JSON.parse(generated);
});
afterAll(() => app.close());

it("is committed exactly as the code generates it (npm run openapi)", () => {
  expect(readFileSync(COMMITTED, "utf8")).toBe(generated);
});

function recommendationParameters(openapi: any): Record<string, any> {
  return Object.fromEntries(openapi.paths["/recommendation/{userId}/{field}"].get.parameters.map((p: any) => [`${p.in}:${p.name}`, p.schema]));
}

describe("the document", () => {
  it("has every route", () => {
    expect(Object.keys(document.paths).sort()).toEqual([
      "/charts/{userId}/{field}",
      "/events",
      "/healthz",
      "/items/{field}/{id}",
      "/metrics",
      "/profiles/{userId}",
      "/readyz",
      "/recommendation/{userId}/{field}",
    ]);
  });

  it("gives each recommendation parameter its bounds and default: the default preset's, which the SDK applies", () => {
    const seed = PRESETS.seed;
    expect(recommendationParameters(document)).toEqual({
      "path:userId": { type: "integer", minimum: 0, maximum: Number.MAX_SAFE_INTEGER },
      "path:field": { type: "string", enum: ["ARTIST", "ALBUM", "TRACK"] },
      "query:limit": { type: "integer", minimum: 1, maximum: HTTP_LIMITS.limit, default: DEFAULT_LIMIT },
      "query:walks": { type: "integer", minimum: 1, maximum: HTTP_LIMITS.walks, default: seed.walks },
      "query:walkLength": { type: "integer", minimum: 1, maximum: HTTP_LIMITS.walkLength, default: seed.walkLength },
      "query:resetProbability": { type: "number", minimum: 0, maximum: 1, default: seed.resetProbability },
      "query:seed": { type: "integer", minimum: 0, maximum: 2 ** 32 - 1 },
      "query:popularityPenalty": { type: "number", minimum: 0, maximum: 1, default: seed.popularityPenalty },
      "query:preset": { type: "string", enum: ["seed", "quality"], default: "seed" },
      "query:method": { type: "string", enum: ["salsa", "exact"], default: seed.method },
      "query:neighbours": { type: "integer", minimum: 1, maximum: HTTP_LIMITS.neighbours, default: seed.neighbours },
      "query:itemExponent": { type: "number", minimum: 0, maximum: LIMITS.exponent, default: seed.itemExponent },
      "query:userExponent": { type: "number", minimum: 0, maximum: LIMITS.exponent, default: seed.userExponent },
      "query:hubCap": { type: "integer", minimum: 1, maximum: HTTP_LIMITS.hubCap, default: seed.hubCap },
      "query:edgeWeight": { type: "string", enum: ["pair", "play", "log"], default: seed.edgeWeight },
      "query:ridge": { type: "number", minimum: 0, maximum: LIMITS.ridge, default: seed.ridge },
    });
  });

  it("shows the quality preset's values as the defaults of a service whose default preset is quality", async () => {
    const qualityApp = await buildServer(await ProfileStore.create({ defaultPreset: "quality" }));
    try {
      const parameters = recommendationParameters(JSON.parse(await openapiJson(qualityApp)));
      expect(parameters["query:preset"].default).toBe("quality");
      expect(parameters["query:method"].default).toBe("exact");
      expect(parameters["query:popularityPenalty"].default).toBe(PRESETS.quality.popularityPenalty);
      expect(parameters["query:ridge"].default).toBe(PRESETS.quality.ridge);
    } finally {
      await qualityApp.close();
    }
  });

  it("says in each preset parameter's description what every preset gives it", () => {
    const walks = document.paths["/recommendation/{userId}/{field}"].get.parameters.find((p: any) => p.name === "walks");
    expect(walks.description).toContain(`Default: the preset's (seed ${PRESETS.seed.walks}, quality ${PRESETS.quality.walks})`);
  });

  it("documents the invalid-parameter error shape", () => {
    const schema = document.paths["/recommendation/{userId}/{field}"].get.responses["400"].content["application/json"].schema;
    expect(Object.keys(schema.properties)).toEqual(["error", "message", "parameter", "value", "allowed"]);
  });

  it("documents a 200 and the errors of every operation", () => {
    for (const [path, operations] of Object.entries<any>(document.paths)) {
      for (const [method, operation] of Object.entries<any>(operations)) {
        expect(operation.responses["200"], `${method} ${path}`).toBeDefined();
        expect(operation.summary, `${method} ${path}`).toEqual(expect.any(String));
      }
    }
    expect(Object.keys(document.paths["/events"].post.responses)).toEqual(["200", "400", "413", "415", "503"]);
    expect(Object.keys(document.paths["/profiles/{userId}"].get.responses)).toEqual(["200", "400", "404"]);
    expect(Object.keys(document.paths["/readyz"].get.responses)).toEqual(["200", "400", "503"]);
  });

  it("is served at /docs/json for swagger UI", async () => {
    const response = await app.inject("/docs/json");
    expect(response.statusCode).toBe(200);
    expect(response.json()).toEqual(document);
  });
});
