// The wasm engine's snapshot is its linear memory alone (src/engine/wasm-engine.ts), which is sound
// only while every mutable global of the kernels is set by the start function and init, or before
// each use. This counts them, so that a new one cannot slip in without that question being asked.
import { readFileSync } from "node:fs";
import { expect, it } from "vitest";

/** Mutable globals as the snapshot's reasoning checked them: the heap's root and its lock's address,
 *  the kernel's addresses (ingest's touch sink and the ingest context among them: allocated by the
 *  start function, the sink's contents never read), `~started`, the walk's random state and a math
 *  temporary. (The ingest helper's instance adopts the owner's values; it is never snapshotted.) */
const KNOWN_MUTABLE_GLOBALS = 15;

/** Reads an unsigned LEB128 at `at`: [value, next position]. */
function leb(bytes: Uint8Array, at: number): [number, number] {
  let value = 0;
  let shift = 0;
  for (;;) {
    const byte = bytes[at++]!;
    value += (byte & 0x7f) * 2 ** shift;
    shift += 7;
    if (byte < 0x80) return [value, at];
  }
}

/** Skips a constant expression: one instruction of those a global's initializer may hold, then `end`. */
function skipInitializer(bytes: Uint8Array, at: number): number {
  const opcode = bytes[at++]!;
  const immediateBytes: Record<number, (from: number) => number> = {
    0x41: (from) => leb(bytes, from)[1], // i32.const (signed LEB128 has the same length rule)
    0x42: (from) => leb(bytes, from)[1], // i64.const
    0x43: (from) => from + 4, // f32.const
    0x44: (from) => from + 8, // f64.const
    0x23: (from) => leb(bytes, from)[1], // global.get
  };
  const skip = immediateBytes[opcode];
  if (!skip) throw new Error(`unexpected opcode 0x${opcode.toString(16)} in a global's initializer`);
  at = skip(at);
  if (bytes[at] !== 0x0b) throw new Error("a global's initializer does not end after one instruction");
  return at + 1;
}

function mutableGlobals(wasm: Uint8Array): number {
  let at = 8; // magic and version
  while (at < wasm.length) {
    const id = wasm[at]!;
    const [size, contents] = leb(wasm, at + 1);
    if (id === 6) {
      let [count, position] = leb(wasm, contents);
      let mutable = 0;
      while (count-- > 0) {
        mutable += wasm[position + 1]!; // value type, then mutability (1 = var)
        position = skipInitializer(wasm, position + 2);
      }
      return mutable;
    }
    at = contents + size;
  }
  return 0;
}

it("the kernels hold no mutable global beyond those the snapshot's reasoning covers", () => {
  const count = mutableGlobals(readFileSync(new URL("../build/profile-store.wasm", import.meta.url)));
  expect(count, "a mutable global came or went: check that a linear memory image still holds the whole state (src/engine/wasm-engine.ts), then update KNOWN_MUTABLE_GLOBALS").toBe(KNOWN_MUTABLE_GLOBALS);
});
