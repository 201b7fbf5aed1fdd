// Twin `$metadata`, stored compactly and materialised on read.
//
// What the hub reports: `$metadata` mirrors a section's value tree; every object and every leaf has
// `$lastUpdated` (and, in desired, `$lastUpdatedVersion`, the desired $version that wrote it). A write stamps
// every node it sets and every ancestor of one (parents of a changed node count as updated); nodes it doesn't
// reach keep their stamps. Arrays are leaves (no metadata inside them).
//
// Why not a node per value node: that is what made a provisioned twin cost ~12 KB (a 25-setting baseline is
// 52 value nodes, each with a metadata node and a Map). But a twin's stamps are highly regular: one write
// usually stamps a whole subtree with the same (time, version). So a section's metadata is kept as
//   - a Stamp, meaning "this node and everything below it carry this stamp", or
//   - a MetaTree: the node's own stamp, the stamp of its children in general (`rest`), and the few children
//     whose metadata differs from `rest`.
// A provisioned twin's desired metadata is then a single Stamp, itself shared with every twin written in the
// same millisecond at the same version. The full `$metadata` object is rebuilt from this and the value tree
// whenever a document is read; which keys it has, and in which order, comes from the value tree, exactly as
// when it was a mirror of it.
import { isJsonObject, ownValue, type JsonObject, type JsonValue } from './json';
import { hubTimestamp } from './time';

/** When a node was last written: epoch ms, and the desired $version that wrote it (undefined in reported). */
export class Stamp {
  constructor(
    readonly at: number,
    readonly version: number | undefined,
  ) {}
}

/** Metadata of an object node whose subtree doesn't carry a single stamp. Immutable, like Stamp. */
export class MetaTree {
  constructor(
    readonly own: Stamp,
    /** Metadata of every child not in `children`: the whole child subtree carries this stamp. */
    readonly rest: Stamp,
    readonly children: ReadonlyMap<string, Meta>,
  ) {}
}

export type Meta = Stamp | MetaTree;

// Twins written in bulk (seeding, a sweep) get the same stamp within a millisecond; reusing the last Stamp
// shares it between them at the cost of one comparison. Unversioned stamps (creation, reported writes) and
// versioned ones (desired writes) alternate on the seeding path, so each kind keeps its own.
let lastUnversioned = new Stamp(0, undefined);
let lastVersioned = new Stamp(0, 0);

export function stampOf(at: number, version: number | undefined): Stamp {
  if (version === undefined) {
    if (lastUnversioned.at !== at) lastUnversioned = new Stamp(at, undefined);
    return lastUnversioned;
  }
  if (lastVersioned.at !== at || lastVersioned.version !== version) lastVersioned = new Stamp(at, version);
  return lastVersioned;
}

function sameStamp(a: Stamp, b: Stamp): boolean {
  return a === b || (a.at === b.at && a.version === b.version);
}

export function ownStamp(meta: Meta): Stamp {
  return meta instanceof Stamp ? meta : meta.own;
}

function childMeta(meta: Meta, key: string): Meta {
  return meta instanceof Stamp ? meta : (meta.children.get(key) ?? meta.rest);
}

// ---------------------------------------------------------------------------------------------------------
// Writes

/**
 * Metadata after a merge-patch: `before` is the section's value before the patch, `after` the merged value,
 * `stamp` the write's (time, version). Mirrors the merge: the node itself is stamped; a key the patch sets to
 * a non-object, or to an object where there was none, gets a subtree stamped entirely with `stamp`; a key
 * whose object the patch merges into recurses; keys the patch doesn't name keep their metadata.
 */
export function mergedMeta(meta: Meta, before: JsonObject, after: JsonObject, patch: JsonObject, stamp: Stamp): Meta {
  const keys = Object.keys(after);
  const metas: Meta[] = new Array<Meta>(keys.length);
  for (let index = 0; index < keys.length; index++) {
    const key = keys[index]!;
    const change = ownValue(patch, key);
    if (change === undefined) {
      metas[index] = childMeta(meta, key);
      continue;
    }
    const existing = ownValue(before, key);
    const merged = ownValue(after, key);
    metas[index] =
      isJsonObject(change) && isJsonObject(existing) && isJsonObject(merged) ? mergedMeta(childMeta(meta, key), existing, merged, change, stamp) : stamp;
  }
  return compactMeta(stamp, meta instanceof Stamp ? meta : meta.rest, keys, metas);
}

/**
 * The smallest representation of a node stamped `own` whose children (keys, in order) have `metas`. `rest`
 * is whichever of `own` and the previous common stamp more children share; only the others are recorded.
 */
function compactMeta(own: Stamp, previousRest: Stamp, keys: readonly string[], metas: readonly Meta[]): Meta {
  let withOwn = 0;
  let withPrevious = 0;
  for (const meta of metas) {
    if (!(meta instanceof Stamp)) continue;
    if (sameStamp(meta, own)) withOwn += 1;
    else if (sameStamp(meta, previousRest)) withPrevious += 1;
  }
  const rest = withPrevious > withOwn ? previousRest : own;
  let children: Map<string, Meta> | undefined;
  for (let index = 0; index < keys.length; index++) {
    const meta = metas[index]!;
    if (meta instanceof Stamp && sameStamp(meta, rest)) continue;
    (children ??= new Map()).set(keys[index]!, meta);
  }
  if (children === undefined && rest === own) return own;
  return new MetaTree(own, rest, children ?? NO_CHILDREN);
}

const NO_CHILDREN: ReadonlyMap<string, Meta> = new Map();

// ---------------------------------------------------------------------------------------------------------
// Reads

function stampJson(stamp: Stamp, versioned: boolean): JsonObject {
  const json: JsonObject = { $lastUpdated: hubTimestamp(stamp.at) };
  if (versioned && stamp.version !== undefined) json.$lastUpdatedVersion = stamp.version;
  return json;
}

function nodeMetadata(meta: Meta, value: JsonValue, versioned: boolean): JsonObject {
  return isJsonObject(value) ? renderMetadata(meta, value, versioned) : stampJson(ownStamp(meta), versioned);
}

/** The `$metadata` object of a section (or of an object node in it) whose value is `value`. */
export function renderMetadata(meta: Meta, value: JsonObject, versioned: boolean): JsonObject {
  const json = stampJson(ownStamp(meta), versioned);
  for (const [key, child] of Object.entries(value)) json[key] = nodeMetadata(childMeta(meta, key), child, versioned);
  return json;
}

/** Metadata for the parts a patch touched (the shape twin-change notifications carry), in the patch's key order. */
export function renderPatchMetadata(meta: Meta, value: JsonObject, patch: JsonObject, versioned: boolean): JsonObject {
  const json = stampJson(ownStamp(meta), versioned);
  for (const [key, change] of Object.entries(patch)) {
    const child = ownValue(value, key);
    if (change === null || child === undefined) continue;
    const metaOfChild = childMeta(meta, key);
    json[key] = isJsonObject(change) && isJsonObject(child) ? renderPatchMetadata(metaOfChild, child, change, versioned) : nodeMetadata(metaOfChild, child, versioned);
  }
  return json;
}

/**
 * The value at `path` inside the `$metadata` of a node (what walking `renderMetadata(...)` would find),
 * resolved along the path without rendering the rest: a query naming one $metadata field over a large fleet
 * would otherwise build every twin's whole metadata tree.
 */
export function metadataPathValue(meta: Meta, value: JsonValue, path: readonly string[], versioned: boolean): JsonValue | undefined {
  let currentMeta = meta;
  let currentValue = value;
  for (let index = 0; index < path.length; index++) {
    const key = path[index]!;
    const last = index === path.length - 1;
    // Twin keys never start with '$', so these two names can only mean the stamp fields.
    if (key === '$lastUpdated') return last ? hubTimestamp(ownStamp(currentMeta).at) : undefined;
    if (key === '$lastUpdatedVersion') {
      const version = ownStamp(currentMeta).version;
      return last && versioned && version !== undefined ? version : undefined;
    }
    if (!isJsonObject(currentValue)) return undefined;
    const child = ownValue(currentValue, key);
    if (child === undefined) return undefined;
    currentMeta = childMeta(currentMeta, key);
    currentValue = child;
  }
  return nodeMetadata(currentMeta, currentValue, versioned);
}
