/**
 * A Bloom filter of device IDs: "which devices already have the security module", for a fleet of a million
 * in about a megabyte instead of the IDs themselves. It can answer "maybe" for a device that is not in it
 * (at the false-positive rate it was sized for), never "no" for one that is: so a sweep that looks for
 * devices without the module may miss a few in one pass — a new seed each pass makes the next find them —
 * and never provisions a device twice.
 */
export class DeviceIdFilter {
  private constructor(
    readonly bits: Uint8Array,
    readonly hashCount: number,
    readonly seed: number,
  ) {}

  /** Sized for `capacity` IDs at `falsePositiveRate` (m = −n·ln p / ln²2 bits, k = m/n·ln 2 hashes). */
  static forCapacity(capacity: number, falsePositiveRate: number, seed: number): DeviceIdFilter {
    const n = Math.max(1, Math.ceil(capacity));
    const bitCount = Math.max(64, Math.ceil((-n * Math.log(falsePositiveRate)) / Math.LN2 ** 2));
    const hashCount = Math.max(1, Math.round((bitCount / n) * Math.LN2));
    return new DeviceIdFilter(new Uint8Array(Math.ceil(bitCount / 8)), hashCount, seed >>> 0);
  }

  /** A filter saved with `bits`, `hashCount` and `seed`. */
  static restore(bits: Uint8Array, hashCount: number, seed: number): DeviceIdFilter {
    return new DeviceIdFilter(bits, hashCount, seed >>> 0);
  }

  add(deviceId: string): void {
    for (const bit of this.positions(deviceId)) this.bits[bit >>> 3] = (this.bits[bit >>> 3] as number) | (1 << (bit & 7));
  }

  mightContain(deviceId: string): boolean {
    for (const bit of this.positions(deviceId)) if (((this.bits[bit >>> 3] as number) & (1 << (bit & 7))) === 0) return false;
    return true;
  }

  /** Double hashing (Kirsch–Mitzenmacher) over two seeded 32-bit FNV-1a hashes. */
  private positions(deviceId: string): number[] {
    const bitCount = this.bits.length * 8;
    const h1 = fnv1a(deviceId, this.seed);
    const h2 = fnv1a(deviceId, this.seed ^ 0x9e3779b9) | 1;
    return Array.from({ length: this.hashCount }, (_, i) => (((h1 + Math.imul(i, h2)) >>> 0) % bitCount));
  }
}

function fnv1a(text: string, seed: number): number {
  let hash = (0x811c9dc5 ^ seed) >>> 0;
  for (let i = 0; i < text.length; i++) {
    hash ^= text.charCodeAt(i);
    hash = Math.imul(hash, 0x01000193) >>> 0;
  }
  return hash;
}
