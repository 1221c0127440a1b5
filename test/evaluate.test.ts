import { existsSync } from "node:fs";
import { mkdir, mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { runEvaluate } from "../src/cli/evaluate.js";
import { Mulberry32 } from "../src/engine/random.js";
import { evaluate } from "../src/evaluate/evaluate.js";
import { InteractionsBuilder, type Interactions } from "../src/evaluate/interactions.js";
import { ItemKnn } from "../src/evaluate/item-knn.js";
import { loadHetrec } from "../src/evaluate/load-hetrec.js";
import { loadLfm1bInteractions } from "../src/evaluate/load-lfm1b.js";
import { percentile, scoreRanking } from "../src/evaluate/metrics.js";
import { MostPopular } from "../src/evaluate/popular.js";
import { leaveOneOut, sampleTestUsers, temporalSplit } from "../src/evaluate/protocols.js";
import { Rp3Beta } from "../src/evaluate/rp3beta.js";
import { StoreRecommender } from "../src/evaluate/store-recommender.js";
import { captureOutput } from "./helpers/output.js";

const HETREC_DEV = fileURLToPath(new URL("../../shared/data/hetrec-lastfm-dev/user_artists.dat", import.meta.url));

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), "evaluate-test-"));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

// Items A..E are indices 0..4 (first appearance); user q (index 0) has only A.
//   q: A     u1: A B     u2: A B C     u3: A D     u4: D E
const [A, B, C, D, E] = [0, 1, 2, 3, 4];
function tinyMatrix(): Interactions {
  const builder = new InteractionsBuilder();
  const rows: Array<[number, number[]]> = [
    [100, [10]],
    [101, [10, 11]],
    [102, [10, 11, 12]],
    [103, [10, 13]],
    [104, [13, 14]],
  ];
  for (const [user, items] of rows) for (const item of items) builder.add(user, item, 1);
  return builder.build();
}

/** users × items with deterministic plays: user u has items u..u+span-1 of 40 (wrapping), plays 1 + (u+i) % 7. */
function syntheticData(users: number, span: number): Interactions {
  const builder = new InteractionsBuilder();
  for (let u = 0; u < users; u++) for (let i = 0; i < span; i++) builder.add(1000 + u, 500 + ((u * 3 + i) % 40), 1 + ((u + i) % 7));
  return builder.build();
}

describe("baselines on a matrix worked by hand", () => {
  it("most popular ranks by training users, ties by index, without the user's items", () => {
    const data = tinyMatrix();
    const popular = new MostPopular();
    popular.fit(data);
    // degrees: A 4, B 2, C 1, D 2, E 1
    expect(popular.recommend(0, 10, data.users[0]!.items)).toEqual([B, D, C, E]);
  });

  it("item-kNN (binary cosine): B 2/sqrt(8), C 1/sqrt(4), D 1/sqrt(8)", () => {
    const data = tinyMatrix();
    const knn = new ItemKnn();
    knn.fit(data);
    expect(knn.recommend(0, 10, data.users[0]!.items)).toEqual([B, C, D]);
    expect(knn.recommend(0, 1, data.users[0]!.items)).toEqual([B]);
  });

  it("RP3beta: walk probabilities B 5/24, C 1/12, D 1/8, divided by degree^beta", () => {
    const data = tinyMatrix();
    // beta 0.3: B 0.169, D 0.102, C 0.083; beta 1: B 0.104, C 0.083, D 0.0625; beta 0 is the plain walk.
    const orders: Array<[number, number[]]> = [
      [0.3, [B, D, C]],
      [1, [B, C, D]],
      [0, [B, D, C]],
    ];
    for (const [beta, order] of orders) {
      const rp3 = new Rp3Beta(beta);
      rp3.fit(data);
      expect(rp3.recommend(0, 10, data.users[0]!.items), `beta ${beta}`).toEqual(order);
    }
    // From u4 (D, E): D's users u3, u4; u3 walks to A half the time: A 1/8 / 4^0.3 against nothing else unseen.
    const rp3 = new Rp3Beta();
    rp3.fit(data);
    expect(rp3.recommend(4, 10, data.users[4]!.items)).toEqual([A]);
  });

  it("item-kNN with play counts weighs the columns by plays", () => {
    const builder = new InteractionsBuilder();
    // q has A; u1 plays A and B once; u2 plays A 9 times and C once: cos(A,B) = 1/(sqrt(83)*1), cos(A,C) = 9/(sqrt(83)*1).
    builder.add(1, 10, 1);
    builder.add(2, 10, 1);
    builder.add(2, 11, 1);
    builder.add(3, 10, 9);
    builder.add(3, 12, 1);
    const data = builder.build();
    const binary = new ItemKnn("binary");
    binary.fit(data);
    expect(binary.recommend(0, 10, data.users[0]!.items)).toEqual([1, 2]);
    const plays = new ItemKnn("plays");
    plays.fit(data);
    expect(plays.recommend(0, 10, data.users[0]!.items)).toEqual([2, 1]);
  });

  it("SALSA through the store keeps the data's ids and answers dense indices", async () => {
    const data = tinyMatrix();
    const salsa = new StoreRecommender({ edges: "pair", request: { walks: 2000, walkLength: 3, resetProbability: 0, seed: 7 } });
    await salsa.fit(data);
    const ranking = salsa.recommend(0, 10);
    expect(new Set(ranking)).toEqual(new Set([B, C, D]));
    expect(ranking[0]).toBe(B);
  });
});

describe("metrics", () => {
  it("HR, NDCG and recall of a hand-made ranking", () => {
    expect(scoreRanking([5, 3, 9], Int32Array.of(3), 10)).toEqual({ hit: 1, ndcg: 1 / Math.log2(3), recall: 1 });
    expect(scoreRanking([5, 3, 9], Int32Array.of(3), 1)).toEqual({ hit: 0, ndcg: 0, recall: 0 });
    const ideal = 1 + 1 / Math.log2(3);
    expect(scoreRanking([3, 1, 7], Int32Array.of(3, 7), 3)).toEqual({ hit: 1, ndcg: 1.5 / ideal, recall: 1 });
    expect(scoreRanking([3, 1, 7], Int32Array.of(3, 7), 2)).toEqual({ hit: 1, ndcg: 1 / ideal, recall: 0.5 });
  });

  it("percentiles by nearest rank", () => {
    const values = Array.from({ length: 100 }, (_, i) => 100 - i);
    expect(percentile(values, 50)).toBe(50);
    expect(percentile(values, 99)).toBe(99);
    expect(percentile([4], 99)).toBe(4);
  });
});

describe("protocols", () => {
  it("leave-one-out hides one item drawn with Mulberry32(seed), of users with at least 5 items only", () => {
    const builder = new InteractionsBuilder();
    for (let item = 0; item < 6; item++) builder.add(1, item, 1 + item);
    for (let item = 0; item < 4; item++) builder.add(2, item, 1);
    for (let item = 0; item < 5; item++) builder.add(3, 10 + item, 2);
    const data = builder.build();
    const split = leaveOneOut(data, 42);
    const random = new Mulberry32(42);
    const first = random.below(6);
    const third = random.below(5);
    expect(split.testUsers).toEqual([0, 2]);
    expect(split.targets).toEqual([Int32Array.of(data.users[0]!.items[first]!), Int32Array.of(data.users[2]!.items[third]!)]);
    expect(Array.from(split.training.users[0]!.items)).not.toContain(split.targets[0]![0]);
    expect(split.training.users[0]!.items.length).toBe(5);
    expect(split.training.users[0]!.plays).toEqual(data.users[0]!.plays.filter((_, i) => i !== first));
    expect(split.training.users[1]).toBe(data.users[1]);
    expect(leaveOneOut(data, 42)).toEqual(split);
  });

  it("the temporal split hides each user's latest tenth of events, its targets the items seen only there", () => {
    const builder = new InteractionsBuilder();
    // 20 events, shuffled in time: item e % 4 at time e, except the two latest are items 7 and 2.
    const events = Array.from({ length: 20 }, (_, e) => [e >= 18 ? (e === 18 ? 7 : 2) : e % 4, e] as const);
    for (const [item, time] of [...events].reverse()) builder.addEvent(1, item, time * 1000);
    builder.addEvent(2, 5, 0); // one event: hidden, so nothing left to train on
    const data = builder.build();
    const split = temporalSplit(data);
    expect(split.testUsers).toEqual([0]);
    expect(split.targets.map((items) => Array.from(items, (i) => data.itemIds[i]))).toEqual([[7]]);
    expect(split.training.users[0]!.events!.items.length).toBe(18);
    expect(Array.from(split.training.users[0]!.plays)).toEqual([4, 5, 5, 4]);
    expect(split.training.users[1]!.items.length).toBe(0);
  });

  it("the user sample is drawn with the seed and kept in order", () => {
    const split = leaveOneOut(syntheticData(50, 6), 3);
    const sample = sampleTestUsers(split, 10, 9);
    expect(sample.testUsers).toHaveLength(10);
    expect([...sample.testUsers].sort((a, b) => a - b)).toEqual(sample.testUsers);
    expect(sampleTestUsers(split, 10, 9)).toEqual(sample);
    expect(sampleTestUsers(split, 10, 10).testUsers).not.toEqual(sample.testUsers);
  });
});

describe("loaders", () => {
  it("reads hetrec's header and its three columns; repeated pairs add up", async () => {
    const path = join(dir, "user_artists.dat");
    await writeFile(path, "userID\tartistID\tweight\n2\t51\t13883\n2\t52\t11690\n4\t51\t5\n2\t51\t1\n");
    const data = await loadHetrec(path);
    expect(data.userIds).toEqual([2, 4]);
    expect(data.itemIds).toEqual([51, 52]);
    expect(data.users.map((user) => [Array.from(user.items), Array.from(user.plays)])).toEqual([
      [[0, 1], [13884, 11690]],
      [[0], [5]],
    ]);
  });

  it("refuses a file without the header, or a bad value, naming the line", async () => {
    const noHeader = join(dir, "no-header.dat");
    await writeFile(noHeader, "2\t51\t13883\n");
    await expect(loadHetrec(noHeader)).rejects.toThrow(/line 1 must be the header/);
    const bad = join(dir, "bad.dat");
    await writeFile(bad, "userID\tartistID\tweight\n2\t51\t13883\n2\tx\t3\n");
    await expect(loadHetrec(bad)).rejects.toThrow(/line 3: item must be a non-negative integer, got "x"/);
    const empty = join(dir, "empty.dat");
    await writeFile(empty, "");
    await expect(loadHetrec(empty)).rejects.toThrow(/the file is empty; line 1 must be the header/);
  });

  it("refuses data with no test users rather than report a table of zeros", async () => {
    const headerOnly = join(dir, "header-only.dat");
    await writeFile(headerOnly, "userID\tartistID\tweight\n");
    await expect(evaluate({ hetrec: headerOnly })).rejects.toThrow(/no test users: of the data's 0 users/);
  });

  it("reads an LFM-1b directory into artists with plays and events in time order", async () => {
    const lfm = join(dir, "lfm");
    await mkdir(lfm);
    await writeFile(join(lfm, "LFM-1b_LEs.txt"), "7\t30\t1\t1\t300\n7\t31\t1\t1\t100\n8\t30\t1\t1\t50\n7\t30\t2\t2\t200\n");
    const { data, events } = await loadLfm1bInteractions(lfm);
    expect(events).toBe(4);
    expect(data.userIds).toEqual([7, 8]);
    expect(data.itemIds).toEqual([30, 31]);
    expect(Array.from(data.users[0]!.plays)).toEqual([2, 1]);
    expect(Array.from(data.users[0]!.events!.items, (i) => data.itemIds[i])).toEqual([31, 30, 30]);
    expect(Array.from(data.users[0]!.events!.timestamps)).toEqual([100_000, 200_000, 300_000]);
  });
});

describe("evaluate", () => {
  it("repeats exactly with the same seed", async () => {
    const data = syntheticData(60, 8);
    const run = async (seed: number) =>
      (await evaluate({ data, seed, recommenders: ["popular", "itemknn", "rp3beta", "salsa-short"] })).results.map(({ p50Ms, p99Ms, fitMs, ...quality }) => quality);
    const first = await run(5);
    expect(await run(5)).toEqual(first);
    expect(first.some((result) => result.hr > 0)).toBe(true);
  });

  it("evaluates the temporal split on timed data, and refuses it on data without timestamps", async () => {
    const builder = new InteractionsBuilder();
    // Ten users play items u..u+9 of 15 in order, one a second: each one's latest play is new to them.
    for (let u = 0; u < 10; u++) for (let e = 0; e < 10; e++) builder.addEvent(u, (u + e) % 15, e * 1000);
    const evaluation = await evaluate({ data: builder.build(), protocol: "temporal", recommenders: ["popular", "itemknn"] });
    expect(evaluation.testUsers).toBe(10);
    expect(evaluation.results[1]!.hr).toBeGreaterThan(0);
    await expect(evaluate({ data: tinyMatrix(), protocol: "temporal" })).rejects.toThrow(/needs timestamps, and user 100 has none/);
  });

  it("refuses options it does not know, and asks for one data source", async () => {
    await expect(evaluate({ data: tinyMatrix(), kk: 3 } as never)).rejects.toThrow(/kk/);
    await expect(evaluate({})).rejects.toThrow(/exactly one data source/);
  });

  it.skipIf(!existsSync(HETREC_DEV))("on the hetrec dev half, item-kNN and RP3beta beat most popular on HR@10", { timeout: 20_000 }, async () => {
    const evaluation = await evaluate({ hetrec: HETREC_DEV, users: 200, recommenders: ["popular", "itemknn", "rp3beta"] });
    const hr = Object.fromEntries(evaluation.results.map((result) => [result.name, result.hr]));
    expect(evaluation.testUsers).toBe(200);
    expect(hr.itemknn).toBeGreaterThan(hr.popular! * 1.3);
    expect(hr.rp3beta).toBeGreaterThan(hr.popular! * 1.3);
  });
});

describe("profile-store evaluate", () => {
  const output = captureOutput();

  it("prints the table and writes results.md and hr-vs-latency.svg", async () => {
    const path = join(dir, "cli.dat");
    const rows = ["userID\tartistID\tweight"];
    for (let u = 0; u < 30; u++) for (let i = 0; i < 6; i++) rows.push(`${u}\t${(u + i) % 12}\t${1 + i}`);
    await writeFile(path, rows.join("\n") + "\n");
    const out = join(dir, "out");
    expect(await runEvaluate(["--hetrec", path, "--recommenders", "popular,rp3beta", "--out", out], {})).toBe(0);
    expect(output.stdout).toMatch(/\| recommender \| HR@10 \| NDCG@10 \| recall@10 \| coverage \| p50 ms \| p99 ms \|/);
    expect(output.stdout).toMatch(/\| rp3beta /);
    expect(await readFile(join(out, "results.md"), "utf8")).toMatch(/30 users, 12 items, 180 user-item pairs/);
    const svg = await readFile(join(out, "hr-vs-latency.svg"), "utf8");
    expect(svg).toMatch(/^<svg /);
    expect(svg.match(/<circle /g)).toHaveLength(2);
    expect(output.stderr).toMatch(/evaluate: 100%/);
  });

  it("answers usage mistakes with exit code 2 and names the bad value", async () => {
    expect(await runEvaluate([], {})).toBe(2);
    expect(output.stderr).toMatch(/--hetrec <file> or --lfm <dir> is required/);
    expect(await runEvaluate(["--hetrec", "x", "--recommenders", "popular,knn"], {})).toBe(2);
    expect(output.stderr).toMatch(/--recommenders must be a comma-separated list of popular, .*got "popular,knn"/);
    expect(await runEvaluate(["--hetrec", "x", "--lfm", "y"], {})).toBe(2);
    expect(await runEvaluate(["--hetrec", "x", "--protocol", "temporal"], {})).toBe(2);
    expect(output.stderr).toMatch(/temporal needs timestamps/);
  });

  it("checks --out before it evaluates", async () => {
    const taken = join(dir, "taken-by-a-file");
    await writeFile(taken, "");
    expect(await runEvaluate(["--hetrec", join(dir, "cli.dat"), "--out", join(taken, "out")], {})).toBe(1);
    expect(output.stderr).toMatch(/--out .*taken-by-a-file\/out cannot be made: /);
    expect(output.stdout).not.toMatch(/\| recommender \|/);
    // Under /proc, where Node 20's recursive mkdir would loop forever.
    if (existsSync("/proc/self")) {
      output.stderr = "";
      expect(await runEvaluate(["--hetrec", join(dir, "cli.dat"), "--out", "/proc/profile-store-test/out"], {})).toBe(1);
      expect(output.stderr).toContain("--out /proc/profile-store-test/out cannot be made: ENOENT: no such file or directory, mkdir '/proc/profile-store-test'");
    }
  });
});
