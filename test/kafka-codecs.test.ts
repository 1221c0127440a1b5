// The hand-written Kafka codecs against avsc with the seed's schemas, plus the edges avsc cannot
// reach (longs beyond 2^53, malformed varints). Needs no broker.
import { describe, expect, it } from "vitest";
import { chartsType, framed, itemType, listeningEventType } from "../bench/seed-schemas.js";
import { Mulberry32 } from "../src/engine/random.js";
import { allocateBatch } from "../src/ingest/batch.js";
import { MAX_TIMESTAMP_MS } from "../src/validation.js";
import { decodeEvent, decodeItem, encodeCharts, encodeEvent, encodeItem, encodeLong } from "../src/kafka/codecs.js";
import type { ListeningEvent } from "../src/types.js";

const random = new Mulberry32(7);
/** Up to 2^52, inside avsc's safe range, with every varint length from 1 to 8 bytes. */
const randomLong = () => Math.floor((random.next() / 2 ** 32) * 2 ** Math.floor((random.next() / 2 ** 32) * 53));
const randomEvent = (): ListeningEvent => ({
  userId: randomLong(),
  artistId: randomLong(),
  albumId: randomLong(),
  trackId: randomLong(),
  timestamp: randomLong() % MAX_TIMESTAMP_MS,
});

function decoded(value: Buffer | null, format: "json" | "avro" | "auto" = "auto", schemaIds?: number[]) {
  const out = allocateBatch(1);
  const reason = decodeEvent(value, format, "ms", out, 0, schemaIds);
  if (reason) return reason;
  return { userId: out.userId[0], artistId: out.artistId[0], albumId: out.albumId[0], trackId: out.trackId[0], timestamp: out.timestamp[0] };
}

/** A framed ListeningEvent whose userId is given as raw zig-zag varint bytes. */
function eventWithUserIdBytes(varint: number[]): Buffer {
  const rest = listeningEventType.toBuffer({ userId: 0, artistId: 1, albumId: 2, trackId: 3, timestamp: 4 }).subarray(1);
  return framed(Buffer.concat([Buffer.from(varint), rest]));
}

/** Zig-zag varint bytes of a non-negative bigint. */
function varint(value: bigint): number[] {
  const bytes: number[] = [];
  let rest = value * 2n;
  while (rest >= 128n) {
    bytes.push(Number(rest % 128n) | 0x80);
    rest /= 128n;
  }
  bytes.push(Number(rest));
  return bytes;
}

describe("listening event codec", () => {
  it("decodes what avsc encodes and encodes what avsc decodes", () => {
    for (let i = 0; i < 2000; i++) {
      const event = randomEvent();
      expect(decoded(framed(listeningEventType.toBuffer(event)))).toEqual(event);
      const ours = encodeEvent(event.userId, event.artistId, event.albumId, event.trackId, event.timestamp, "avro", 42);
      expect(ours.readUInt32BE(1)).toBe(42);
      expect(listeningEventType.fromBuffer(ours.subarray(5))).toEqual(event);
    }
  });

  it("reads ids exactly up to 2^53-1 and rejects larger or negative ones", () => {
    const max = BigInt(Number.MAX_SAFE_INTEGER);
    expect(decoded(eventWithUserIdBytes(varint(max)))).toMatchObject({ userId: Number.MAX_SAFE_INTEGER });
    expect(decoded(eventWithUserIdBytes(varint(max - 1n)))).toMatchObject({ userId: Number.MAX_SAFE_INTEGER - 1 });
    expect(decoded(eventWithUserIdBytes(varint(max + 1n)))).toBe("invalid-id");
    expect(decoded(eventWithUserIdBytes(varint(2n ** 63n - 1n)))).toBe("invalid-id");
    expect(decoded(eventWithUserIdBytes([0x01]))).toBe("invalid-id"); // zig-zag 1 is -1
  });

  it("round-trips the largest safe ids through our encoder", () => {
    const id = Number.MAX_SAFE_INTEGER;
    const at = MAX_TIMESTAMP_MS;
    expect(decoded(encodeEvent(id, id, id, id, at, "avro"))).toEqual({ userId: id, artistId: id, albumId: id, trackId: id, timestamp: at });
  });

  it("calls malformed Avro undecodable", () => {
    const good = encodeEvent(1, 2, 3, 4, 5, "avro");
    expect(decoded(good.subarray(0, good.length - 1))).toBe("undecodable"); // cut short
    expect(decoded(Buffer.concat([good, Buffer.from([0])]))).toBe("undecodable"); // trailing bytes
    expect(decoded(eventWithUserIdBytes(new Array(10).fill(0x80).concat(1)))).toBe("undecodable"); // 11-byte varint
    expect(decoded(Buffer.from([0, 0, 0]), "avro")).toBe("undecodable"); // framing cut short
    expect(decoded(Buffer.from('{"userId":1}'), "avro")).toBe("undecodable"); // no magic byte
    expect(decoded(Buffer.alloc(0))).toBe("empty");
    expect(decoded(null)).toBe("empty");
  });

  it("takes Avro only with an accepted schema id (default 0), and calls any other id unknown-schema", () => {
    const event = { userId: 1, artistId: 2, albumId: 3, trackId: 4, timestamp: 5 };
    const withId = (schemaId: number) => encodeEvent(1, 2, 3, 4, 5, "avro", schemaId);
    expect(decoded(withId(0))).toEqual(event);
    expect(decoded(withId(1))).toBe("unknown-schema");
    expect(decoded(withId(2 ** 32 - 1), "avro")).toBe("unknown-schema");
    // An Item framed as Avro is five bytes of header and a datum that could pass for an event's.
    expect(decoded(framed(itemType.toBuffer({ id: 1, name: "abc" }), 3), "auto", [7])).toBe("unknown-schema");
    expect(decoded(withId(7), "auto", [7, 9])).toEqual(event);
    expect(decoded(withId(9), "avro", [7, 9])).toEqual(event);
    expect(decoded(withId(0), "auto", [7, 9])).toBe("unknown-schema");
    expect(decoded(Buffer.from([0, 0, 0, 0]), "avro", [0])).toBe("undecodable"); // framing cut short comes first
  });

  it("reads JSON, and tells the reason for bad JSON", () => {
    const event = { userId: 402, artistId: 7, albumId: 17147, trackId: 44975, timestamp: 1568052379 };
    expect(decoded(Buffer.from(JSON.stringify(event)))).toEqual(event);
    expect(decoded(encodeEvent(1, 2, 3, 4, 5, "json"), "json")).toEqual({ userId: 1, artistId: 2, albumId: 3, trackId: 4, timestamp: 5 });
    const bad = (value: object | string) => decoded(Buffer.from(typeof value === "string" ? value : JSON.stringify(value)), "json");
    expect(bad("{not json")).toBe("undecodable");
    expect(bad("[1,2,3,4,5]")).toBe("undecodable");
    expect(bad({ ...event, trackId: undefined })).toBe("missing-field");
    expect(bad({ ...event, userId: "402" })).toBe("invalid-id");
    expect(bad({ ...event, artistId: 1.5 })).toBe("invalid-id");
    expect(bad({ ...event, albumId: 2 ** 53 })).toBe("invalid-id");
    expect(bad({ ...event, timestamp: -1 })).toBe("invalid-timestamp");
    expect(bad({ ...event, timestamp: null })).toBe("invalid-timestamp");
    expect(decoded(encodeEvent(1, 2, 3, 4, 5, "avro"), "json")).toBe("undecodable");
  });

  it("hands over epoch ms: Avro's timestamp-millis as they are, JSON's read in the given unit", () => {
    const out = allocateBatch(1);
    const avro = encodeEvent(1, 2, 3, 4, 1_400_000_000, "avro");
    for (const unit of ["ms", "s", "auto"] as const) {
      expect(decodeEvent(avro, "auto", unit, out, 0)).toBeUndefined();
      expect(out.timestamp[0]).toBe(1_400_000_000);
    }
    const json = encodeEvent(1, 2, 3, 4, 1_400_000_000, "json");
    expect(decodeEvent(json, "auto", "s", out, 0)).toBeUndefined();
    expect(out.timestamp[0]).toBe(1_400_000_000_000);
    expect(decodeEvent(json, "auto", "ms", out, 0)).toBeUndefined();
    expect(out.timestamp[0]).toBe(1_400_000_000);
    // Microseconds of today read as ms land beyond the year 9999.
    expect(decodeEvent(encodeEvent(1, 2, 3, 4, 1_700_000_000_000_000, "avro"), "auto", "ms", out, 0)).toBe("invalid-timestamp");
  });
});

describe("item codec", () => {
  it("agrees with avsc, including non-ASCII names", () => {
    for (const item of [{ id: 0, name: "" }, { id: 123456789, name: "Sigur Rós" }, { id: 2 ** 40, name: "東京事変 \"live\"" }]) {
      expect(decodeItem(framed(itemType.toBuffer(item)), "auto")).toEqual([item.id, item.name]);
      expect(itemType.fromBuffer(encodeItem(item.id, item.name, "avro").subarray(5))).toEqual(item);
      expect(decodeItem(encodeItem(item.id, item.name, "json"), "auto")).toEqual([item.id, item.name]);
    }
  });

  it("tells the reason for bad items", () => {
    const avro = encodeItem(5, "name", "avro");
    expect(decodeItem(avro.subarray(0, avro.length - 2), "avro")).toBe("undecodable");
    expect(decodeItem(Buffer.from('{"id":5}'), "json")).toBe("missing-field");
    expect(decodeItem(Buffer.from('{"id":-5,"name":"x"}'), "json")).toBe("invalid-id");
    expect(decodeItem(null, "json")).toBe("empty");
  });

  it("takes Avro items only with an accepted schema id (default 0)", () => {
    expect(decodeItem(encodeItem(5, "name", "avro"), "auto")).toEqual([5, "name"]);
    expect(decodeItem(encodeItem(5, "name", "avro", 3), "auto")).toBe("unknown-schema");
    expect(decodeItem(encodeItem(5, "name", "avro", 3), "avro", [3])).toEqual([5, "name"]);
    expect(decodeItem(encodeItem(5, "name", "avro"), "avro", [3])).toBe("unknown-schema");
    expect(decodeItem(encodeItem(5, "name", "json"), "auto", [3])).toEqual([5, "name"]); // JSON has no schema id
  });
});

describe("charts and long codecs", () => {
  it("writes Charts as avsc reads them, names left out", () => {
    const chart = { topK: [{ id: 7, countPlays: 12, name: "x" }, { id: 2 ** 40, countPlays: 1 }] };
    expect(chartsType.fromBuffer(encodeCharts(chart, "avro").subarray(5))).toEqual({ topK: [{ id: 7, countPlays: 12 }, { id: 2 ** 40, countPlays: 1 }] });
    expect(chartsType.fromBuffer(encodeCharts({ topK: [] }, "avro").subarray(5))).toEqual({ topK: [] });
    expect(JSON.parse(encodeCharts(chart, "json").toString())).toEqual({ topK: [{ id: 7, countPlays: 12 }, { id: 2 ** 40, countPlays: 1 }] });
  });

  it("writes longs as 8 big-endian bytes, like Kafka's LongSerializer", () => {
    for (const value of [0, 1, 255, 2 ** 32 - 1, 2 ** 32, 1568052379000, Number.MAX_SAFE_INTEGER]) {
      const bytes = encodeLong(value);
      expect(bytes.length).toBe(8);
      expect(bytes.readBigInt64BE()).toBe(BigInt(value));
    }
  });
});
