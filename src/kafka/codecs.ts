// Record values on Kafka (docs/data.md#kafka-wire-encodings): JSON, or Avro binary in the Confluent framing (magic
// byte 0, 4-byte big-endian schema id, then the datum). The seed's Avro layouts are fixed, so a small
// zig-zag varint reader and writer replace a schema library; bench/kafka.ts measures them against avsc.
import type { Chart, EventBatch, TimestampUnit } from "../types.js";
import { toEpochMillis } from "../validation.js";

export type ValueFormat = "json" | "avro";
/** How to read values: one format, or "auto" to tell them apart by the magic byte. */
export type ReadFormat = ValueFormat | "auto";

export const BAD_RECORD_REASONS = ["empty", "undecodable", "unknown-schema", "missing-field", "invalid-id", "invalid-timestamp"] as const;
export type BadRecordReason = (typeof BAD_RECORD_REASONS)[number];

const MAGIC = 0;
const HEADER_BYTES = 5;

/**
 * The Avro schema ids a reader accepts when not told otherwise: the one this project's producers
 * write. A value framed with another id holds some other record type (or another version), whose
 * bytes could still parse as this one, so it is bad ("unknown-schema") rather than guessed at.
 */
export const DEFAULT_SCHEMA_IDS: readonly number[] = [0];

/** The Avro schema ids a consumer accepts: of ListeningEvent on the events topic, of Item on the name topics. */
export interface AvroSchemaIds {
  events: readonly number[];
  items: readonly number[];
}

/** An 8-byte big-endian long, as Kafka's LongSerializer writes it (keys and the metric topics' values). */
export function encodeLong(value: number): Buffer {
  const bytes = Buffer.allocUnsafe(8);
  bytes.writeUInt32BE(Math.floor(value / 2 ** 32), 0);
  bytes.writeUInt32BE(value >>> 0, 4);
  return bytes;
}

// The Avro reader's position in the value being read: module state rather than an object, so that
// decoding allocates nothing and the hot loop touches only locals and one variable.
let pos = 0;

/** Checks the framing and the schema id and moves to the datum; returns why the value is bad, or undefined. */
function startAvro(value: Buffer, schemaIds: readonly number[]): BadRecordReason | undefined {
  pos = HEADER_BYTES;
  if (value.length < HEADER_BYTES || value[0] !== MAGIC) return "undecodable";
  return schemaIds.includes(value.readUInt32BE(1)) ? undefined : "unknown-schema";
}

/**
 * A zig-zag varint long; NaN when cut short or longer than 10 bytes. Exact while the magnitude
 * stays below 2^53: the magnitude is summed from 7-bit groups, each an exact double.
 */
function readLong(bytes: Uint8Array): number {
  const end = bytes.length;
  if (pos >= end) return NaN;
  let byte = bytes[pos++];
  if (byte < 0x80) return byte & 1 ? -(byte >>> 1) - 1 : byte >>> 1;
  const negative = byte & 1;
  let magnitude = (byte & 0x7f) >>> 1;
  for (let scale = 64; byte & 0x80; scale *= 128) {
    if (pos >= end || scale > 2 ** 62) return NaN;
    byte = bytes[pos++];
    magnitude += (byte & 0x7f) * scale;
  }
  return negative ? -magnitude - 1 : magnitude;
}

/** A length-prefixed UTF-8 string; undefined when cut short. */
function readString(bytes: Buffer): string | undefined {
  const length = readLong(bytes);
  if (!(length >= 0) || pos + length > bytes.length) return undefined;
  const text = bytes.toString("utf8", pos, pos + length);
  pos += length;
  return text;
}

function isAvro(value: Uint8Array, format: ReadFormat): boolean {
  return format === "avro" || (format === "auto" && value[0] === MAGIC);
}

function isId(value: unknown): value is number {
  return typeof value === "number" && value >= 0 && value <= Number.MAX_SAFE_INTEGER && Number.isInteger(value);
}

/**
 * Decodes one listening event into row `row` of `out`, its timestamp written as epoch ms (Avro's is
 * timestamp-millis; JSON's is read in `unit`); returns why the record is bad, or undefined. Avro
 * values must carry one of `schemaIds`.
 */
export function decodeEvent(
  value: Buffer | null,
  format: ReadFormat,
  unit: TimestampUnit,
  out: EventBatch,
  row: number,
  schemaIds = DEFAULT_SCHEMA_IDS,
): BadRecordReason | undefined {
  if (value === null || value.length === 0) return "empty";
  if (!isAvro(value, format)) return readJsonEvent(value, unit, out, row);
  const framing = startAvro(value, schemaIds);
  if (framing) return framing;
  // Written out rather than looped over the field names: this is the hottest code of the consumer.
  const userId = (out.userId[row] = readLong(value));
  const artistId = (out.artistId[row] = readLong(value));
  const albumId = (out.albumId[row] = readLong(value));
  const trackId = (out.trackId[row] = readLong(value));
  const timestamp = readLong(value);
  if (pos !== value.length || Number.isNaN(userId + artistId + albumId + trackId + timestamp)) return "undecodable";
  return checkEvent(userId, artistId, albumId, trackId, (out.timestamp[row] = toEpochMillis(timestamp, "ms")));
}

function checkEvent(userId: unknown, artistId: unknown, albumId: unknown, trackId: unknown, millis: number) {
  if (!(isId(userId) && isId(artistId) && isId(albumId) && isId(trackId))) return "invalid-id";
  return Number.isNaN(millis) ? "invalid-timestamp" : undefined;
}

function readJsonEvent(value: Buffer, unit: TimestampUnit, out: EventBatch, row: number): BadRecordReason | undefined {
  const event = parseJsonObject(value);
  if (event === undefined) return "undecodable";
  const { userId, artistId, albumId, trackId, timestamp } = event;
  if (userId === undefined || artistId === undefined || albumId === undefined || trackId === undefined || timestamp === undefined) {
    return "missing-field";
  }
  const millis = toEpochMillis(timestamp, unit);
  const problem = checkEvent(userId, artistId, albumId, trackId, millis);
  if (problem) return problem;
  out.userId[row] = userId as number;
  out.artistId[row] = artistId as number;
  out.albumId[row] = albumId as number;
  out.trackId[row] = trackId as number;
  out.timestamp[row] = millis;
  return undefined;
}

function parseJsonObject(value: Buffer): Record<string, unknown> | undefined {
  try {
    const parsed: unknown = JSON.parse(value.toString("utf8"));
    return typeof parsed === "object" && parsed !== null && !Array.isArray(parsed) ? (parsed as Record<string, unknown>) : undefined;
  } catch {
    return undefined;
  }
}

/** Decodes an `Item {id, name}`; returns [id, name], or why the record is bad. Avro values must carry one of `schemaIds`. */
export function decodeItem(value: Buffer | null, format: ReadFormat, schemaIds = DEFAULT_SCHEMA_IDS): [number, string] | BadRecordReason {
  if (value === null || value.length === 0) return "empty";
  let id: unknown;
  let name: unknown;
  if (isAvro(value, format)) {
    const framing = startAvro(value, schemaIds);
    if (framing) return framing;
    id = readLong(value);
    name = readString(value);
    if (Number.isNaN(id) || name === undefined || pos !== value.length) return "undecodable";
  } else {
    const item = parseJsonObject(value);
    if (item === undefined) return "undecodable";
    if (item.id === undefined || typeof item.name !== "string") return "missing-field";
    ({ id, name } = item);
  }
  return isId(id) ? [id, name as string] : "invalid-id";
}

/** Writes Avro data into a growing scratch buffer; `finish` copies out one framed value. */
class AvroWriter {
  private bytes = Buffer.allocUnsafe(256);
  private pos = 0;

  begin(schemaId: number): this {
    this.pos = 0;
    this.reserve(HEADER_BYTES);
    this.bytes[0] = MAGIC;
    this.bytes.writeUInt32BE(schemaId, 1);
    this.pos = HEADER_BYTES;
    return this;
  }

  /** Zig-zag varint of a non-negative safe integer (every long this project writes is one). */
  long(value: number): this {
    this.reserve(10);
    let rest = value * 2;
    while (rest >= 128) {
      this.bytes[this.pos++] = (rest % 128) | 0x80;
      rest = Math.floor(rest / 128);
    }
    this.bytes[this.pos++] = rest;
    return this;
  }

  string(text: string): this {
    const length = Buffer.byteLength(text);
    this.long(length);
    this.reserve(length);
    this.pos += this.bytes.write(text, this.pos);
    return this;
  }

  finish(): Buffer {
    return Buffer.from(this.bytes.subarray(0, this.pos));
  }

  private reserve(count: number): void {
    if (this.pos + count <= this.bytes.length) return;
    const larger = Buffer.allocUnsafe(Math.max(2 * this.bytes.length, this.pos + count));
    this.bytes.copy(larger, 0, 0, this.pos);
    this.bytes = larger;
  }
}

const writer = new AvroWriter();

/** A listening event value; ids and the epoch-ms timestamp are non-negative safe integers. */
export function encodeEvent(
  userId: number,
  artistId: number,
  albumId: number,
  trackId: number,
  timestamp: number,
  format: ValueFormat,
  schemaId = 0,
): Buffer {
  if (format === "json") return Buffer.from(JSON.stringify({ userId, artistId, albumId, trackId, timestamp }));
  return writer.begin(schemaId).long(userId).long(artistId).long(albumId).long(trackId).long(timestamp).finish();
}

export function encodeItem(id: number, name: string, format: ValueFormat, schemaId = 0): Buffer {
  if (format === "json") return Buffer.from(JSON.stringify({ id, name }));
  return writer.begin(schemaId).long(id).string(name).finish();
}

/** A `Charts {topK: [{id, countPlays}]}` value; names are left out, as the seed's chart topics have none. */
export function encodeCharts(chart: Chart, format: ValueFormat, schemaId = 0): Buffer {
  if (format === "json") {
    return Buffer.from(JSON.stringify({ topK: chart.topK.map(({ id, countPlays }) => ({ id, countPlays })) }));
  }
  writer.begin(schemaId);
  // An Avro array is blocks of (count, items), closed by a block of count 0; one block suffices.
  if (chart.topK.length > 0) writer.long(chart.topK.length);
  for (const { id, countPlays } of chart.topK) writer.long(id).long(countPlays);
  return writer.long(0).finish();
}
