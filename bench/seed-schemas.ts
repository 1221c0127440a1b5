// The seed's Avro schemas (namespace io.d9p.demo.avro), for avsc: the reference the hand-written
// codecs in src/kafka/codecs.ts are measured and tested against.
import avro from "avsc";

const namespace = "io.d9p.demo.avro";

export const listeningEventType = avro.Type.forSchema({
  type: "record",
  name: "ListeningEvent",
  namespace,
  fields: [
    { name: "userId", type: "long" },
    { name: "artistId", type: "long" },
    { name: "albumId", type: "long" },
    { name: "trackId", type: "long" },
    { name: "timestamp", type: { type: "long", logicalType: "timestamp-millis" } },
  ],
});

export const itemType = avro.Type.forSchema({
  type: "record",
  name: "Item",
  namespace,
  fields: [
    { name: "id", type: "long" },
    { name: "name", type: "string" },
  ],
});

export const chartsType = avro.Type.forSchema({
  type: "record",
  name: "Charts",
  namespace,
  fields: [
    {
      name: "topK",
      type: {
        type: "array",
        items: { type: "record", name: "ChartRecord", fields: [{ name: "id", type: "long" }, { name: "countPlays", type: "long" }] },
      },
    },
  ],
});

/** A value in the Confluent framing: magic byte 0, 4-byte big-endian schema id, the Avro datum. */
export function framed(datum: Buffer, schemaId = 0): Buffer {
  const header = Buffer.alloc(5);
  header.writeUInt32BE(schemaId, 1);
  return Buffer.concat([header, datum]);
}
