// A snapshot that cannot be restored as it is is refused whole, with a message naming the reason.
import { readFile, writeFile, mkdtemp, rm, readdir } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { ProfileStore, SnapshotError, type ProfileStoreOptions } from "../src/index.js";
import { writeSnapshotFile } from "../src/snapshot/file.js";
import { PREFIX_BYTES } from "../src/snapshot/format.js";
import { randomEvents } from "./helpers/random-events.js";

const dir = await mkdtemp(join(tmpdir(), "profile-store-refusals-"));
afterAll(() => rm(dir, { recursive: true, force: true }));

const store = await ProfileStore.create({ chartSize: 5 });
store.ingest(randomEvents(2000, 3));
store.setNames("ARTIST", [[0, "Radiohead"]]);
const good = join(dir, "good.snapshot");
await store.save(good);
const bytes = await readFile(good);

/** A copy of the good snapshot, changed by `change`. */
async function variant(name: string, change: (copy: Buffer) => Buffer): Promise<string> {
  const path = join(dir, name);
  await writeFile(path, change(Buffer.from(bytes)));
  return path;
}

async function refusal(path: string, options: ProfileStoreOptions = { chartSize: 5 }): Promise<SnapshotError> {
  const error = await ProfileStore.load(path, options).then(
    () => undefined,
    (error: unknown) => error,
  );
  expect(error).toBeInstanceOf(SnapshotError);
  return error as SnapshotError;
}

describe("ProfileStore.load refuses", () => {
  it("loads the unchanged file", async () => {
    const restored = await ProfileStore.load(good, { chartSize: 5 });
    expect(restored.stats()).toEqual(store.stats());
    expect(restored.name("ARTIST", 0)).toBe("Radiohead");
  });

  it("a flipped byte in the state, by its checksum", async () => {
    const path = await variant("flipped-state", (copy) => {
      copy[copy.length - 1000]! ^= 0x10;
      return copy;
    });
    const error = await refusal(path);
    expect(error.reason).toBe("corrupt");
    expect(error.message).toMatch(/^snapshot .*flipped-state is corrupt: the state's checksum is 0x[0-9a-f]{8}, its bytes give 0x[0-9a-f]{8}$/);
  });

  it("a flipped byte in the header, by the header's checksum", async () => {
    const path = await variant("flipped-header", (copy) => {
      copy[PREFIX_BYTES + 5]! ^= 0x01;
      return copy;
    });
    const error = await refusal(path);
    expect(error.reason).toBe("corrupt");
    expect(error.message).toMatch(/the header's checksum is/);
  });

  it("a truncated file, saying how long it is and should be", async () => {
    const path = await variant("truncated", (copy) => copy.subarray(0, copy.length - 4096));
    const error = await refusal(path);
    expect(error.reason).toBe("truncated");
    expect(error.message).toContain(`is truncated: ${bytes.length - 4096} bytes, its header declares ${bytes.length}`);
  });

  it("a file cut inside its header", async () => {
    const path = await variant("cut-header", (copy) => copy.subarray(0, PREFIX_BYTES + 3));
    expect((await refusal(path)).reason).toBe("truncated");
  });

  it("a file of another kind, by its magic", async () => {
    const path = await variant("other-magic", (copy) => {
      copy.write("PK\u0003\u0004", 0, "latin1");
      return copy;
    });
    const error = await refusal(path);
    expect(error.reason).toBe("not-a-snapshot");
    expect(error.message).toMatch(/is not a profile-store snapshot: it starts with 0x504b0304/);
  });

  it("another format version", async () => {
    const path = await variant("other-version", (copy) => {
      copy.writeUInt32LE(1, 8);
      return copy;
    });
    const error = await refusal(path);
    expect(error.reason).toBe("format-version");
    expect(error.message).toContain("format version 1; this build reads version 2 only");
  });

  it("another engine build, though its checksums match", async () => {
    const snapshot = store.snapshot();
    snapshot.header.engine.build = "wasm-sha256:0123";
    const path = join(dir, "other-build");
    await writeSnapshotFile(path, snapshot.header, snapshot.sections);
    const error = await refusal(path);
    expect(error.reason).toBe("build");
    expect(error.message).toMatch(/it was written by wasm-sha256:0123; this is wasm-sha256:[0-9a-f]{64}/);
  });

  it("kernel addresses other than a fresh instance's", async () => {
    const snapshot = store.snapshot();
    const layout = snapshot.header.engine.layout as { addresses: number[] };
    layout.addresses[0]! += 16;
    const path = join(dir, "other-layout");
    await writeSnapshotFile(path, snapshot.header, snapshot.sections);
    const error = await refusal(path);
    expect(error.reason).toBe("build");
    expect(error.message).toMatch(/its kernel addresses .* are not this instance's/);
  });

  it("a store with another chartSize, or maxEdgesPerGraph", async () => {
    const chartSize = await refusal(good, { chartSize: 10 });
    expect(chartSize.reason).toBe("options");
    expect(chartSize.message).toContain("it was taken with chartSize 5; this store's chartSize is 10");
    const maxEdges = await refusal(good, { chartSize: 5, maxEdgesPerGraph: 1000 });
    expect(maxEdges.message).toContain("it was taken with maxEdgesPerGraph 0; this store's maxEdgesPerGraph is 1000");
  });

  it("a store of the other engine", async () => {
    const error = await refusal(good, { chartSize: 5, engine: "reference" });
    expect(error.reason).toBe("engine");
    expect(error.message).toContain("it holds the wasm engine's state; this store's engine is reference");
  });

  it("options that create refuses, before reading the file", async () => {
    await expect(ProfileStore.load(join(dir, "missing"), { chartSize: 0 })).rejects.toThrow("chartSize must be an integer between 1 and 1000, got 0");
  });
});

it("save leaves no temporary file behind", async () => {
  await store.save(join(dir, "again.snapshot"));
  expect((await readdir(dir)).filter((name) => name.endsWith(".tmp"))).toEqual([]);
});
