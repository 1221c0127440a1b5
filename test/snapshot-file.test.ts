// The snapshot file's reader with many chunk reads in flight: the bytes land where they belong and
// the checksum, taken in file order, still catches one flipped byte.
import { execFileSync } from "node:child_process";
import { randomBytes } from "node:crypto";
import { mkdir, mkdtemp, readdir, readFile, rm, stat, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { ProfileStore, SnapshotError } from "../src/index.js";
import { SnapshotReader, writeSnapshotFile, type ReadProgress } from "../src/snapshot/file.js";

const dir = await mkdtemp(join(tmpdir(), "profile-store-snapshot-file-"));
afterAll(() => rm(dir, { recursive: true, force: true }));

const { header } = (await ProfileStore.create()).snapshot();
// Sizes that are not multiples of the chunk: 17 chunks, the last one short, then a second section.
const CHUNK = 64 << 10;
const first = new Uint8Array(randomBytes(16 * CHUNK + 1234));
const second = new Uint8Array(randomBytes(3 * CHUNK + 7));
const path = join(dir, "chunks.snapshot");
await writeSnapshotFile(path, header, [
  { name: "first", bytes: first },
  { name: "second", bytes: second },
]);

async function readBoth(file: string, onProgress?: (progress: ReadProgress) => void): Promise<[Uint8Array, Uint8Array]> {
  const reader = await SnapshotReader.open(file, { chunkBytes: CHUNK, onProgress });
  try {
    const a = await reader.read("first");
    // The second into three targets of uneven sizes, as a restore reads memory runs.
    const b = new Uint8Array(second.byteLength);
    await reader.readInto("second", [b.subarray(0, 5), b.subarray(5, CHUNK + 3000), b.subarray(CHUNK + 3000)]);
    await reader.verify();
    return [a, b];
  } finally {
    await reader.close();
  }
}

describe("SnapshotReader with chunk reads in flight", () => {
  it("reads every section back byte for byte, into a new buffer or given ones", async () => {
    const [a, b] = await readBoth(path);
    expect(Buffer.compare(a, first)).toBe(0);
    expect(Buffer.compare(b, second)).toBe(0);
  });

  it("reports its progress after every chunk, in order, up to the file's size after the checksum", async () => {
    const reports: ReadProgress[] = [];
    await readBoth(path, (progress) => reports.push({ ...progress }));
    const size = (await stat(path)).size;
    // 17 chunks of the first section, 1 + 2 + 2 of the second's three targets, then the checksum.
    expect(reports).toHaveLength(17 + 5 + 1);
    expect(reports.every(({ totalBytes }) => totalBytes === size)).toBe(true);
    const read = reports.map(({ bytesRead }) => bytesRead);
    expect(read).toEqual([...read].sort((a, b) => a - b));
    expect(read.at(-1)).toBe(size);
    expect(read.at(-2)).toBe(size - 4);
  });

  it("refuses a byte flipped in a middle chunk", async () => {
    const bytes = await readFile(path);
    const flipped = join(dir, "flipped.snapshot");
    // Past the header, inside the first section's ninth chunk.
    const at = bytes.byteLength - second.byteLength - 4 - first.byteLength + 8 * CHUNK + 99;
    bytes[at]! ^= 0x40;
    await writeFile(flipped, bytes);
    const error = await readBoth(flipped).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(SnapshotError);
    expect((error as SnapshotError).reason).toBe("corrupt");
    expect((error as SnapshotError).message).toContain("the state's checksum");
  });
});

describe("the snapshot file on a path that is not one", () => {
  it("refuses a directory or a FIFO as unreadable, without waiting for a FIFO's writer", async () => {
    const folder = join(dir, "a-directory");
    await mkdir(folder);
    const fifo = join(dir, "a-fifo");
    execFileSync("mkfifo", [fifo]);
    for (const bad of [folder, fifo]) {
      const refusal = await SnapshotReader.open(bad).catch((error: unknown) => error);
      expect(refusal).toBeInstanceOf(SnapshotError);
      expect(refusal).toMatchObject({ reason: "unreadable", path: bad, message: `snapshot ${bad} is unreadable: it is not a regular file` });
    }
  });

  it("leaves no temporary file behind when the rename fails", async () => {
    const target = join(dir, "taken");
    await mkdir(target);
    await expect(writeSnapshotFile(target, header, [{ name: "first", bytes: first }])).rejects.toThrow(/rename/);
    expect((await readdir(dir)).filter((name) => name.startsWith(".taken."))).toEqual([]);
  });

  it("names the snapshot when its directory is missing", async () => {
    const target = join(dir, "missing", "x.snapshot");
    await expect(writeSnapshotFile(target, header, [{ name: "first", bytes: first }])).rejects.toMatchObject({
      code: "ENOENT",
      message: expect.stringMatching(new RegExp(`^cannot write snapshot ${target}: ENOENT`)),
    });
  });
});
