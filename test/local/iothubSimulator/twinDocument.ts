// Twin documents as the REST API and the query engine show them (GET /twins/..., SELECT * FROM devices[.modules]).
// One field resolver serves both, so a query's WHERE sees exactly what a GET returns.
import { authenticationType, edgeDeviceScope, identityEtag, renderX509 } from './identity';
import { cloneJson, type JsonObject, type JsonValue } from './json';
import type { DeviceRecord, ModuleRecord } from './registry';
import { hubTimestamp, NEVER_UTC } from './time';
import { readTwin, renderSection, sectionPathValue, twinEtag, walk } from './twin';

export interface TwinView {
  readonly device: DeviceRecord;
  readonly module: ModuleRecord | undefined;
}

const DEVICE_TWIN_FIELDS: readonly string[] = [
  'deviceId', 'etag', 'deviceEtag', 'status', 'statusUpdateTime', 'connectionState', 'lastActivityTime',
  'cloudToDeviceMessageCount', 'authenticationType', 'x509Thumbprint', 'modelId', 'version', 'tags', 'properties',
  'capabilities', 'deviceScope',
];

const MODULE_TWIN_FIELDS: readonly string[] = [
  'deviceId', 'moduleId', 'etag', 'deviceEtag', 'status', 'statusUpdateTime', 'connectionState', 'lastActivityTime',
  'cloudToDeviceMessageCount', 'authenticationType', 'x509Thumbprint', 'modelId', 'version', 'tags', 'properties',
];

function holderOf(view: TwinView): DeviceRecord | ModuleRecord {
  return view.module ?? view.device;
}

/** One top-level field of the twin document, or undefined when the document doesn't have it. */
export function twinField(view: TwinView, name: string): JsonValue | undefined {
  const { device, module } = view;
  const holder = holderOf(view);
  switch (name) {
    case 'deviceId':
      return device.deviceId;
    case 'moduleId':
      return module?.moduleId;
    case 'etag':
      return twinEtag(readTwin(holder));
    case 'deviceEtag':
      return identityEtag(holder.etagN);
    case 'status':
      return module === undefined ? device.status : 'enabled';
    case 'statusUpdateTime':
      return module === undefined && device.statusUpdatedAt !== 0 ? hubTimestamp(device.statusUpdatedAt) : NEVER_UTC;
    case 'connectionState':
      return 'Disconnected';
    case 'lastActivityTime':
      return NEVER_UTC;
    case 'cloudToDeviceMessageCount':
      return 0;
    case 'authenticationType':
      return authenticationType(holder.auth);
    case 'x509Thumbprint':
      return renderX509(holder.auth);
    case 'modelId':
      return '';
    case 'version':
      return readTwin(holder).version;
    case 'tags': {
      // An empty tags section is absent from the document, as the service returns it.
      const tags = readTwin(holder).tags;
      return Object.keys(tags).length === 0 ? undefined : cloneJson(tags);
    }
    case 'properties': {
      const twin = readTwin(holder);
      return { desired: renderSection(twin.desired), reported: renderSection(twin.reported) };
    }
    case 'capabilities':
      return module === undefined ? { iotEdge: device.iotEdge } : undefined;
    case 'deviceScope':
      return module === undefined && device.iotEdge ? edgeDeviceScope(device) : undefined;
    default:
      return undefined;
  }
}

export function renderTwin(view: TwinView): JsonObject {
  const json: JsonObject = {};
  for (const name of view.module === undefined ? DEVICE_TWIN_FIELDS : MODULE_TWIN_FIELDS) {
    const value = twinField(view, name);
    if (value !== undefined) json[name] = value;
  }
  return json;
}

/**
 * Value at a dotted path of the twin document. Tags and properties are walked in the stored trees without
 * rendering the document, which keeps WHERE evaluation over a 100k fleet allocation-light.
 */
export function twinPathValue(view: TwinView, path: readonly string[]): JsonValue | undefined {
  const [head, ...rest] = path;
  if (head === undefined) return renderTwin(view);
  if (head === 'tags') {
    const tags = readTwin(holderOf(view)).tags;
    if (rest.length === 0) return Object.keys(tags).length === 0 ? undefined : tags;
    return walk(tags, rest);
  }
  if (head === 'properties' && rest.length > 0) {
    const twin = readTwin(holderOf(view));
    const [sectionName, ...inner] = rest;
    if (sectionName === 'desired') return sectionPathValue(twin.desired, inner);
    if (sectionName === 'reported') return sectionPathValue(twin.reported, inner);
    return undefined;
  }
  return walk(twinField(view, head), rest);
}
