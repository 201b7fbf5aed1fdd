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
//
// Storage (twinMetadata.ts, jsonInterner.ts): section values are immutable trees shared between twins with
// equal content, written copy-on-write; $metadata is kept as a compact stamp tree and rebuilt on read. Both
// are invisible in what the REST API, queries and events return.
import { isJsonObject, cloneJson, ownValue, type JsonObject, type JsonValue } from './json';
import { twinContent } from './jsonInterner';
import { mergePatch } from './mergePatch';
import { asSectionObject, validateTwinSection, validateTwinValues, type TwinSectionName } from './twinLimits';
import { mergedMeta, metadataPathValue, ownStamp, renderMetadata, renderPatchMetadata, stampOf, type Meta } from './twinMetadata';
import { HubError } from './errors';

export class TwinSection {
  constructor(
    /** Frozen, possibly shared with other twins: replace it, never mutate it. */
    public value: JsonObject,
    public version: number,
    public meta: Meta,
    /** desired metadata records $lastUpdatedVersion; reported metadata does not. */
    readonly versionedMetadata: boolean,
  ) {}
}

export class TwinState {
  constructor(
    public version: number,
    public etagN: number,
    /** Frozen, possibly shared with other twins: replace it, never mutate it. */
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

const EMPTY_SECTION: JsonObject = Object.freeze({});

export function newTwinState(createdAt: number): TwinState {
  const created = stampOf(createdAt, undefined);
  return new TwinState(2, 1, EMPTY_SECTION, new TwinSection(EMPTY_SECTION, 1, created, true), new TwinSection(EMPTY_SECTION, 1, created, false));
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

/** When the section as a whole was last written (its root $metadata.$lastUpdated), epoch ms. */
export function sectionUpdatedAt(section: TwinSection): number {
  return ownStamp(section.meta).at;
}

// ---------------------------------------------------------------------------------------------------------
// Rendering

export function renderSection(section: TwinSection): JsonObject {
  return { ...cloneJson(section.value), $metadata: renderMetadata(section.meta, section.value, section.versionedMetadata), $version: section.version };
}

// ---------------------------------------------------------------------------------------------------------
// Merging a patch into a section (the merge itself is mergePatch.ts)

/** Stored sections never hold the read-only root fields a client may echo back from a GET. */
function withoutReadOnlyFields(section: JsonObject): JsonObject {
  const { $metadata: _metadata, $version: _version, ...rest } = section;
  return rest;
}

/** The section after the patch, validated but not yet stored (nor shared: see `store`). */
function checkedMerge(name: TwinSectionName, current: JsonObject, patch: JsonObject): JsonObject {
  validateTwinValues(name, patch, true);
  const candidate = mergePatch(current, patch);
  validateTwinSection(name, candidate);
  return candidate;
}

/** A validated candidate as stored content: frozen, and the same object as any equal content already stored. */
function store(candidate: JsonObject): JsonObject {
  return twinContent.intern(candidate);
}

/** Writes a merged section value and its metadata (the stamp covers the section root and every node the patch reaches). */
function commitSectionPatch(section: TwinSection, merged: JsonObject, patch: JsonObject, at: number): void {
  const after = store(merged);
  section.meta = mergedMeta(section.meta, section.value, after, patch, stampOf(at, section.versionedMetadata ? section.version : undefined));
  section.value = after;
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
 * Builds the twin-change notification body of a write: only the changed parts, patch-like, with
 * $metadata/$version. On demand, because rendering it costs more than the write itself and most writes
 * (seeding a fleet, a test without listeners) have nobody to tell. Call it before the write returns to whoever
 * sent the patch (it reads the patch); what the write stored is immutable, so later writes can't change it.
 */
export type TwinChangeBody = () => JsonObject;

/**
 * Applies a service PATCH. Validates everything before touching the state (a rejected patch changes nothing).
 * Returns the change's notification body, or undefined when the patch changes nothing.
 */
export function applyServicePatch(holder: TwinHolder, patch: ServiceTwinPatch, now: number): TwinChangeBody | undefined {
  const current = readTwin(holder);
  const hasTags = patch.tags !== undefined && (patch.tags === null || Object.keys(patch.tags).length > 0);
  const hasDesired = patch.desired !== undefined && (patch.desired === null || Object.keys(patch.desired).length > 0);
  if (!hasTags && !hasDesired) return undefined;

  const tagsPatch = patch.tags === null ? nullPatch(current.tags) : patch.tags;
  const desiredPatch = patch.desired === null ? nullPatch(current.desired.value) : patch.desired;
  const tags = hasTags && tagsPatch !== undefined ? checkedMerge('tags', current.tags, tagsPatch) : undefined;
  const desired = hasDesired && desiredPatch !== undefined ? checkedMerge('desired', current.desired.value, desiredPatch) : undefined;

  // An untouched twin reads as a fresh one and is stored as an equal fresh one, so the candidates above apply.
  const state = materializeTwin(holder);
  state.version += 1;
  state.etagN += 1;
  const version = state.version;
  if (tags !== undefined) state.tags = store(tags);
  let desiredChange: SectionChange | undefined;
  if (desired !== undefined && desiredPatch !== undefined) {
    const section = state.desired;
    section.version += 1;
    commitSectionPatch(section, desired, desiredPatch, now);
    desiredChange = sectionChange(section, desiredPatch);
  }
  return () => {
    const body: JsonObject = { version };
    if (tags !== undefined && tagsPatch !== undefined) body.tags = cloneJson(tagsPatch);
    if (desiredChange !== undefined) body.properties = { desired: renderSectionChange(desiredChange, true) };
    return body;
  };
}

/** What a write left in a section, captured for its notification body (stored values are immutable). */
interface SectionChange {
  readonly patch: JsonObject;
  readonly value: JsonObject;
  readonly meta: Meta;
  readonly version: number;
}

function sectionChange(section: TwinSection, patch: JsonObject): SectionChange {
  return { patch, value: section.value, meta: section.meta, version: section.version };
}

function renderSectionChange(change: SectionChange, versioned: boolean): JsonObject {
  return { ...cloneJson(change.patch), $metadata: renderPatchMetadata(change.meta, change.value, change.patch, versioned), $version: change.version };
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
  state.tags = store(cloneJson(replacement.tags));
  const section = state.desired;
  section.version += 1;
  section.value = store(cloneJson(replacement.desired));
  // Every node of a replaced section was written now.
  section.meta = stampOf(now, section.version);
}

/** Applies a reported-properties patch as a device/module client would. Returns the change's notification body. */
export function applyReportedPatch(holder: TwinHolder, patch: JsonObject, now: number): TwinChangeBody | undefined {
  const cleaned = withoutReadOnlyFields(patch);
  if (Object.keys(cleaned).length === 0) return undefined;
  const reported = checkedMerge('reported', readTwin(holder).reported.value, cleaned);
  const state = materializeTwin(holder);
  state.version += 1;
  const section = state.reported;
  section.version += 1;
  commitSectionPatch(section, reported, cleaned, now);
  const version = state.version;
  const change = sectionChange(section, cleaned);
  return () => ({ version, properties: { reported: renderSectionChange(change, false) } });
}

/** Resolves a path inside `desired`/`reported` the way a query sees it ($version and $metadata included). */
export function sectionPathValue(section: TwinSection, path: readonly string[]): JsonValue | undefined {
  const [head, ...rest] = path;
  if (head === undefined) return renderSection(section);
  if (head === '$version') return rest.length === 0 ? section.version : undefined;
  if (head === '$metadata') return metadataPathValue(section.meta, section.value, rest, section.versionedMetadata);
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
