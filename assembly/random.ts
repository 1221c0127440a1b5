// mulberry32: a tiny seedable 32-bit generator, bit-for-bit the same as the TypeScript reference's.
let state: u32 = 0;

export function seedRandom(seed: u32): void {
  state = seed;
}

@inline export function nextRandom(): u32 {
  state += 0x6d2b79f5;
  let z = state;
  z = (z ^ (z >>> 15)) * (z | 1);
  z ^= z + (z ^ (z >>> 7)) * (z | 61);
  return z ^ (z >>> 14);
}

/** floor(random * n / 2^32): a uniform pick in [0, n) without division. */
@inline export function randomBelow(n: u32): u32 {
  return <u32>((<u64>nextRandom() * <u64>n) >> 32);
}
