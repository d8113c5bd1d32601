// Seeded randomness in plain JavaScript, so that a seed gives the same initial weights, shuffles and
// dropout masks on every backend (tfjs's own random ops differ between backends and are not all seedable).

/** xoshiro128** (Blackman and Vigna): small, fast, and good enough for shuffling and dropout. */
export class Random {
  private s0: number;
  private s1: number;
  private s2: number;
  private s3: number;

  /** A generator for `seed` (any integer), optionally one of several independent named streams. */
  constructor(seed: number, stream = '') {
    // splitmix32 spreads seed and stream over the 128-bit state (all-zero state is impossible).
    let x = (Math.trunc(seed) ^ hashString(stream)) >>> 0;
    const next = () => {
      x = (x + 0x9e3779b9) >>> 0;
      let z = x;
      z = Math.imul(z ^ (z >>> 16), 0x85ebca6b);
      z = Math.imul(z ^ (z >>> 13), 0xc2b2ae35);
      return (z ^ (z >>> 16)) >>> 0;
    };
    this.s0 = next();
    this.s1 = next();
    this.s2 = next();
    this.s3 = next() | 1;
  }

  /** A uniformly distributed 32-bit unsigned integer. */
  nextUint32(): number {
    const result = Math.imul(rotl(Math.imul(this.s1, 5), 7), 9) >>> 0;
    const t = this.s1 << 9;
    this.s2 ^= this.s0;
    this.s3 ^= this.s1;
    this.s1 ^= this.s2;
    this.s0 ^= this.s3;
    this.s2 ^= t;
    this.s3 = rotl(this.s3, 11);
    return result;
  }

  /** Uniform in [0, 1), with 32 random bits. */
  nextFloat(): number {
    return this.nextUint32() / 4294967296;
  }

  /** Uniform integer in [0, n) without modulo bias (n <= 2^32). */
  nextInt(n: number): number {
    const limit = 4294967296 - (4294967296 % n);
    let r: number;
    do r = this.nextUint32();
    while (r >= limit);
    return r % n;
  }

  /** `count` float32 values uniform in [low, high). */
  uniform(count: number, low: number, high: number): Float32Array {
    const out = new Float32Array(count);
    for (let i = 0; i < count; i++) out[i] = low + (high - low) * this.nextFloat();
    return out;
  }

  /**
   * `count` float32 values from a normal distribution with mean 0 and standard deviation `std`
   * (Box-Muller: two uniforms give two independent normals).
   */
  normal(count: number, std = 1): Float32Array {
    const out = new Float32Array(count);
    for (let i = 0; i < count; i += 2) {
      // 1 - u lies in (0, 1]: the logarithm stays finite.
      const radius = std * Math.sqrt(-2 * Math.log(1 - this.nextFloat()));
      const angle = 2 * Math.PI * this.nextFloat();
      out[i] = radius * Math.cos(angle);
      if (i + 1 < count) out[i + 1] = radius * Math.sin(angle);
    }
    return out;
  }

  /**
   * A dropout mask: each entry is 0 with probability `p`, else 1 / (1 - p) (inverted dropout, as
   * PyTorch scales at training time so that evaluation needs no scaling).
   */
  dropoutMask(count: number, p: number): Float32Array {
    const out = new Float32Array(count);
    const keep = Math.fround(1 / (1 - p));
    const threshold = p * 4294967296;
    for (let i = 0; i < count; i++) out[i] = this.nextUint32() < threshold ? 0 : keep;
    return out;
  }

  /** A uniformly random permutation of 0..n-1 (Fisher-Yates). */
  permutation(n: number): Int32Array {
    const order = new Int32Array(n);
    for (let i = 0; i < n; i++) order[i] = i;
    for (let i = n - 1; i > 0; i--) {
      const j = this.nextInt(i + 1);
      const t = order[i];
      order[i] = order[j];
      order[j] = t;
    }
    return order;
  }
}

function rotl(x: number, k: number): number {
  return (x << k) | (x >>> (32 - k));
}

/** FNV-1a: turns a stream name into 32 bits. */
function hashString(text: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) h = Math.imul(h ^ text.charCodeAt(i), 0x01000193);
  return h >>> 0;
}
