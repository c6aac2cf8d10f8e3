// Deterministic randomness for the reference fleet. Every table (and every
// Redis instance) draws from its own mulberry32 stream keyed by (seed, name), so
// the same seed and scale give the same data, and adding a table never shifts
// the data of another.

/** FNV-1a over the UTF-16 code units of `text`, continuing from `hash`. */
export function hashString(text: string, hash = 0x811c9dc5): number {
  let h = hash >>> 0;
  for (let i = 0; i < text.length; i++) {
    h ^= text.charCodeAt(i);
    h = Math.imul(h, 0x01000193) >>> 0;
  }
  return h;
}

const ALNUM = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789';
const HEX = '0123456789abcdef';

export class Random {
  private state: number;

  /** A stream named `name` of the fleet generated with `seed`. */
  constructor(seed: number, name: string) {
    this.state = hashString(name, hashString(String(seed)));
  }

  /** mulberry32: uniform in [0, 1). */
  next(): number {
    let t = (this.state = (this.state + 0x6d2b79f5) | 0);
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  }

  /** Uniform integer in [min, max]. */
  int(min: number, max: number): number {
    return min + Math.floor(this.next() * (max - min + 1));
  }

  chance(p: number): boolean {
    return this.next() < p;
  }

  pick<T>(items: readonly T[]): T {
    return items[Math.floor(this.next() * items.length)]!;
  }

  /** An index drawn with the given cumulative weights (see cumulative()). */
  weighted(cumulativeWeights: readonly number[]): number {
    const total = cumulativeWeights[cumulativeWeights.length - 1]!;
    const x = this.next() * total;
    let lo = 0;
    let hi = cumulativeWeights.length - 1;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (cumulativeWeights[mid]! > x) hi = mid;
      else lo = mid + 1;
    }
    return lo;
  }

  alnum(length: number): string {
    let out = '';
    for (let i = 0; i < length; i++) out += ALNUM[Math.floor(this.next() * ALNUM.length)];
    return out;
  }

  hex(length: number): string {
    let out = '';
    for (let i = 0; i < length; i++) out += HEX[Math.floor(this.next() * 16)];
    return out;
  }

  /** A version-4-shaped UUID (lower-case hex, as PostgreSQL prints uuid). */
  uuid(): string {
    const h = this.hex(32);
    const variant = HEX[8 + Math.floor(this.next() * 4)];
    return `${h.slice(0, 8)}-${h.slice(8, 12)}-4${h.slice(13, 16)}-${variant}${h.slice(17, 20)}-${h.slice(20, 32)}`;
  }

  bytes(length: number): Buffer {
    const out = Buffer.allocUnsafe(length);
    for (let i = 0; i < length; i++) out[i] = Math.floor(this.next() * 256);
    return out;
  }
}

export function cumulative(weights: readonly number[]): number[] {
  let sum = 0;
  return weights.map((w) => (sum += w));
}

/**
 * Chooses exactly `counts[c]` of `n` items for each category c, in one pass in
 * item order (Knuth's selection sampling, generalised): call next() exactly n
 * times; it returns the category of that item, or -1 for none. Planted counts
 * are therefore exact, not just expected.
 */
export class ExactCategories {
  private remainingItems: number;
  private readonly remaining: number[];

  constructor(
    private readonly rng: Random,
    n: number,
    counts: readonly number[],
  ) {
    this.remainingItems = n;
    const wanted = counts.reduce((a, b) => a + b, 0);
    if (wanted > n) throw new Error(`cannot choose ${wanted} of ${n} items`);
    this.remaining = [...counts];
  }

  next(): number {
    const x = this.rng.next() * this.remainingItems;
    this.remainingItems--;
    let acc = 0;
    for (let c = 0; c < this.remaining.length; c++) {
      acc += this.remaining[c]!;
      if (x < acc) {
        this.remaining[c]!--;
        return c;
      }
    }
    return -1;
  }
}
