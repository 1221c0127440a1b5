// Quick's gateway as a client (docs/rest.md#how-quicks-gateway-builds-the-url): URLs built the way
// its RestDataFetcher builds them, and answers equal to the SDK's in process for the same seed.
import { describe, expect, it } from "vitest";
import { createGenerator } from "../src/ingest/generator.js";
import { ProfileStore, type ListeningEvent } from "../src/index.js";
import { SMALL_DATA, getJson, serveGeneratedStore, startServer } from "./helpers/http-server.js";

/** Java's Double.toString(): plain from 10^-3 to 10^7 with at least one decimal, else `1.0E-5` style. */
function javaDouble(value: number): string {
  const magnitude = Math.abs(value);
  if (value === 0 || (magnitude >= 1e-3 && magnitude < 1e7)) return Number.isInteger(value) ? value.toFixed(1) : String(value);
  const [mantissa, exponent] = value.toExponential().split("e") as [string, string];
  return `${mantissa.includes(".") ? mantissa : `${mantissa}.0`}E${Number(exponent)}`;
}

interface QuickArguments {
  userId: number;
  field: string;
  limit?: number;
  walks?: number;
  walkLength?: number;
  resetProbability?: number;
}

/** As RestDataFetcher: path arguments appended as segments in order, present query arguments as name=value. */
function quickUrl(base: string, args: QuickArguments): string {
  const url = new URL(`${base}/recommendation`);
  url.pathname += `/${encodeURIComponent(String(args.userId))}/${encodeURIComponent(args.field)}`;
  const ints = ["limit", "walks", "walkLength"] as const;
  for (const name of ints) if (args[name] !== undefined) url.searchParams.append(name, String(args[name]));
  if (args.resetProbability !== undefined) url.searchParams.append("resetProbability", javaDouble(args.resetProbability));
  return url.toString();
}

it("writes doubles as Java does", () => {
  expect([0, 1, 0.1, 1e-5, 0.5, 1e-4, 0.001, 1e7].map(javaDouble)).toEqual(["0.0", "1.0", "0.1", "1.0E-5", "0.5", "1.0E-4", "0.001", "1.0E7"]);
});

describe("Quick's gateway against the service", () => {
  const suite = serveGeneratedStore();

  /** Every subset of the optional arguments, each with a value from its list (within the walk budget). */
  function argumentMatrix(): QuickArguments[] {
    const values = {
      limit: [1, 10, 1000],
      walks: [1, 1000, 10000],
      walkLength: [1, 100],
      resetProbability: [1e-5, 0.1, 1, 0, 0.5],
    } as const;
    const names = Object.keys(values) as Array<keyof typeof values>;
    const fields = ["ARTIST", "ALBUM", "TRACK", "artist", "Track"];
    const matrix: QuickArguments[] = [];
    for (let subset = 0; subset < 1 << names.length; subset++) {
      for (let variant = 0; variant < 3; variant++) {
        const args: QuickArguments = { userId: suite.data.users[variant]!, field: fields[(subset + variant) % fields.length]! };
        names.forEach((name, bit) => {
          if (subset & (1 << bit)) args[name] = values[name][(subset + variant) % values[name].length];
        });
        matrix.push(args);
      }
    }
    return matrix;
  }

  it("answers 200 and {recommendations: [{id}]} for every combination of arguments", async () => {
    const matrix = argumentMatrix();
    expect(matrix).toHaveLength(48);
    for (const args of matrix) {
      const url = quickUrl(suite.server.url, args);
      const response = await fetch(url);
      expect(response.status, url).toBe(200);
      const body = await response.json();
      expect(Object.keys(body), url).toEqual(["recommendations"]);
      expect(body.recommendations.length, url).toBeLessThanOrEqual(args.limit ?? 10);
      for (const recommendation of body.recommendations) expect(Number.isSafeInteger(recommendation.id), url).toBe(true);
    }
  });

  it("builds the URLs Quick builds", () => {
    expect(quickUrl("http://recommender", { userId: 42, field: "ARTIST" })).toBe("http://recommender/recommendation/42/ARTIST");
    expect(quickUrl("http://recommender", { userId: 42, field: "TRACK", limit: 5, resetProbability: 1e-5 })).toBe(
      "http://recommender/recommendation/42/TRACK?limit=5&resetProbability=1.0E-5",
    );
  });

  it("gives an unknown user 200 and an empty list, not an error", async () => {
    expect(await getJson(quickUrl(suite.server.url, { userId: 987654321, field: "ARTIST", walks: 100 }))).toEqual({
      status: 200,
      body: { recommendations: [] },
    });
  });
});

describe("the same seed over HTTP and in process", () => {
  it("gives equal recommendations when the service was fed over POST /events", async () => {
    const events = createGenerator(SMALL_DATA).nextEvents(SMALL_DATA.events);
    const inProcess = await ProfileStore.create();
    inProcess.ingest(events);
    const served = await ProfileStore.create({ walkerThreads: 1 });
    const server = await startServer(served);
    try {
      for (const chunk of chunks(events, 2000)) {
        const response = await fetch(`${server.url}/events`, {
          method: "POST",
          headers: { "content-type": "application/x-ndjson" },
          body: chunk.map((event) => JSON.stringify(event)).join("\n"),
        });
        expect(await response.json()).toEqual({ accepted: chunk.length, rejected: 0, rejections: [], rejectedBy: {} });
      }
      const users = [...new Set(events.slice(0, 50).map((event) => event.userId))].slice(0, 5);
      const settings = [{}, { walks: 100, walkLength: 10 }, { limit: 50, resetProbability: 1e-5, walkLength: 7 }];
      for (const userId of users) {
        for (const field of ["ARTIST", "ALBUM", "TRACK"] as const) {
          for (const [index, setting] of settings.entries()) {
            const seed = 1000 + index;
            const expected = inProcess.recommend(userId, field, { ...setting, seed });
            expect(expected.recommendations.length).toBeGreaterThan(0);
            const query = new URLSearchParams(Object.entries({ ...setting, seed }).map(([k, v]) => [k, String(v)]));
            const answer = await getJson(`${server.url}/recommendation/${userId}/${field}?${query}`);
            expect(answer).toEqual({ status: 200, body: expected });
          }
        }
      }
    } finally {
      await server.close();
      await served.close();
    }
  });
});

function chunks(events: ListeningEvent[], size: number): ListeningEvent[][] {
  return Array.from({ length: Math.ceil(events.length / size) }, (_, i) => events.slice(i * size, (i + 1) * size));
}
