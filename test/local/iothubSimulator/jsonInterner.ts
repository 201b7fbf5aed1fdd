// Shared, immutable twin content.
//
// Why: a fleet is mostly provisioned with the same documents (every security module twin carries the same
// baseline in properties.desired, often the same tags), and keeping a private copy per twin made 100k
// provisioned twins cost over a gigabyte. Stored tags/desired/reported trees are therefore immutable: every
// stored object and array is frozen, a write builds new nodes only along the paths it changes (copy-on-write,
// twin.ts), and each new node is looked up in a content-addressed cache so that equal content is stored once.
//
// The invariant the rest of the simulator relies on: a *frozen* node is stored content (shared, never mutated);
// an unfrozen node is a fresh copy the simulator just built, which `intern` takes over (it may replace the
// node's children with their canonical equals and freeze it). Documents handed to callers are always deep
// copies (cloneJson), so nobody outside ever sees a frozen node.
//
// The cache is bounded by node count and by an estimate of the bytes its nodes hold; the least recently used
// entries go first. Eviction never affects correctness (a node that is no longer cached just won't be shared
// with later equal writes), and the bound keeps the cache from retaining much content of deleted or
// rewritten twins. Key order is part of JSON documents as the hub returns them, so equality is order-sensitive.
import type { JsonObject, JsonValue } from './json';

type JsonNode = JsonObject | JsonValue[];

/** Rough heap bytes of an object/array header and of one property slot (64-bit V8), for the cache budget. */
const NODE_BYTES = 32;
const SLOT_BYTES = 16;

export interface InternerLimits {
  readonly maxNodes: number;
  readonly maxBytes: number;
}

const DEFAULT_LIMITS: InternerLimits = { maxNodes: 65_536, maxBytes: 16 * 1024 * 1024 };

// FNV-1a style mixing over 32-bit words; results stay in int32 range so Map keys are small integers.
function mix(hash: number, word: number): number {
  return Math.imul(hash ^ word, 0x01000193) | 0;
}

function hashString(text: string, seed: number): number {
  let hash = seed;
  for (let index = 0; index < text.length; index++) hash = mix(hash, text.charCodeAt(index));
  return mix(hash, text.length);
}

const numberBits = new Float64Array(1);
const numberWords = new Int32Array(numberBits.buffer);

const SEED = { string: 0x2f1a0b3c, number: 0x5bd1e995, true: 0x1b873593, false: 0x0e6546b6, null: 0x3c6ef372, array: 0x27d4eb2f, object: 0x165667b1 } as const;

function hashPrimitive(value: string | number | boolean | null): number {
  if (typeof value === 'string') return hashString(value, SEED.string);
  if (typeof value === 'number') {
    // 0 and -0 are the same JSON number (both serialise as 0), so they must hash alike.
    numberBits[0] = value === 0 ? 0 : value;
    return mix(mix(SEED.number, numberWords[0]!), numberWords[1]!);
  }
  if (value === null) return SEED.null;
  return value ? SEED.true : SEED.false;
}

function primitiveBytes(value: string | number | boolean | null): number {
  return typeof value === 'string' ? 16 + value.length : 0;
}

/** Order-sensitive structural equality; canonical children make most comparisons an identity check. */
function sameJson(a: JsonValue, b: JsonValue): boolean {
  if (a === b) return true;
  if (a === null || b === null || typeof a !== 'object' || typeof b !== 'object') return false;
  if (Array.isArray(a) || Array.isArray(b)) {
    if (!Array.isArray(a) || !Array.isArray(b) || a.length !== b.length) return false;
    for (let index = 0; index < a.length; index++) if (!sameJson(a[index]!, b[index]!)) return false;
    return true;
  }
  const aKeys = Object.keys(a);
  const bKeys = Object.keys(b);
  if (aKeys.length !== bKeys.length) return false;
  for (let index = 0; index < aKeys.length; index++) {
    const key = aKeys[index]!;
    if (key !== bKeys[index] || !sameJson(a[key]!, b[key]!)) return false;
  }
  return true;
}

export class JsonInterner {
  private readonly nodes = new Map<number, JsonNode>();
  private bytes = 0;
  // Set by every visit: the structural hash and estimated size of the value just visited (saves allocating
  // a result pair per node on the write path).
  private lastHash = 0;
  private lastBytes = 0;

  constructor(private readonly limits: InternerLimits = DEFAULT_LIMITS) {}

  /** Cached nodes and their estimated bytes (for tests of the bound). */
  get size(): { readonly nodes: number; readonly bytes: number } {
    return { nodes: this.nodes.size, bytes: this.bytes };
  }

  /**
   * The canonical, deeply frozen equal of `value`. Unfrozen nodes in `value` must be fresh copies owned by
   * the simulator (they are adopted: frozen in place, or dropped in favour of a cached equal); frozen nodes
   * are taken to be stored content already.
   */
  intern<T extends JsonValue>(value: T): T {
    return this.visit(value) as T;
  }

  private visit(value: JsonValue): JsonValue {
    if (value === null || typeof value !== 'object') {
      this.lastHash = hashPrimitive(value);
      this.lastBytes = primitiveBytes(value);
      return value;
    }
    if (Object.isFrozen(value)) {
      this.measure(value);
      return value;
    }
    let hash: number;
    let bytes = NODE_BYTES;
    if (Array.isArray(value)) {
      hash = mix(SEED.array, value.length);
      for (let index = 0; index < value.length; index++) {
        value[index] = this.visit(value[index]!);
        hash = mix(hash, this.lastHash);
        bytes += SLOT_BYTES + this.lastBytes;
      }
    } else {
      hash = SEED.object;
      for (const key of Object.keys(value)) {
        value[key] = this.visit(value[key]!);
        hash = mix(hashString(key, hash), this.lastHash);
        bytes += SLOT_BYTES + this.lastBytes;
      }
    }
    this.lastHash = hash;
    this.lastBytes = bytes;
    const cached = this.nodes.get(hash);
    if (cached !== undefined && sameJson(cached, value)) {
      // Most recently used goes last, so eviction (from the front) takes the coldest entries.
      this.nodes.delete(hash);
      this.nodes.set(hash, cached);
      return cached;
    }
    Object.freeze(value);
    if (bytes <= this.limits.maxBytes) this.remember(hash, value, bytes);
    return value;
  }

  /** Hash and size of stored (frozen) content, recomputed: storing them per node would cost more than it saves. */
  private measure(value: JsonValue): void {
    if (value === null || typeof value !== 'object') {
      this.lastHash = hashPrimitive(value);
      this.lastBytes = primitiveBytes(value);
      return;
    }
    let hash: number;
    let bytes = NODE_BYTES;
    if (Array.isArray(value)) {
      hash = mix(SEED.array, value.length);
      for (const item of value) {
        this.measure(item);
        hash = mix(hash, this.lastHash);
        bytes += SLOT_BYTES + this.lastBytes;
      }
    } else {
      hash = SEED.object;
      for (const key of Object.keys(value)) {
        this.measure(value[key]!);
        hash = mix(hashString(key, hash), this.lastHash);
        bytes += SLOT_BYTES + this.lastBytes;
      }
    }
    this.lastHash = hash;
    this.lastBytes = bytes;
  }

  private remember(hash: number, node: JsonNode, bytes: number): void {
    const replaced = this.nodes.get(hash);
    if (replaced !== undefined) {
      // A hash collision with different content: the newer node takes the slot.
      this.nodes.delete(hash);
      this.forget(replaced);
    }
    this.nodes.set(hash, node);
    this.bytes += bytes;
    while (this.nodes.size > this.limits.maxNodes || this.bytes > this.limits.maxBytes) {
      const oldest = this.nodes.entries().next();
      if (oldest.done === true) break;
      this.nodes.delete(oldest.value[0]);
      this.forget(oldest.value[1]);
    }
  }

  private forget(node: JsonNode): void {
    this.measure(node);
    this.bytes -= this.lastBytes;
  }
}

/** The process-wide cache every simulator's twins share (content is immutable, so sharing across hubs is safe). */
export const twinContent = new JsonInterner();
