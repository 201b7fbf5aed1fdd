// Twin state and its write semantics: versions, ETag, JSON merge-patch with null removal, $metadata.
//
// Counters, as the real service keeps them (evidence: captured twins in the public docs and samples):
// - `version` increments on every change (tags, desired or reported). A fresh twin has version 2 with
//   desired.$version 1 and reported.$version 1 (the Event Grid DeviceCreated sample and VS Code
//   "Edit Device Twin" output both show `"version": 2` with `"etag": "AAAAAAAAAAE="`).
// - `etag` is base64 of a big-endian int64 counter that starts at 1 and increments on every *service* write
//   (tags/desired); device-reported updates leave it alone (a twin captured at version 82 after many reported
//   updates still had etag "AAAAAAAAAAI=" and desired.$version 2). So an agent reporting does not invalidate
//   an ETag the back end holds for its next desired patch — If-Match protects tags/desired only.
// - desired.$version / reported.$version increment when that section changes.
// - $metadata mirrors the value tree: every object and leaf has $lastUpdated; desired entries also carry
//   $lastUpdatedVersion (the desired $version that wrote them); reported entries don't.
import { isJsonObject, cloneJson, ownValue, type JsonObject, type JsonValue } from './json';
import { hubTimestamp } from './time';
import { asSectionObject, validateTwinSection, validateTwinValues, type TwinSectionName } from './twinLimits';
import { HubError } from './errors';

export class MetaNode {
  children: Map<string, MetaNode> | undefined = undefined;

  constructor(
    public updatedAt: number,
    public updatedVersion: number | undefined,
  ) {}
}

export class TwinSection {
  constructor(
    public value: JsonObject,
    public version: number,
    public meta: MetaNode,
    /** desired metadata records $lastUpdatedVersion; reported metadata does not. */
    readonly versionedMetadata: boolean,
  ) {}
}

export class TwinState {
  constructor(
    public version: number,
    public etagN: number,
    public tags: JsonObject,
    public desired: TwinSection,
    public reported: TwinSection,
  ) {}
}

/** What owns a twin: device and module records both have one, created on first write. */
export interface TwinHolder {
  twin: TwinState | undefined;
  readonly createdAt: number;
}

export function newTwinState(createdAt: number): TwinState {
  return new TwinState(
    2,
    1,
    {},
    new TwinSection({}, 1, new MetaNode(createdAt, undefined), true),
    new TwinSection({}, 1, new MetaNode(createdAt, undefined), false),
  );
}

/** The holder's twin for reading; never stores anything (an untouched twin costs no memory). */
export function readTwin(holder: TwinHolder): TwinState {
  return holder.twin ?? newTwinState(holder.createdAt);
}

export function materializeTwin(holder: TwinHolder): TwinState {
  return (holder.twin ??= newTwinState(holder.createdAt));
}

export function twinEtag(state: TwinState): string {
  const bytes = Buffer.alloc(8);
  bytes.writeBigInt64BE(BigInt(state.etagN));
  return bytes.toString('base64');
}

// ---------------------------------------------------------------------------------------------------------
// Metadata rendering

export function renderMetadata(node: MetaNode, versioned: boolean): JsonObject {
  const json: JsonObject = { $lastUpdated: hubTimestamp(node.updatedAt) };
  if (versioned && node.updatedVersion !== undefined) json.$lastUpdatedVersion = node.updatedVersion;
  if (node.children !== undefined) {
    for (const [key, child] of node.children) json[key] = renderMetadata(child, versioned);
  }
  return json;
}

export function renderSection(section: TwinSection): JsonObject {
  return { ...cloneJson(section.value), $metadata: renderMetadata(section.meta, section.versionedMetadata), $version: section.version };
}

/** Metadata for the parts a patch touched (the shape twin-change notifications carry). */
function renderPatchMetadata(node: MetaNode, patch: JsonObject, versioned: boolean): JsonObject {
  const json: JsonObject = { $lastUpdated: hubTimestamp(node.updatedAt) };
  if (versioned && node.updatedVersion !== undefined) json.$lastUpdatedVersion = node.updatedVersion;
  for (const [key, value] of Object.entries(patch)) {
    const child = node.children?.get(key);
    if (value === null || child === undefined) continue;
    json[key] = isJsonObject(value) ? renderPatchMetadata(child, value, versioned) : renderMetadata(child, versioned);
  }
  return json;
}

// ---------------------------------------------------------------------------------------------------------
// Merge-patch

interface Stamp {
  readonly at: number;
  readonly version: number | undefined;
}

function metadataFor(value: JsonValue, stamp: Stamp): MetaNode {
  const node = new MetaNode(stamp.at, stamp.version);
  if (isJsonObject(value)) {
    for (const [key, child] of Object.entries(value)) {
      (node.children ??= new Map()).set(key, metadataFor(child, stamp));
    }
  }
  return node;
}

/**
 * RFC 7396 merge: null removes, objects merge recursively, anything else replaces. With `meta`, every node
 * on the path of a change is re-stamped (parents of a changed leaf count as updated, as the service reports).
 */
function mergePatch(target: JsonObject, patch: JsonObject, meta: MetaNode | undefined, stamp: Stamp): void {
  if (meta !== undefined) {
    meta.updatedAt = stamp.at;
    meta.updatedVersion = stamp.version;
  }
  for (const [key, value] of Object.entries(patch)) {
    if (value === null) {
      delete target[key];
      meta?.children?.delete(key);
      continue;
    }
    const existing = ownValue(target, key);
    if (isJsonObject(value)) {
      const child: JsonObject = isJsonObject(existing) ? existing : {};
      target[key] = child;
      let childMeta: MetaNode | undefined;
      if (meta !== undefined) {
        childMeta = isJsonObject(existing) ? meta.children?.get(key) : undefined;
        if (childMeta === undefined) {
          childMeta = new MetaNode(stamp.at, stamp.version);
          (meta.children ??= new Map()).set(key, childMeta);
        }
      }
      mergePatch(child, value, childMeta, stamp);
    } else {
      target[key] = cloneJson(value);
      if (meta !== undefined) (meta.children ??= new Map()).set(key, metadataFor(value, stamp));
    }
  }
}

/** Stored sections never hold the read-only root fields a client may echo back from a GET. */
function withoutReadOnlyFields(section: JsonObject): JsonObject {
  const { $metadata: _metadata, $version: _version, ...rest } = section;
  return rest;
}

function checkedMerge(name: TwinSectionName, current: JsonObject, patch: JsonObject): JsonObject {
  validateTwinValues(name, patch, true);
  const candidate = cloneJson(current);
  mergePatch(candidate, patch, undefined, { at: 0, version: undefined });
  validateTwinSection(name, candidate);
  return candidate;
}

// ---------------------------------------------------------------------------------------------------------
// Service writes (PATCH and PUT /twins/...) and device writes (reported properties)

export interface ServiceTwinPatch {
  /** undefined: not in the patch; null: remove all tags (merge-patch on the `tags` member). */
  readonly tags: JsonObject | null | undefined;
  readonly desired: JsonObject | null | undefined;
}

/** Reads a PATCH body ({tags?, properties?: {desired?}}). Reported properties are read-only for the service. */
export function parseServicePatch(body: JsonValue | undefined): ServiceTwinPatch {
  if (body === undefined) throw new HubError('ArgumentNull', 'The twin patch body is missing');
  if (!isJsonObject(body)) throw new HubError('IotHubFormatError', 'The twin patch must be a JSON object');
  const properties = body.properties;
  let desired: JsonObject | null | undefined;
  if (properties !== undefined && properties !== null) {
    if (!isJsonObject(properties)) throw new HubError('IotHubFormatError', 'properties must be a JSON object');
    for (const key of Object.keys(properties)) {
      if (key === 'reported') {
        throw new HubError('ArgumentInvalid', 'Reported properties are read-only for the service; only tags and desired properties can be updated');
      }
      if (key !== 'desired') throw new HubError('ArgumentInvalid', `properties.${key} is not a twin property section`);
    }
    desired = properties.desired === null ? null : asSectionObject(properties.desired, 'properties.desired');
  }
  const tags = body.tags === null ? null : asSectionObject(body.tags, 'tags');
  return {
    tags: tags === null || tags === undefined ? tags : withoutReadOnlyFields(tags),
    desired: desired === null || desired === undefined ? desired : withoutReadOnlyFields(desired),
  };
}

export interface ServiceTwinReplacement {
  readonly tags: JsonObject;
  readonly desired: JsonObject;
}

/** Reads a PUT body (a twin document); reported properties and identity fields in it are ignored. */
export function parseServiceReplacement(body: JsonValue | undefined): ServiceTwinReplacement {
  if (body === undefined) throw new HubError('ArgumentNull', 'The twin body is missing');
  if (!isJsonObject(body)) throw new HubError('IotHubFormatError', 'The twin must be a JSON object');
  const properties = body.properties;
  if (properties !== undefined && properties !== null && !isJsonObject(properties)) {
    throw new HubError('IotHubFormatError', 'properties must be a JSON object');
  }
  const desired = properties === undefined || properties === null ? undefined : asSectionObject(properties.desired ?? undefined, 'properties.desired');
  const tags = body.tags === null ? undefined : asSectionObject(body.tags, 'tags');
  return { tags: withoutReadOnlyFields(tags ?? {}), desired: withoutReadOnlyFields(desired ?? {}) };
}

/**
 * Applies a service PATCH. Validates everything before touching the state (a rejected patch changes nothing).
 * Returns the twin-change notification body (only the changed parts, patch-like, with $metadata/$version),
 * or undefined when the patch changes nothing.
 */
export function applyServicePatch(holder: TwinHolder, patch: ServiceTwinPatch, now: number): JsonObject | undefined {
  const current = readTwin(holder);
  const hasTags = patch.tags !== undefined && (patch.tags === null || Object.keys(patch.tags).length > 0);
  const hasDesired = patch.desired !== undefined && (patch.desired === null || Object.keys(patch.desired).length > 0);
  if (!hasTags && !hasDesired) return undefined;

  const tagsPatch = patch.tags === null ? nullPatch(current.tags) : patch.tags;
  const desiredPatch = patch.desired === null ? nullPatch(current.desired.value) : patch.desired;
  if (hasTags && tagsPatch !== undefined) checkedMerge('tags', current.tags, tagsPatch);
  if (hasDesired && desiredPatch !== undefined) checkedMerge('desired', current.desired.value, desiredPatch);

  const state = materializeTwin(holder);
  state.version += 1;
  state.etagN += 1;
  const body: JsonObject = { version: state.version };
  if (hasTags && tagsPatch !== undefined) {
    mergePatch(state.tags, tagsPatch, undefined, { at: now, version: undefined });
    body.tags = cloneJson(tagsPatch);
  }
  if (hasDesired && desiredPatch !== undefined) {
    const section = state.desired;
    section.version += 1;
    mergePatch(section.value, desiredPatch, section.meta, { at: now, version: section.version });
    body.properties = {
      desired: {
        ...cloneJson(desiredPatch),
        $metadata: renderPatchMetadata(section.meta, desiredPatch, true),
        $version: section.version,
      },
    };
  }
  return body;
}

function nullPatch(current: JsonObject): JsonObject {
  const patch: JsonObject = {};
  for (const key of Object.keys(current)) patch[key] = null;
  return patch;
}

/** Applies a service PUT (replace tags and desired). Validates before touching the state. */
export function applyServiceReplace(holder: TwinHolder, replacement: ServiceTwinReplacement, now: number): void {
  validateTwinValues('tags', replacement.tags, false);
  validateTwinValues('desired', replacement.desired, false);
  validateTwinSection('tags', replacement.tags);
  validateTwinSection('desired', replacement.desired);
  const state = materializeTwin(holder);
  state.version += 1;
  state.etagN += 1;
  state.tags = cloneJson(replacement.tags);
  const section = state.desired;
  section.version += 1;
  section.value = cloneJson(replacement.desired);
  section.meta = metadataFor(section.value, { at: now, version: section.version });
}

/** Applies a reported-properties patch as a device/module client would. Returns the notification body. */
export function applyReportedPatch(holder: TwinHolder, patch: JsonObject, now: number): JsonObject | undefined {
  const cleaned = withoutReadOnlyFields(patch);
  if (Object.keys(cleaned).length === 0) return undefined;
  checkedMerge('reported', readTwin(holder).reported.value, cleaned);
  const state = materializeTwin(holder);
  state.version += 1;
  const section = state.reported;
  section.version += 1;
  mergePatch(section.value, cleaned, section.meta, { at: now, version: undefined });
  return {
    version: state.version,
    properties: {
      reported: { ...cloneJson(cleaned), $metadata: renderPatchMetadata(section.meta, cleaned, false), $version: section.version },
    },
  };
}

/** Resolves a path inside `desired`/`reported` the way a query sees it ($version and $metadata included). */
export function sectionPathValue(section: TwinSection, path: readonly string[]): JsonValue | undefined {
  const [head, ...rest] = path;
  if (head === undefined) return renderSection(section);
  if (head === '$version') return rest.length === 0 ? section.version : undefined;
  if (head === '$metadata') return walk(renderMetadata(section.meta, section.versionedMetadata), rest);
  return walk(ownValue(section.value, head), rest);
}

export function walk(value: JsonValue | undefined, path: readonly string[]): JsonValue | undefined {
  let current = value;
  for (const key of path) {
    if (!isJsonObject(current)) return undefined;
    current = ownValue(current, key);
  }
  return current;
}
