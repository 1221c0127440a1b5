// A wasm memory as a snapshot holds it: only the chunks with a non-zero byte, as runs. Memory the
// heap never used (most of what its last growth added) stays zeros and is neither written nor read,
// and a restore leaves it untouched: on a new replica, fewer pages to fault in.

import { PAGE_BYTES } from "./wasm-loader.js";

/** Bytes per chunk: wasm's page size, in which the memory grows. */
export const IMAGE_CHUNK_BYTES = PAGE_BYTES;
const ZERO_CHUNK = new Uint8Array(IMAGE_CHUNK_BYTES);

/** A run of chunks with data: [start, start + bytes) of the memory. */
export interface MemoryRun {
  start: number;
  bytes: number;
}

/** The runs of chunks of `memory` (whole chunks long) that hold a non-zero byte, ascending. */
export function dataRuns(memory: Uint8Array): MemoryRun[] {
  const runs: MemoryRun[] = [];
  let open: MemoryRun | undefined;
  for (let start = 0; start < memory.byteLength; start += IMAGE_CHUNK_BYTES) {
    // memcmp: most chunks with data differ in their first bytes, and zero chunks go at its speed.
    if (Buffer.compare(memory.subarray(start, start + IMAGE_CHUNK_BYTES), ZERO_CHUNK) === 0) open = undefined;
    else if (open) open.bytes += IMAGE_CHUNK_BYTES;
    else runs.push((open = { start, bytes: IMAGE_CHUNK_BYTES }));
  }
  return runs;
}

/** The runs' bytes of `memory`, back to back: a copy, so that the memory may change meanwhile. */
export function copyRuns(memory: Uint8Array, runs: readonly MemoryRun[]): Uint8Array {
  const image = new Uint8Array(runs.reduce((sum, run) => sum + run.bytes, 0));
  let at = 0;
  for (const { start, bytes } of runs) {
    image.set(memory.subarray(start, start + bytes), at);
    at += bytes;
  }
  return image;
}

/**
 * Where a restore reads the runs into `memory`; zero-fills what lies between them below `dirtyBytes`
 * (memory the fresh instance has written already: beyond it, a grown memory is zeros).
 */
export function restoreTargets(memory: Uint8Array, runs: readonly MemoryRun[], dirtyBytes: number): Uint8Array[] {
  let end = 0;
  for (const { start, bytes } of runs) {
    memory.fill(0, end, Math.min(start, dirtyBytes));
    end = start + bytes;
  }
  memory.fill(0, end, Math.max(end, dirtyBytes));
  return runs.map(({ start, bytes }) => memory.subarray(start, start + bytes));
}

/** Why `runs` cannot be an image of `memoryBytes` bytes holding `imageBytes`, or undefined when it can. */
export function runsProblem(runs: readonly MemoryRun[], memoryBytes: number, imageBytes: number): string | undefined {
  let end = 0;
  let total = 0;
  for (const { start, bytes } of runs) {
    if (start % IMAGE_CHUNK_BYTES !== 0 || bytes % IMAGE_CHUNK_BYTES !== 0 || bytes === 0) return `a run of ${bytes} bytes at ${start}, not whole chunks of ${IMAGE_CHUNK_BYTES}`;
    if (start < end) return `a run at ${start} before the end of the previous one (${end})`;
    end = start + bytes;
    total += bytes;
  }
  if (end > memoryBytes) return `runs up to ${end} bytes in a memory of ${memoryBytes}`;
  if (total !== imageBytes) return `runs of ${total} bytes in all, the image holds ${imageBytes}`;
  return undefined;
}
