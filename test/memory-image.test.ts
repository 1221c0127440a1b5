// The wasm memory image without its zero chunks: runs against a naive model, a round trip onto a
// memory that holds other bytes, the refusal of runs that do not fit, and a real store's snapshot.
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { ProfileStore } from "../src/index.js";
import { copyRuns, dataRuns, IMAGE_CHUNK_BYTES, restoreTargets, runsProblem, type MemoryRun } from "../src/engine/memory-image.js";
import { createGenerator } from "../src/ingest/generator.js";
import { Mulberry32 } from "../src/engine/random.js";

const CHUNK = IMAGE_CHUNK_BYTES;

function uniform(seed: number): () => number {
  const random = new Mulberry32(seed);
  return () => random.next() / 2 ** 32;
}

/** A memory of `chunks` chunks, each zero or holding one non-zero byte somewhere (its last byte too). */
function randomMemory(random: () => number, chunks: number): { memory: Uint8Array; withData: boolean[] } {
  const memory = new Uint8Array(chunks * CHUNK);
  const withData = Array.from({ length: chunks }, () => random() < 0.5);
  withData.forEach((data, chunk) => {
    if (!data) return;
    const at = random() < 0.2 ? CHUNK - 1 : Math.floor(random() * CHUNK);
    memory[chunk * CHUNK + at] = 1 + Math.floor(random() * 255);
    if (random() < 0.5) memory.fill(7, chunk * CHUNK, chunk * CHUNK + Math.floor(random() * CHUNK));
  });
  return { memory, withData };
}

/** The naive model: one run per maximal sequence of chunks with data. */
function naiveRuns(withData: boolean[]): MemoryRun[] {
  const runs: MemoryRun[] = [];
  withData.forEach((data, chunk) => {
    if (!data) return;
    const last = runs.at(-1);
    if (last && last.start + last.bytes === chunk * CHUNK) last.bytes += CHUNK;
    else runs.push({ start: chunk * CHUNK, bytes: CHUNK });
  });
  return runs;
}

describe("memory image runs", () => {
  it("are the chunks holding data, as the naive model finds them", () => {
    const random = uniform(11);
    for (let round = 0; round < 40; round++) {
      const { memory, withData } = randomMemory(random, 1 + Math.floor(random() * 24));
      expect(dataRuns(memory)).toEqual(naiveRuns(withData));
    }
  });

  it("restore onto a memory holding other bytes gives the original back, below and beyond its dirty part", () => {
    const random = uniform(12);
    for (let round = 0; round < 40; round++) {
      const chunks = 1 + Math.floor(random() * 24);
      const { memory } = randomMemory(random, chunks);
      const runs = dataRuns(memory);
      const image = copyRuns(memory, runs);
      // A fresh instance has written the first chunks already; what it grew is zeros.
      const dirtyBytes = Math.floor(random() * (chunks + 1)) * CHUNK;
      const target = new Uint8Array(chunks * CHUNK);
      target.fill(0xaa, 0, dirtyBytes);
      let at = 0;
      for (const part of restoreTargets(target, runs, dirtyBytes)) {
        part.set(image.subarray(at, at + part.byteLength));
        at += part.byteLength;
      }
      expect(at).toBe(image.byteLength);
      expect(Buffer.compare(target, memory)).toBe(0);
    }
  });

  it("that do not fit are refused with the reason", () => {
    expect(runsProblem([{ start: CHUNK, bytes: CHUNK }], 4 * CHUNK, CHUNK)).toBeUndefined();
    expect(runsProblem([{ start: 100, bytes: CHUNK }], 4 * CHUNK, CHUNK)).toContain("not whole chunks");
    expect(runsProblem([{ start: 0, bytes: 0 }], 4 * CHUNK, 0)).toContain("not whole chunks");
    expect(runsProblem([{ start: 0, bytes: 2 * CHUNK }, { start: CHUNK, bytes: CHUNK }], 4 * CHUNK, 3 * CHUNK)).toContain("before the end of the previous one");
    expect(runsProblem([{ start: 3 * CHUNK, bytes: 2 * CHUNK }], 4 * CHUNK, 2 * CHUNK)).toContain("in a memory of");
    expect(runsProblem([{ start: 0, bytes: CHUNK }], 4 * CHUNK, 2 * CHUNK)).toContain("the image holds");
  });
});

describe("a wasm store's snapshot", () => {
  const dirPromise = mkdtemp(join(tmpdir(), "profile-store-memory-image-"));
  afterAll(async () => rm(await dirPromise, { recursive: true, force: true }));

  it("leaves the memory's zero chunks out and restores the same store", async () => {
    const store = await ProfileStore.create({ walkerThreads: 0 });
    for (const batch of createGenerator({ seed: 3, users: 500, events: 200_000 }).eventBatches(200_000, 65536)) store.ingest(batch);
    const path = join(await dirPromise, "store.snapshot");
    const { bytes } = await store.save(path);
    const memoryBytes = store.stats().totalBytes;
    expect(bytes).toBeLessThan(memoryBytes);
    const restored = await ProfileStore.load(path, { walkerThreads: 0 });
    expect(restored.stats()).toEqual(store.stats());
    const users = store.listeners({ limit: 50 }).map((listener) => listener.userId);
    for (const userId of users) {
      expect(restored.profile(userId)).toEqual(store.profile(userId));
      expect(restored.recommend(userId, "TRACK", { seed: 5 })).toEqual(store.recommend(userId, "TRACK", { seed: 5 }));
    }
    await store.close();
    await restored.close();
  });
});
