// Presets and the exact walk's parameters everywhere a user asks for recommendations, against real
// servers: REST (as Quick's gateway calls it), GraphQL, ProfileClient, `query recommend` and
// `serve --default-preset`; every answer equals the SDK's for the same parameters and seed.
import { execFile } from "node:child_process";
import { promisify } from "node:util";
import { beforeAll, describe, expect, it } from "vitest";
import { ProfileClient } from "../src/client/index.js";
import { PRESETS, type RecommendOptions } from "../src/index.js";
import { getJson, serveGeneratedStore, SMALL_DATA } from "./helpers/http-server.js";
import { runServeCli, startServeCli } from "./helpers/serve-process.js";

const suite = serveGeneratedStore();
let user: number;
beforeAll(() => {
  user = suite.data.users[0]!;
});

const sdk = async (options: RecommendOptions, field = "ARTIST" as const) => (await suite.data.store.recommendAsync(user, field, options)).recommendations;
const rest = async (query: string, base = suite.server.url) => {
  const { status, body } = await getJson(`${base}/recommendation/${user}/ARTIST?${query}`);
  expect(status, JSON.stringify(body)).toBe(200);
  return body.recommendations;
};

describe("REST", () => {
  it("answers preset=quality as the SDK does with preset quality, in any case (the gateway sends QUALITY)", async () => {
    const quality = await sdk({ preset: "quality", seed: 5 });
    expect(quality.length).toBeGreaterThan(0);
    expect(await rest("preset=quality&seed=5")).toEqual(quality);
    expect(await rest("preset=QUALITY&seed=5")).toEqual(quality);
    expect(quality).not.toEqual(await sdk({ preset: "seed", seed: 5 }));
  });

  it("answers a request that names no preset with the seed's defaults", async () => {
    expect(await rest("seed=5")).toEqual(await sdk({ preset: "seed", seed: 5 }));
    // The seed's recommender's defaults, written out: a plain request must keep answering with them.
    expect(await rest("seed=5")).toEqual(await sdk({ method: "salsa", walks: 1000, walkLength: 100, resetProbability: 0.1, popularityPenalty: 0, seed: 5 }));
  });

  it("lets explicit parameters override the preset's", async () => {
    const fewNeighbours = await sdk({ preset: "quality", neighbours: 3, seed: 5 });
    expect(await rest("preset=quality&neighbours=3&seed=5")).toEqual(fewNeighbours);
    expect(fewNeighbours).not.toEqual(await sdk({ preset: "quality", seed: 5 }));
    expect(await rest("preset=quality&method=salsa&walks=300&seed=5")).toEqual(await sdk({ method: "salsa", walks: 300, popularityPenalty: PRESETS.quality.popularityPenalty, seed: 5 }));
    expect(await rest("method=EXACT&edgeWeight=PLAY&hubCap=50&itemExponent=0.5&userExponent=1.0E0&seed=5")).toEqual(
      await sdk({ preset: "seed", method: "exact", edgeWeight: "play", hubCap: 50, itemExponent: 0.5, userExponent: 1, seed: 5 }),
    );
    const noRidge = await sdk({ preset: "quality", ridge: 0, seed: 5 });
    expect(await rest("preset=quality&ridge=0&seed=5")).toEqual(noRidge);
    expect(noRidge).not.toEqual(await sdk({ preset: "quality", seed: 5 }));
    expect(await rest("method=exact&ridge=2.5E0&neighbours=30&seed=5")).toEqual(await sdk({ method: "exact", ridge: 2.5, neighbours: 30, seed: 5 }));
  });

  it("holds the exact walk with a ridge to its bounds on the values it walks with", async () => {
    const { status, body } = await getJson(`${suite.server.url}/recommendation/${user}/ARTIST?preset=quality&hubCap=1000`);
    expect(status).toBe(400);
    expect(body).toMatchObject({ parameter: "hubCap", value: 1000, allowed: "at most 375 with neighbours 200 with ridge 50 (ridge 0: no such bound): neighbours x hubCap <= 75000" });
  });

  it("holds SALSA to the walk budget on the values it walks with, and the exact walk, which takes no walkers, not", async () => {
    const { status, body } = await getJson(`${suite.server.url}/recommendation/${user}/ARTIST?preset=quality&method=salsa&walks=2000&walkLength=1000`);
    expect(status).toBe(400);
    expect(body).toMatchObject({ parameter: "walks", value: 2000, allowed: "at most 1000 with walkLength 1000 (walks x walkLength <= 1000000)" });
    expect(await rest("method=exact&walks=2000&walkLength=1000&seed=5")).toEqual(await sdk({ method: "exact", seed: 5 }));
  });
});

const RECOMMENDATIONS = `query ($userId: Long!, $preset: Preset, $method: RecommendMethod, $edgeWeight: EdgeWeight, $neighbours: Int, $userExponent: Float, $seed: Long) {
  getRecommendations(userId: $userId, field: ARTIST, preset: $preset, method: $method, edgeWeight: $edgeWeight, neighbours: $neighbours, userExponent: $userExponent, seed: $seed) {
    recommendations { id score item { name } }
  }
}`;

async function graphql(variables: Record<string, unknown>) {
  const response = await fetch(`${suite.server.url}/graphql`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ query: RECOMMENDATIONS, variables: { userId: user, ...variables } }),
  });
  const body = await response.json();
  expect(body.errors).toBeUndefined();
  return body.data.getRecommendations.recommendations.map(({ id, score, item }: { id: number; score: number; item: { name: string } | null }) => ({ id, score, ...(item ? { name: item.name } : {}) }));
}

describe("GraphQL", () => {
  it("answers getRecommendations(preset: QUALITY) as the SDK does, through the @rest call", async () => {
    expect(await graphql({ preset: "QUALITY", seed: 5 })).toEqual(await sdk({ preset: "quality", seed: 5 }));
  });

  it("forwards the exact walk's arguments, over the preset's", async () => {
    expect(await graphql({ method: "EXACT", edgeWeight: "PLAY", neighbours: 4, userExponent: 0.5, seed: 5 })).toEqual(
      await sdk({ method: "exact", edgeWeight: "play", neighbours: 4, userExponent: 0.5, seed: 5 }),
    );
  });

  it("forwards the log edge weighting, the same as the SDK's and unlike pair weights", async () => {
    const log = await graphql({ preset: "QUALITY", edgeWeight: "LOG", seed: 5 });
    expect(log).toEqual(await sdk({ preset: "quality", edgeWeight: "log", seed: 5 }));
    expect(log.length).toBeGreaterThan(0);
    expect(log).not.toEqual(await sdk({ preset: "quality", edgeWeight: "pair", seed: 5 }));
  });

  it("refuses a preset the schema does not know", async () => {
    const response = await fetch(`${suite.server.url}/graphql`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ query: RECOMMENDATIONS, variables: { userId: user, preset: "BEST" } }),
    });
    const body = await response.json();
    expect(body.errors[0].message).toContain('Value "BEST" does not exist in "Preset" enum');
  });
});

describe("ProfileClient and query recommend", () => {
  it("ask with a preset and the exact walk's parameters", async () => {
    const client = new ProfileClient({ url: suite.server.url });
    try {
      expect(await client.getRecommendations(user, "ARTIST", { preset: "QUALITY", seed: 5 })).toEqual(await sdk({ preset: "quality", seed: 5 }));
      expect(await client.getRecommendations(user, "ARTIST", { preset: "QUALITY", hubCap: 20, edgeWeight: "PLAY", seed: 5 })).toEqual(
        await sdk({ preset: "quality", hubCap: 20, edgeWeight: "play", seed: 5 }),
      );
      expect(await client.getRecommendations(user, "ARTIST", { preset: "QUALITY", ridge: 0, seed: 5 })).toEqual(await sdk({ preset: "quality", ridge: 0, seed: 5 }));
    } finally {
      await client.close();
    }
  });

  it("query recommend --preset quality prints the SDK's answer, and options over it", async () => {
    const run = async (...args: string[]) => {
      const { stdout } = await promisify(execFile)(process.execPath, ["--import", "tsx", "src/cli/main.ts", "query", "recommend", String(user), "--url", suite.server.url, ...args]);
      return JSON.parse(stdout);
    };
    expect(await run("--preset", "quality", "--seed", "5")).toEqual(await sdk({ preset: "quality", seed: 5 }));
    expect(await run("--preset", "quality", "--neighbours", "3", "--item-exponent", "0.5", "--popularity-penalty", "0", "--seed", "5")).toEqual(
      await sdk({ preset: "quality", neighbours: 3, itemExponent: 0.5, popularityPenalty: 0, seed: 5 }),
    );
    expect(await run("--method", "exact", "--edge-weight", "play", "--user-exponent", "1", "--hub-cap", "30", "--seed", "5")).toEqual(
      await sdk({ method: "exact", edgeWeight: "play", userExponent: 1, hubCap: 30, seed: 5 }),
    );
    expect(await run("--preset", "quality", "--ridge", "10", "--seed", "5")).toEqual(await sdk({ preset: "quality", ridge: 10, seed: 5 }));
  });
});

describe("serve --default-preset", () => {
  const DEMO = ["--events", String(SMALL_DATA.events), "--users", String(SMALL_DATA.users), "--artists", String(SMALL_DATA.artists), "--seed", String(SMALL_DATA.seed), "--live-rate", "0"];

  it("quality: a plain request (as Quick's gateway sends it) answers the quality preset; preset=seed the seed's", async () => {
    const service = await startServeCli([...DEMO, "--default-preset", "quality", "--walker-threads", "1"], "ready:");
    try {
      expect(await rest("seed=5", service.url)).toEqual(await sdk({ preset: "quality", seed: 5 }));
      expect(await rest("preset=seed&seed=5", service.url)).toEqual(await sdk({ preset: "seed", seed: 5 }));
    } finally {
      service.child.kill("SIGTERM");
      await service.exited;
    }
  });

  it("reads PROFILE_STORE_DEFAULT_PRESET, refuses an unknown preset by name, and says so in --help", () => {
    const help = runServeCli(["--help"]);
    expect(help.stdout).toMatch(/--default-preset <preset>.*PROFILE_STORE_DEFAULT_PRESET/s);
    const flag = runServeCli(["--default-preset", "best"]);
    expect(flag.status).toBe(2);
    expect(flag.stderr).toContain('--default-preset must be one of seed, quality, got "best"');
    const variable = runServeCli([], { PROFILE_STORE_DEFAULT_PRESET: "fast" });
    expect(variable.status).toBe(2);
    expect(variable.stderr).toContain("PROFILE_STORE_DEFAULT_PRESET");
    expect(variable.stderr).toContain("fast");
  });
});
