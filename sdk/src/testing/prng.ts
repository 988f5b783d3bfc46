/**
 * A seeded pseudo-random generator for property tests (SplitMix64 on bigints), used by the SDK's and the
 * keeper's tests. Tests fix the seed, so a failure reproduces exactly; a failing assertion names the iteration.
 */
const MASK_64 = (1n << 64n) - 1n;

/** A seeded generator of bigints: the same seed gives the same sequence. */
export class Prng {
  #state: bigint;

  /**
   * @param seed - Any bigint; the same seed gives the same sequence.
   */
  constructor(seed: bigint) {
    this.#state = seed & MASK_64;
  }

  /** The next 64 random bits. */
  nextU64(): bigint {
    this.#state = (this.#state + 0x9e3779b97f4a7c15n) & MASK_64;
    let z = this.#state;
    z = ((z ^ (z >> 30n)) * 0xbf58476d1ce4e5b9n) & MASK_64;
    z = ((z ^ (z >> 27n)) * 0x94d049bb133111ebn) & MASK_64;
    return z ^ (z >> 31n);
  }

  /**
   * A value in [0, bound), with a bias below 2^-64 (64 spare bits before the reduction).
   *
   * @param bound - A positive bigint.
   */
  below(bound: bigint): bigint {
    if (bound <= 0n) throw new RangeError(`bound must be positive, got ${bound}`);
    let bits = 0n;
    let value = 0n;
    const needed = BigInt(bound.toString(2).length) + 64n;
    while (bits < needed) {
      value = (value << 64n) | this.nextU64();
      bits += 64n;
    }
    return value % bound;
  }

  /**
   * A value in [min, max], both included.
   *
   * @param min - The smallest value.
   * @param max - The largest value, at least `min`.
   */
  between(min: bigint, max: bigint): bigint {
    return min + this.below(max - min + 1n);
  }

  /**
   * A value in [0, 2^maxBits) whose bit length is itself uniform, so small and large magnitudes are both
   * common (a uniform draw over 256 bits almost never yields a small number).
   *
   * @param maxBits - The largest bit length.
   */
  magnitude(maxBits: number): bigint {
    const bits = Number(this.below(BigInt(maxBits) + 1n));
    return this.below(1n << BigInt(bits));
  }

  /**
   * A signed value in (−2^maxBits, 2^maxBits) with a uniform bit length and a fair sign.
   *
   * @param maxBits - The largest bit length of the magnitude.
   */
  signedMagnitude(maxBits: number): bigint {
    const value = this.magnitude(maxBits);
    return this.boolean() ? value : -value;
  }

  /** A fair coin. */
  boolean(): boolean {
    return (this.nextU64() & 1n) === 1n;
  }

  /**
   * One element of a non-empty array, uniformly.
   *
   * @param items - The candidates.
   */
  pick<T>(items: readonly T[]): T {
    const item = items[Number(this.below(BigInt(items.length)))];
    if (item === undefined) throw new RangeError("pick from an empty array");
    return item;
  }
}
