// The walk's random numbers, bit-for-bit the same as assembly/random.ts (mulberry32), so the
// reference and the wasm kernels walk identically for the same seed; the generator draws from it too.

const TWO_POW_32 = 4294967296;

/** resetProbability as the threshold a 32-bit draw is compared against (draw < threshold resets). */
export function resetThreshold(resetProbability: number): number {
  return Math.min(TWO_POW_32, Math.floor(resetProbability * TWO_POW_32));
}

export class Mulberry32 {
  private state: number;

  constructor(seed: number) {
    this.state = seed >>> 0;
  }

  next(): number {
    this.state = (this.state + 0x6d2b79f5) >>> 0;
    let z = this.state;
    z = Math.imul(z ^ (z >>> 15), z | 1);
    z ^= z + Math.imul(z ^ (z >>> 7), z | 61);
    return (z ^ (z >>> 14)) >>> 0;
  }

  /** A draw in [0, 1). */
  uniform(): number {
    return this.next() / TWO_POW_32;
  }

  /** floor(draw * n / 2^32), computed in two 16-bit halves so no product exceeds 2^53. */
  below(n: number): number {
    const draw = this.next();
    const low = Math.floor(((draw & 0xffff) * n) / 65536);
    return Math.floor(((draw >>> 16) * n + low) / 65536);
  }
}
