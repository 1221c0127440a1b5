// Writing a snapshot file atomically and reading one back with every check of format.ts.
//
// A write goes to a temporary file beside the target, is fsynced, renamed over the target, and the
// directory is fsynced: a crash at any moment leaves the old snapshot or the new one, never a mix
// (at worst a stray temporary file, which removeStaleTemporaries deletes).
import { randomUUID } from "node:crypto";
import { open, readdir, rename, rm, stat, type FileHandle } from "node:fs/promises";
import { basename, dirname, join } from "node:path";
import { crc32 } from "node:zlib";
import { SnapshotError } from "./errors.js";
import { CRC_BYTES, PREFIX_BYTES, decodeHeader, decodePrefix, encodePrefix, fileBytes, type SnapshotHeader } from "./format.js";

/** Bytes per read or write call: fs refuses more than 2 GiB at once, and the CRC runs per chunk. */
const CHUNK_BYTES = 64 << 20;
/** Chunk reads a section keeps in flight (libuv's thread pool runs four by default). */
const READS_IN_FLIGHT = 4;

export interface SnapshotSection {
  name: string;
  bytes: Uint8Array;
}

/** Writes header and sections to `path` atomically; resolves to the file's size in bytes. */
export async function writeSnapshotFile(path: string, header: Omit<SnapshotHeader, "sections">, sections: SnapshotSection[]): Promise<number> {
  const full: SnapshotHeader = { ...header, sections: sections.map(({ name, bytes }) => ({ name, bytes: bytes.byteLength })) };
  const json = Buffer.from(JSON.stringify(full), "utf8");
  const head = Buffer.concat([encodePrefix(json.byteLength), json]);
  const temporary = join(dirname(path), `${temporaryPrefix(path)}${randomUUID().slice(0, 8)}.tmp`);
  const file = await open(temporary, "wx").catch((error: NodeJS.ErrnoException) => {
    // Name the snapshot, not the temporary file beside it (say, its directory is missing).
    throw Object.assign(new Error(`cannot write snapshot ${path}: ${error.message}`, { cause: error }), { code: error.code });
  });
  try {
    try {
      await writeAll(file, head);
      await writeAll(file, crcBytes(crc32(head)));
      let bodyCrc = 0;
      for (const { bytes } of sections) {
        for (let at = 0; at < bytes.byteLength; at += CHUNK_BYTES) {
          const chunk = bytes.subarray(at, at + CHUNK_BYTES);
          bodyCrc = crc32(chunk, bodyCrc);
          await writeAll(file, chunk);
        }
      }
      await writeAll(file, crcBytes(bodyCrc));
      await file.sync();
    } finally {
      await file.close();
    }
    await rename(temporary, path);
  } catch (error) {
    // A write, the close or the rename failed (say, `path` is a directory): leave no temporary behind.
    await rm(temporary, { force: true });
    throw error;
  }
  await syncDirectory(dirname(path));
  return fileBytes(full, json.byteLength);
}

/** Deletes temporary files a write to `path` left when its process died mid-write. */
export async function removeStaleTemporaries(path: string): Promise<void> {
  const prefix = temporaryPrefix(path);
  const names = await readdir(dirname(path)).catch(() => []);
  for (const name of names) if (name.startsWith(prefix) && name.endsWith(".tmp")) await rm(join(dirname(path), name), { force: true });
}

function temporaryPrefix(path: string): string {
  return `.${basename(path)}.`;
}

/** A rename is durable once its directory is synced. */
async function syncDirectory(dir: string): Promise<void> {
  const handle = await open(dir, "r");
  try {
    await handle.sync();
  } finally {
    await handle.close();
  }
}

/** A write may take fewer bytes than it was given: go on until all are written. */
async function writeAll(file: FileHandle, bytes: Uint8Array): Promise<void> {
  let done = 0;
  while (done < bytes.byteLength) done += (await file.write(bytes, done, bytes.byteLength - done)).bytesWritten;
}

function crcBytes(crc: number): Buffer {
  const bytes = Buffer.alloc(CRC_BYTES);
  bytes.writeUInt32LE(crc >>> 0);
  return bytes;
}

/** How much of the file a reader has read: its header at open, then each chunk, then the last checksum. */
export interface ReadProgress {
  bytesRead: number;
  totalBytes: number;
}

/**
 * An open snapshot whose header passed the checks: the caller looks at the header, reads the
 * sections in order (into memory of its own choosing), then calls `verify` before using them.
 */
export class SnapshotReader {
  private position: number;
  private nextSection = 0;
  private bodyCrc = 0;

  private constructor(
    readonly path: string,
    readonly header: SnapshotHeader,
    readonly bytes: number,
    private readonly file: FileHandle,
    bodyStart: number,
    private readonly chunkBytes: number,
    private readonly onProgress?: (progress: ReadProgress) => void,
  ) {
    this.position = bodyStart;
  }

  /**
   * Opens `path` and checks magic, version, header checksum and length; throws SnapshotError.
   * `chunkBytes` is the size of one read (tests make it small to have many in flight); `onProgress`
   * is told of every chunk read, for a restore of gigabytes that takes seconds.
   */
  static async open(path: string, { chunkBytes = CHUNK_BYTES, onProgress }: { chunkBytes?: number; onProgress?: (progress: ReadProgress) => void } = {}): Promise<SnapshotReader> {
    // Before opening: opening a FIFO would wait for a writer forever. A missing file stays ENOENT.
    if (!(await stat(path)).isFile()) throw new SnapshotError("unreadable", path, "it is not a regular file");
    const file = await open(path, "r").catch((error: Error) => {
      throw new SnapshotError("unreadable", path, error.message);
    });
    try {
      const size = (await file.stat()).size;
      if (size < PREFIX_BYTES) throw new SnapshotError("truncated", path, `${size} bytes, fewer than the ${PREFIX_BYTES} of a snapshot's prefix`);
      const prefix = await readExactly(file, PREFIX_BYTES, 0);
      const headerBytes = decodePrefix(prefix, path);
      const headEnd = PREFIX_BYTES + headerBytes + CRC_BYTES;
      if (size < headEnd) throw new SnapshotError("truncated", path, `${size} bytes, fewer than the ${headEnd} its header takes`);
      const head = await readExactly(file, headerBytes + CRC_BYTES, PREFIX_BYTES);
      const json = head.subarray(0, headerBytes);
      const stored = head.readUInt32LE(headerBytes);
      const computed = crc32(json, crc32(prefix)) >>> 0;
      if (stored !== computed) throw new SnapshotError("corrupt", path, `the header's checksum is ${hex(stored)}, its bytes give ${hex(computed)}`);
      const header = decodeHeader(json, path);
      const expected = fileBytes(header, headerBytes);
      if (size < expected) throw new SnapshotError("truncated", path, `${size} bytes, its header declares ${expected}`);
      if (size > expected) throw new SnapshotError("corrupt", path, `${size} bytes, its header declares ${expected}`);
      return new SnapshotReader(path, header, size, file, headEnd, chunkBytes, onProgress);
    } catch (error) {
      await file.close();
      throw error instanceof SnapshotError ? error : new SnapshotError("unreadable", path, (error as Error).message);
    }
  }

  /** Reads the next section, which must be `name`, into a new buffer. */
  async read(name: string): Promise<Uint8Array> {
    const target = new Uint8Array(this.section(name).bytes);
    await this.readInto(name, [target]);
    return target;
  }

  /** Reads the next section, which must be `name`, into `targets` in order (its size in all). */
  async readInto(name: string, targets: readonly Uint8Array[]): Promise<void> {
    const section = this.section(name);
    const total = targets.reduce((sum, target) => sum + target.byteLength, 0);
    if (total !== section.bytes) throw new RangeError(`section "${name}" has ${section.bytes} bytes, the targets ${total}`);
    const chunks: Uint8Array[] = [];
    const positions: number[] = [];
    let position = this.position;
    for (const target of targets) {
      for (let at = 0; at < target.byteLength; at += this.chunkBytes) {
        chunks.push(target.subarray(at, Math.min(at + this.chunkBytes, target.byteLength)));
        positions.push(position + at);
      }
      position += target.byteLength;
    }
    // Several reads in flight: filling fresh memory is bound by page faults, which the reads of the
    // thread pool take in parallel; the checksum follows in file order.
    const reads = new Map<number, Promise<void>>();
    let issued = 0;
    try {
      for (let next = 0; next < chunks.length; next++) {
        for (; issued < chunks.length && issued < next + READS_IN_FLIGHT; issued++) reads.set(issued, readInto(this.file, chunks[issued]!, positions[issued]!));
        await reads.get(next);
        reads.delete(next);
        this.bodyCrc = crc32(chunks[next]!, this.bodyCrc);
        // Chunks lie in file order, each right after the one before.
        this.onProgress?.({ bytesRead: positions[next]! + chunks[next]!.byteLength, totalBytes: this.bytes });
      }
    } finally {
      // A failed read leaves none behind that would write into a target later.
      await Promise.allSettled(reads.values());
    }
    this.position = position;
    this.nextSection++;
  }

  private section(name: string): SnapshotHeader["sections"][number] {
    const section = this.header.sections[this.nextSection];
    if (section?.name !== name) {
      throw new SnapshotError("corrupt", this.path, `section ${this.nextSection} is ${section ? `"${section.name}"` : "missing"}, expected "${name}"`);
    }
    return section;
  }

  /** After every section was read: throws unless the body's checksum matches. */
  async verify(): Promise<void> {
    if (this.nextSection !== this.header.sections.length) throw new Error(`profile-store: ${this.header.sections.length - this.nextSection} snapshot sections left unread`);
    const stored = (await readExactly(this.file, CRC_BYTES, this.position)).readUInt32LE(0);
    this.onProgress?.({ bytesRead: this.position + CRC_BYTES, totalBytes: this.bytes });
    const computed = this.bodyCrc >>> 0;
    if (stored !== computed) throw new SnapshotError("corrupt", this.path, `the state's checksum is ${hex(stored)}, its bytes give ${hex(computed)}`);
  }

  close(): Promise<void> {
    return this.file.close();
  }
}

async function readExactly(file: FileHandle, length: number, position: number): Promise<Buffer> {
  const buffer = Buffer.alloc(length);
  await readInto(file, buffer, position);
  return buffer;
}

/** Fills `target` from `position` on; the length was checked against the file's size beforehand. */
async function readInto(file: FileHandle, target: Uint8Array, position: number): Promise<void> {
  let done = 0;
  while (done < target.byteLength) {
    const { bytesRead } = await file.read(target, done, target.byteLength - done, position + done);
    if (bytesRead === 0) throw new Error(`profile-store: the snapshot file ended early while reading at ${position + done} (changed while being read?)`);
    done += bytesRead;
  }
}

function hex(value: number): string {
  return `0x${value.toString(16).padStart(8, "0")}`;
}
