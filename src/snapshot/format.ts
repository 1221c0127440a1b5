// The snapshot file format, version 2 (version 1 held the whole wasm memory; version 2 leaves out
// its zero chunks, see src/engine/memory-image.ts). All integers little-endian:
//
//   magic        8 bytes  "PSTORSNP"
//   version      u32      SNAPSHOT_FORMAT_VERSION
//   headerBytes  u32      length of the header
//   header       JSON     SnapshotHeader (UTF-8)
//   headerCrc    u32      CRC-32 of everything above
//   sections     bytes    the header's `sections`, in order, back to back
//   bodyCrc      u32      CRC-32 of the sections
//
// The header is checked before any state is read, so a foreign or mismatched snapshot is refused
// cheaply; the body's checksum is checked before the restored store is handed out.
import { z } from "zod";
import { SnapshotError } from "./errors.js";

export const SNAPSHOT_MAGIC = Buffer.from("PSTORSNP", "latin1");
export const SNAPSHOT_FORMAT_VERSION = 2;
/** Magic, version and header length. */
export const PREFIX_BYTES = 16;
export const CRC_BYTES = 4;
/** A header is a few kilobytes (offsets of many partitions at most): a larger length is corruption. */
const MAX_HEADER_BYTES = 16 << 20;

const count = z.number().int().min(0).max(Number.MAX_SAFE_INTEGER);

const headerSchema = z.object({
  createdAt: count,
  engine: z.object({
    kind: z.enum(["wasm", "reference"]),
    /** Identity of the code that wrote the state: the wasm module's hash, or the reference's state version. */
    build: z.string(),
    chartSize: count,
    maxEdgesPerGraph: count,
    /** What the engine checks before it restores (wasm: addresses its start function computes). */
    layout: z.record(z.string(), z.unknown()),
  }),
  events: z.object({ accepted: count, rejected: count }),
  sections: z.array(z.object({ name: z.string(), bytes: count })),
  /** What the writer adds beside the store's state (the service: its data source and Kafka offsets). */
  attachment: z.unknown().optional(),
});

export type SnapshotHeader = z.infer<typeof headerSchema>;

export function encodePrefix(headerBytes: number): Buffer {
  const prefix = Buffer.alloc(PREFIX_BYTES);
  SNAPSHOT_MAGIC.copy(prefix, 0);
  prefix.writeUInt32LE(SNAPSHOT_FORMAT_VERSION, 8);
  prefix.writeUInt32LE(headerBytes, 12);
  return prefix;
}

/** The header's length, from a prefix that is known to be PREFIX_BYTES long; refuses foreign files and versions. */
export function decodePrefix(prefix: Buffer, path: string): number {
  if (!prefix.subarray(0, 8).equals(SNAPSHOT_MAGIC)) {
    throw new SnapshotError("not-a-snapshot", path, `it starts with 0x${prefix.subarray(0, 8).toString("hex")}, not 0x${SNAPSHOT_MAGIC.toString("hex")} ("${SNAPSHOT_MAGIC.toString("latin1")}")`);
  }
  const version = prefix.readUInt32LE(8);
  if (version !== SNAPSHOT_FORMAT_VERSION) {
    throw new SnapshotError("format-version", path, `format version ${version}; this build reads version ${SNAPSHOT_FORMAT_VERSION} only`);
  }
  const headerBytes = prefix.readUInt32LE(12);
  if (headerBytes > MAX_HEADER_BYTES) throw new SnapshotError("corrupt", path, `a header of ${headerBytes} bytes, more than ${MAX_HEADER_BYTES}`);
  return headerBytes;
}

/** Parses a header whose checksum matched: a mismatch now means another writer, so it is refused as corrupt. */
export function decodeHeader(json: Buffer, path: string): SnapshotHeader {
  let value: unknown;
  try {
    value = JSON.parse(json.toString("utf8"));
  } catch (error) {
    throw new SnapshotError("corrupt", path, `its header is not JSON (${(error as Error).message})`);
  }
  const parsed = headerSchema.safeParse(value);
  if (!parsed.success) throw new SnapshotError("corrupt", path, `its header is not a snapshot header: ${z.prettifyError(parsed.error)}`);
  return parsed.data;
}

/** Bytes of the whole file the header describes. */
export function fileBytes(header: SnapshotHeader, headerBytes: number): number {
  return PREFIX_BYTES + headerBytes + CRC_BYTES + bodyBytes(header) + CRC_BYTES;
}

export function bodyBytes(header: SnapshotHeader): number {
  return header.sections.reduce((sum, section) => sum + section.bytes, 0);
}
