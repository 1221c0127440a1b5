// Item names in a snapshot section: per field (FIELDS order) a u32 count, then per name its id as
// an f64, its UTF-8 length as a u32 and its bytes; little-endian. Binary rather than JSON: LFM-1b
// has tens of millions of names, more than one JavaScript string may hold.
import { FIELDS, type Field } from "../types.js";

export type ItemNames = Record<Field, Map<number, string>>;

export function encodeNames(names: ItemNames): Uint8Array {
  let bytes = 0;
  for (const field of FIELDS) {
    bytes += 4;
    for (const name of names[field].values()) bytes += 12 + Buffer.byteLength(name, "utf8");
  }
  const out = Buffer.allocUnsafe(bytes);
  let at = 0;
  for (const field of FIELDS) {
    at = out.writeUInt32LE(names[field].size, at);
    for (const [id, name] of names[field]) {
      at = out.writeDoubleLE(id, at);
      const length = out.write(name, at + 4, "utf8");
      out.writeUInt32LE(length, at);
      at += 4 + length;
    }
  }
  return out;
}

/** The names of a section whose checksum matched (so it is read as written). */
export function decodeNames(bytes: Uint8Array): ItemNames {
  const input = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const names: ItemNames = { ARTIST: new Map(), ALBUM: new Map(), TRACK: new Map() };
  let at = 0;
  for (const field of FIELDS) {
    const count = input.readUInt32LE(at);
    at += 4;
    const target = names[field];
    for (let i = 0; i < count; i++) {
      const id = input.readDoubleLE(at);
      const length = input.readUInt32LE(at + 8);
      target.set(id, input.toString("utf8", at + 12, at + 12 + length));
      at += 12 + length;
    }
  }
  return names;
}
