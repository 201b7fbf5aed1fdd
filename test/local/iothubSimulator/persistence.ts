// The hub's content as a JSON document, so a simulator can stop and a later one start with the same devices,
// modules and twins (versions, ETags, $metadata, generation IDs and so the derived keys included) — the lab's
// --state-dir, the way Azurite keeps its tables.
//
// Size: twins share their content (jsonInterner.ts) and their $metadata stamps (twinMetadata.ts), so each
// distinct content object and stamp is written once and referenced by index; a fleet provisioned with one
// baseline stores the baseline once, not once per twin. Reading interns the content again, so the restored
// hub shares it as the saved one did.
import { X509Certificate } from 'node:crypto';
import type { SharedAccessPolicy } from './auth';
import type { ServerCertificate } from './certificate';
import type { IotHubCore } from './hubCore';
import type { AuthenticationType, StoredAuthentication } from './identity';
import type { JsonObject } from './json';
import { twinContent } from './jsonInterner';
import { DeviceRecord, ModuleRecord, type DeviceStatus } from './registry';
import { TwinSection, TwinState } from './twin';
import { MetaTree, Stamp, type Meta } from './twinMetadata';

const HUB_STATE_FORMAT = 'smt-iothub-simulator-state/1';

/** A stamp as [epoch ms, desired $version or null]; a tree as its own, rest and differing children's indexes. */
type SavedMeta = readonly [number, number | null] | { readonly own: number; readonly rest: number; readonly children: readonly (readonly [string, number])[] };

/** A section as [content index, $version, meta index]. */
type SavedSection = readonly [number, number, number];

interface SavedTwin {
  readonly version: number;
  readonly etag: number;
  readonly tags: number;
  readonly desired: SavedSection;
  readonly reported: SavedSection;
}

interface SavedIdentity {
  readonly id: string;
  readonly seq: number;
  readonly generation: number;
  readonly etag: number;
  readonly createdAt: number;
  readonly auth?: StoredAuthentication;
  readonly twin?: SavedTwin;
}

interface SavedModule extends SavedIdentity {
  readonly managedBy: string | null;
}

interface SavedDevice extends SavedIdentity {
  readonly status: DeviceStatus;
  readonly statusReason: string | null;
  readonly statusUpdatedAt: number;
  readonly iotEdge: boolean;
  readonly modules?: readonly SavedModule[];
}

/** Everything a simulator needs to come back as it was. Plain JSON. */
export interface SavedHubState {
  readonly format: typeof HUB_STATE_FORMAT;
  readonly savedAt: string;
  readonly hostName: string;
  /** The hub's shared access policies: connection strings handed out before stay valid. */
  readonly sharedAccessPolicies: readonly SharedAccessPolicy[];
  /** base64 of the secret device and module keys are derived from (identity.ts KeyDeriver). */
  readonly keySecret: string;
  readonly certificate: ServerCertificate;
  readonly contents: readonly JsonObject[];
  readonly metas: readonly SavedMeta[];
  /** In creation order. */
  readonly devices: readonly SavedDevice[];
}

type HubSettingsToSave = Pick<SavedHubState, 'hostName' | 'sharedAccessPolicies' | 'keySecret' | 'certificate'>;

/** Writes the hub's content into a SavedHubState (nothing in the hub changes). */
export function saveHubState(core: IotHubCore, settings: HubSettingsToSave, now: Date): SavedHubState {
  const contents: JsonObject[] = [];
  const contentIndex = new Map<JsonObject, number>();
  const metas: SavedMeta[] = [];
  const metaIndex = new Map<Meta, number>();

  const content = (value: JsonObject): number => {
    let index = contentIndex.get(value);
    if (index === undefined) {
      index = contents.push(value) - 1;
      contentIndex.set(value, index);
    }
    return index;
  };
  // Children before their parent, so reading in index order always finds what a tree refers to.
  const meta = (value: Meta): number => {
    const known = metaIndex.get(value);
    if (known !== undefined) return known;
    const saved: SavedMeta =
      value instanceof Stamp
        ? [value.at, value.version ?? null]
        : { own: meta(value.own), rest: meta(value.rest), children: [...value.children].map(([key, child]) => [key, meta(child)] as const) };
    const index = metas.push(saved) - 1;
    metaIndex.set(value, index);
    return index;
  };
  const section = (value: TwinSection): SavedSection => [content(value.value), value.version, meta(value.meta)];
  const twin = (state: TwinState | undefined): { twin?: SavedTwin } =>
    state === undefined ? {} : { twin: { version: state.version, etag: state.etagN, tags: content(state.tags), desired: section(state.desired), reported: section(state.reported) } };
  const auth = (value: StoredAuthentication | undefined): { auth?: StoredAuthentication } => (value === undefined ? {} : { auth: value });

  const devices: SavedDevice[] = [];
  for (const device of core.store.devicesAfter(0)) {
    const modules = device.modules?.map(
      (module): SavedModule => ({
        id: module.moduleId,
        seq: module.seq,
        generation: module.generation,
        etag: module.etagN,
        createdAt: module.createdAt,
        managedBy: module.managedBy,
        ...auth(module.auth),
        ...twin(module.twin),
      }),
    );
    devices.push({
      id: device.deviceId,
      seq: device.seq,
      generation: device.generation,
      etag: device.etagN,
      createdAt: device.createdAt,
      status: device.status,
      statusReason: device.statusReason,
      statusUpdatedAt: device.statusUpdatedAt,
      iotEdge: device.iotEdge,
      ...auth(device.auth),
      ...twin(device.twin),
      ...(modules === undefined ? {} : { modules }),
    });
  }
  return { format: HUB_STATE_FORMAT, savedAt: now.toISOString(), ...settings, contents, metas, devices };
}

/** Puts saved devices, modules and twins into an empty hub, exactly as they were saved. */
export function restoreHubState(core: IotHubCore, state: SavedHubState): void {
  if (core.store.size > 0) throw new Error('A saved hub state can only be restored into an empty hub.');
  // Interned once each, so twins that shared content share it again.
  const contents = state.contents.map((value) => twinContent.intern(value));
  const metas: Meta[] = [];
  for (const saved of state.metas) {
    metas.push(Array.isArray(saved) ? new Stamp(saved[0], saved[1] ?? undefined) : restoreTree(saved as Exclude<SavedMeta, readonly unknown[]>, metas));
  }
  const at = <T>(list: readonly T[], index: number, what: string): T => {
    const value = list[index];
    if (value === undefined) throw new Error(`The saved hub state refers to ${what} ${index}, which it does not contain.`);
    return value;
  };
  const section = ([content, version, meta]: SavedSection, versioned: boolean) => new TwinSection(at(contents, content, 'content'), version, at(metas, meta, 'metadata'), versioned);
  const twin = (saved: SavedTwin | undefined): TwinState | undefined =>
    saved === undefined
      ? undefined
      : new TwinState(saved.version, saved.etag, at(contents, saved.tags, 'content'), section(saved.desired, true), section(saved.reported, false));

  for (const saved of state.devices) {
    const device = new DeviceRecord(
      saved.id,
      saved.seq,
      saved.generation,
      saved.etag,
      saved.status,
      saved.statusReason,
      saved.statusUpdatedAt,
      saved.iotEdge,
      restoredAuth(saved.auth),
      saved.createdAt,
    );
    device.twin = twin(saved.twin);
    if (saved.modules !== undefined && saved.modules.length > 0) {
      device.modules = saved.modules.map((module) => {
        const record = new ModuleRecord(saved.id, module.id, module.seq, module.generation, module.etag, restoredAuth(module.auth), module.managedBy, module.createdAt);
        record.twin = twin(module.twin);
        return record;
      });
    }
    core.store.restoreDevice(device);
  }
}

/**
 * The saved certificate when it is for this host name and valid for at least another day (they are made
 * for a week); undefined means make a new one, which clients then have to trust anew.
 */
export function reusableCertificate(state: SavedHubState, hostName: string, now: Date): ServerCertificate | undefined {
  if (state.hostName !== hostName) return undefined;
  try {
    const validTo = Date.parse(new X509Certificate(state.certificate.certificatePem).validTo);
    return validTo - now.getTime() > 24 * 60 * 60 * 1000 ? state.certificate : undefined;
  } catch {
    return undefined;
  }
}

/** Throws unless `value` looks like a SavedHubState this code can read. */
export function assertSavedHubState(value: unknown, where: string): asserts value is SavedHubState {
  const candidate = value as Partial<SavedHubState> | null;
  if (typeof candidate !== 'object' || candidate === null || candidate.format !== HUB_STATE_FORMAT) {
    const found = typeof candidate === 'object' && candidate !== null && typeof candidate.format === 'string' ? `format ${candidate.format}` : 'no known format';
    throw new Error(`${where} is not a saved hub state this lab can read (${found}, expected ${HUB_STATE_FORMAT}).`);
  }
  if (!Array.isArray(candidate.devices) || !Array.isArray(candidate.contents) || !Array.isArray(candidate.metas) || !Array.isArray(candidate.sharedAccessPolicies)) {
    throw new Error(`${where} is incomplete: it lacks devices, contents, metas or sharedAccessPolicies.`);
  }
}

function restoreTree(saved: { readonly own: number; readonly rest: number; readonly children: readonly (readonly [string, number])[] }, metas: readonly Meta[]): MetaTree {
  const stamp = (index: number): Stamp => {
    const value = metas[index];
    if (!(value instanceof Stamp)) throw new Error(`The saved hub state's metadata ${index} should be a stamp.`);
    return value;
  };
  const children = new Map<string, Meta>();
  for (const [key, index] of saved.children) {
    const child = metas[index];
    if (child === undefined) throw new Error(`The saved hub state refers to metadata ${index} before defining it.`);
    children.set(key, child);
  }
  return new MetaTree(stamp(saved.own), stamp(saved.rest), children);
}

const authenticationTypes: readonly AuthenticationType[] = ['sas', 'selfSigned', 'certificateAuthority', 'none'];

function restoredAuth(saved: StoredAuthentication | undefined): StoredAuthentication | undefined {
  if (saved === undefined) return undefined;
  if (!authenticationTypes.includes(saved.type)) throw new Error(`The saved hub state has an unknown authentication type '${String(saved.type)}'.`);
  return { type: saved.type, primaryKey: saved.primaryKey, secondaryKey: saved.secondaryKey, primaryThumbprint: saved.primaryThumbprint, secondaryThumbprint: saved.secondaryThumbprint };
}
