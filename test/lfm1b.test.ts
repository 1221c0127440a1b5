import { existsSync } from "node:fs";
import { mkdir, mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  loadLfm1b,
  readEventBatches,
  readItemNames,
  type LoadProgress,
  type ReadEventOptions,
} from "../src/ingest/lfm1b.js";
import type { EventBatch, EventColumns, Field, ListeningEvent } from "../src/types.js";

/** The team's shared sample, beside the repository (../shared from the project root); skipped when absent. */
const SAMPLE_DIR = fileURLToPath(new URL("../../shared/data/lfm-1b-sample", import.meta.url));

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), "lfm1b-test-"));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

let fileCount = 0;
async function tempFile(text: string): Promise<string> {
  const path = join(dir, `file-${fileCount++}.txt`);
  await writeFile(path, text);
  return path;
}

function eventsOf(batches: EventColumns[]): ListeningEvent[] {
  return batches.flatMap((batch) =>
    Array.from({ length: batch.userId.length }, (_, i) => ({
      userId: batch.userId[i],
      artistId: batch.artistId[i],
      albumId: batch.albumId[i],
      trackId: batch.trackId[i],
      timestamp: batch.timestamp[i],
    })),
  );
}

async function readAll(path: string, opts: ReadEventOptions = {}): Promise<EventBatch[]> {
  const batches: EventBatch[] = [];
  for await (const batch of readEventBatches(path, opts)) batches.push(batch);
  return batches;
}

describe("readEventBatches", () => {
  it("reads columns as Float64Array with timestamps converted from seconds to ms", async () => {
    const path = await tempFile("21072247\t203\t1114\t2955\t1331060664\n3519430\t2285\t4956\t14018\t1368170687\n");
    const [batch, ...rest] = await readAll(path);
    expect(rest).toEqual([]);
    expect(batch.userId.length).toBe(2);
    expect(batch.userId).toBeInstanceOf(Float64Array);
    expect(eventsOf([batch])).toEqual([
      { userId: 21072247, artistId: 203, albumId: 1114, trackId: 2955, timestamp: 1331060664000 },
      { userId: 3519430, artistId: 2285, albumId: 4956, trackId: 14018, timestamp: 1368170687000 },
    ]);
  });

  it("yields fresh batches of batchSize that stay valid, the last one trimmed", async () => {
    const lines = Array.from({ length: 7 }, (_, i) => `${i}\t${i + 10}\t${i + 20}\t${i + 30}\t${1000 + i}`);
    const batches = await readAll(await tempFile(lines.join("\n")), { batchSize: 3 });
    expect(batches.map((batch) => batch.userId.length)).toEqual([3, 3, 1]);
    for (const batch of batches) {
      for (const column of [batch.userId, batch.artistId, batch.albumId, batch.trackId, batch.timestamp]) {
        expect(column.length).toBe(batch.userId.length);
      }
    }
    expect(new Set(batches.map((batch) => batch.userId.buffer)).size).toBe(3);
    expect(eventsOf(batches).map((event) => event.userId)).toEqual([0, 1, 2, 3, 4, 5, 6]);
    expect(eventsOf(batches).map((event) => event.timestamp)).toEqual([0, 1, 2, 3, 4, 5, 6].map((i) => (1000 + i) * 1000));
  });

  it("takes timestamps as they are with unit ms, and guesses per value with auto", async () => {
    const path = await tempFile("1\t2\t3\t4\t1331060664\n1\t2\t3\t4\t1331060664123\n1\t2\t3\t4\t99999999999\n");
    const timestamps = async (opts: ReadEventOptions) => eventsOf(await readAll(path, opts)).map((e) => e.timestamp);
    expect(await timestamps({ timestampUnit: "ms" })).toEqual([1331060664, 1331060664123, 99999999999]);
    expect(await timestamps({ timestampUnit: "auto" })).toEqual([1331060664000, 1331060664123, 99999999999000]);
    // In seconds (the default), a value in ms lands beyond the year 9999: a bad line, not a timestamp.
    const bad: string[] = [];
    expect(await timestamps({ onBadLine: (_lineNo, _line, reason) => bad.push(reason) })).toEqual([1331060664000, 99999999999000]);
    expect(bad).toEqual(['timestamp must be epoch seconds from 1970 to the year 9999, got "1331060664123"']);
  });

  it("reads CRLF files and fractional seconds", async () => {
    const path = await tempFile("1\t2\t3\t4\t1331060664.5\r\n5\t6\t7\t8\t10\r\n");
    expect(eventsOf(await readAll(path))).toEqual([
      { userId: 1, artistId: 2, albumId: 3, trackId: 4, timestamp: 1331060664500 },
      { userId: 5, artistId: 6, albumId: 7, trackId: 8, timestamp: 10000 },
    ]);
  });

  it("skips bad lines, reporting each with its line number and the bad value", async () => {
    const text = [
      "1\t2\t3\t4\t100", // 1 good
      "1\t2\t3\t4", // 2 too few fields
      "1\t2\t3\t4\t5\t6", // 3 too many
      "-1\t2\t3\t4\t100", // 4 negative id
      "1\tx7\t3\t4\t100", // 5 not an integer
      "1\t2\t3.5\t4\t100", // 6 fraction
      "1\t2\t3\t9007199254740992\t100", // 7 unsafe
      "1\t2\t3\t4\tsoon", // 8 bad timestamp
      "1\t2\t3\t4\t", // 9 empty timestamp
      "1\t2\t3\t4\t1e400", // 10 infinite
      "", // 11 blank: ignored
      "6\t7\t8\t9\t200", // 12 good
    ].join("\n");
    const bad: Array<[number, string, string]> = [];
    const batches = await readAll(await tempFile(text), { onBadLine: (...args) => bad.push(args) });
    expect(eventsOf(batches).map((event) => event.userId)).toEqual([1, 6]);
    expect(bad.map(([lineNo]) => lineNo)).toEqual([2, 3, 4, 5, 6, 7, 8, 9, 10]);
    expect(bad[0]).toEqual([2, "1\t2\t3\t4", "expected 5 tab-separated fields, got 4"]);
    expect(bad[2][2]).toBe('userId must be a non-negative safe integer, got "-1"');
    expect(bad[3][2]).toContain('artistId must be a non-negative safe integer, got "x7"');
    expect(bad[4][2]).toContain('albumId must be a non-negative safe integer, got "3.5"');
    expect(bad[5][2]).toContain('trackId must be a non-negative safe integer, got "9007199254740992"');
    expect(bad[6][2]).toBe('timestamp must be epoch seconds from 1970 to the year 9999, got "soon"');
    expect(bad[7][2]).toBe('timestamp must be epoch seconds from 1970 to the year 9999, got ""');
    expect(bad[8][2]).toContain('"1e400"');
  });

  it("reports progress up to the file size", async () => {
    const text = "1\t2\t3\t4\t5\n".repeat(100);
    const progress: Array<[number, number]> = [];
    await readAll(await tempFile(text), { onProgress: (read, total) => progress.push([read, total]) });
    expect(progress.at(-1)).toEqual([text.length, text.length]);
  });

  it("rejects a bad batch size or unit", () => {
    expect(() => readEventBatches("x", { batchSize: 0 })).toThrow(/batchSize/);
    expect(() => readEventBatches("x", { timestampUnit: "h" as never })).toThrow(/timestampUnit/);
  });
});

describe("readItemNames", () => {
  async function readNames(text: string, onBadLine?: (lineNo: number, line: string, reason: string) => void) {
    const batches: Array<Array<[number, string]>> = [];
    for await (const batch of readItemNames(await tempFile(text), { batchSize: 2, onBadLine })) batches.push(batch);
    return batches;
  }

  it("reads (id, name) from artists files, unquoting names and allowing empty ones", async () => {
    const batches = await readNames('1\tMegadeth\n28668\t"Michał ""Jelonek"" Jelonek"\n5\t\n');
    expect(batches).toEqual([
      [
        [1, "Megadeth"],
        [28668, 'Michał "Jelonek" Jelonek'],
      ],
      [[5, ""]],
    ]);
  });

  it("ignores the artistId column of albums and tracks files", async () => {
    const batches = await readNames('2\tHangar 18\t1\r\n12800\t"Temptation [7"" Version]"\t869\r\n');
    expect(batches.flat()).toEqual([
      [2, "Hangar 18"],
      [12800, 'Temptation [7" Version]'],
    ]);
  });

  it("skips and reports lines with a bad id or field count", async () => {
    const bad: number[] = [];
    const batches = await readNames("x\tname\n1\n1\ta\tb\tc\n7\tok\n", (lineNo) => bad.push(lineNo));
    expect(batches.flat()).toEqual([[7, "ok"]]);
    expect(bad).toEqual([1, 2, 3]);
  });
});

/** Records what loadLfm1b hands it, in order. */
class RecordingSink {
  calls: string[] = [];
  events: ListeningEvent[] = [];
  names = new Map<Field, Array<[number, string]>>();

  ingest(batch: EventColumns): void {
    this.calls.push("ingest");
    this.events.push(...eventsOf([batch]));
  }

  async setNames(field: Field, names: Iterable<[number, string]>): Promise<void> {
    await Promise.resolve();
    this.calls.push(`names ${field}`);
    this.names.set(field, [...(this.names.get(field) ?? []), ...names]);
  }
}

describe("loadLfm1b", () => {
  async function dataDir(files: Record<string, string>): Promise<string> {
    const path = join(dir, `dataset-${fileCount++}`);
    await mkdir(path);
    for (const [name, text] of Object.entries(files)) await writeFile(join(path, name), text);
    return path;
  }

  it("loads names first, then events, and sums up", async () => {
    const path = await dataDir({
      "LFM-1b_LEs.txt": "1\t10\t100\t1000\t1331060664\nbad\n2\t10\t100\t1000\t1331060665\n",
      "LFM-1b_tracks.txt": "1000\tTrack\t10\n",
      "LFM-1b_albums.txt": '100\t"Al""bum"\t10\n',
      "LFM-1b_artists.txt": "10\tArtist\n11\t\n",
      "README.txt": "not data\n",
    });
    const sink = new RecordingSink();
    const progress: LoadProgress[] = [];
    const bad: string[] = [];
    const summary = await loadLfm1b(path, sink, {
      onProgress: (p) => progress.push(p),
      onBadLine: (lineNo, line, _reason, file) => bad.push(`${file}:${lineNo}:${line}`),
    });
    expect(sink.calls).toEqual(["names ARTIST", "names ALBUM", "names TRACK", "ingest"]);
    expect(sink.names.get("ALBUM")).toEqual([[100, 'Al"bum']]);
    expect(sink.events.map((event) => event.timestamp)).toEqual([1331060664000, 1331060665000]);
    expect(bad).toEqual([`${join(path, "LFM-1b_LEs.txt")}:2:bad`]);
    expect(summary).toEqual({
      events: 2,
      badLines: 1,
      names: { ARTIST: 2, ALBUM: 1, TRACK: 1 },
      files: ["artists", "albums", "tracks", "LEs"].map((kind) => join(path, `LFM-1b_${kind}.txt`)),
    });
    expect(progress.map((p) => p.phase)).toEqual(expect.arrayContaining(["artists", "albums", "tracks", "events"]));
    const last = progress.at(-1)!;
    expect(last.phase).toBe("events");
    expect(last.bytesRead).toBe(last.totalBytes);
    expect(last.events).toBe(2);
    expect(progress.map((p) => p.bytesRead)).toEqual(progress.map((p) => p.bytesRead).sort((a, b) => a - b));
  });

  it("loads every events file matching the pattern, without names files, in ms when asked", async () => {
    const path = await dataDir({
      "LFM-1b_LEs-part2.txt": "2\t1\t1\t1\t2000\n",
      "LFM-1b_LEs-part1.txt": "1\t1\t1\t1\t1000\n",
    });
    const sink = new RecordingSink();
    const summary = await loadLfm1b(path, sink, { timestampUnit: "ms" });
    expect(sink.events.map((event) => [event.userId, event.timestamp])).toEqual([
      [1, 1000],
      [2, 2000],
    ]);
    expect(summary.names).toEqual({ ARTIST: 0, ALBUM: 0, TRACK: 0 });
  });

  it("fails naming the directory and pattern when there is no events file", async () => {
    const path = await dataDir({ "LFM-1b_artists.txt": "1\tA\n" });
    await expect(loadLfm1b(path, new RecordingSink())).rejects.toThrow(
      `No LFM-1b events file in ${path}: expected a file matching LFM-1b_LEs*.txt`,
    );
  });
});

describe.skipIf(!existsSync(SAMPLE_DIR))("the real LFM-1b sample", () => {
  it("loads all of it without bad lines", async () => {
    const sink = new RecordingSink();
    const summary = await loadLfm1b(SAMPLE_DIR, sink);
    expect(summary.events).toBe(51631);
    expect(summary.badLines).toBe(0);
    expect(summary.names).toEqual({ ARTIST: 4102, ALBUM: 8879, TRACK: 19155 });
    expect(new Set(sink.events.map((event) => event.userId)).size).toBe(21);
    expect(sink.events[0]).toEqual({
      userId: 21072247,
      artistId: 203,
      albumId: 1114,
      trackId: 2955,
      timestamp: 1331060664000,
    });
    expect(new Map(sink.names.get("ARTIST")).get(28668)).toBe('Michał "Jelonek" Jelonek');
    expect(new Map(sink.names.get("TRACK")).get(12800)).toBe('Temptation [7" Version]');
  });
});
