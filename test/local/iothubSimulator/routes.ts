// Maps an HTTP request line to an operation and its path parameters. IDs arrive URL-encoded (the SDK
// encodeURIComponent's them), so each path segment is decoded on its own after splitting on '/'.
import { HubError } from './errors';
import type { OperationName } from './operations';

export interface RouteMatch {
  readonly operation: OperationName;
  readonly deviceId: string | undefined;
  readonly moduleId: string | undefined;
  /** /jobs/v2/{jobId} routes only. */
  readonly jobId?: string;
  /** /configurations/{id} routes only. */
  readonly configurationId?: string;
}

function decodeSegment(segment: string): string {
  try {
    return decodeURIComponent(segment);
  } catch {
    throw new HubError('ArgumentInvalid', `The path segment '${segment}' is not valid URL encoding`);
  }
}

function route(operation: OperationName, deviceId?: string, moduleId?: string): RouteMatch {
  return { operation, deviceId, moduleId };
}

/**
 * `ifMatch` distinguishes create from update on PUT /devices/{id}: the SDK's `create` sends no If-Match and
 * `update` sends one, and the service treats a PUT without If-Match on an existing device as a conflict.
 */
export function matchRoute(method: string, pathname: string, ifMatch: string | undefined): RouteMatch {
  const raw = pathname.split('/').slice(1);
  if (raw.length > 0 && raw[raw.length - 1] === '') raw.pop();
  const parts = raw.map(decodeSegment);
  const [collection, id, sub, moduleId, extra] = parts;

  if (collection === 'devices') {
    if (id === undefined) {
      if (method === 'GET') return route('listDevices');
      if (method === 'POST') return route('bulkDevices');
    } else if (id === 'query' && sub === undefined && method === 'POST') {
      return route('queryTwins');
    } else if (sub === 'applyConfigurationContent' && moduleId === undefined && method === 'POST') {
      return route('applyConfigurationContent', id);
    } else if (sub === undefined) {
      if (method === 'PUT') return route(ifMatch === undefined ? 'createDevice' : 'updateDevice', id);
      if (method === 'GET') return route('getDevice', id);
      if (method === 'DELETE') return route('deleteDevice', id);
    } else if (sub === 'modules' && moduleId === undefined && method === 'GET') {
      return route('listModules', id);
    } else if (sub === 'modules' && moduleId !== undefined && extra === undefined) {
      if (method === 'PUT') return route('createOrUpdateModule', id, moduleId);
      if (method === 'GET') return route('getModule', id, moduleId);
      if (method === 'DELETE') return route('deleteModule', id, moduleId);
    }
  } else if (collection === 'twins' && id !== undefined) {
    if (sub === undefined) {
      if (method === 'GET') return route('getTwin', id);
      if (method === 'PATCH') return route('updateTwin', id);
      if (method === 'PUT') return route('replaceTwin', id);
    } else if (sub === 'modules' && moduleId !== undefined && extra === undefined) {
      if (method === 'GET') return route('getModuleTwin', id, moduleId);
      if (method === 'PATCH') return route('updateModuleTwin', id, moduleId);
      if (method === 'PUT') return route('replaceModuleTwin', id, moduleId);
    }
  } else if (collection === 'jobs' && id === 'v2' && sub !== undefined && extra === undefined) {
    if (sub === 'query' && moduleId === undefined && method === 'GET') return route('queryTwinJobs');
    if (moduleId === undefined && method === 'PUT') return { ...route('createTwinJob'), jobId: sub };
    if (moduleId === undefined && method === 'GET') return { ...route('getTwinJob'), jobId: sub };
    if (moduleId === 'cancel' && method === 'POST') return { ...route('cancelTwinJob'), jobId: sub };
  } else if (collection === 'configurations' && sub === undefined) {
    if (id === undefined && method === 'GET') return route('listConfigurations');
    if (id === 'testQueries' && method === 'POST') return route('testConfigurationQueries');
    if (id !== undefined && method === 'PUT') return { ...route('putConfiguration'), configurationId: id };
    if (id !== undefined && method === 'GET') return { ...route('getConfiguration'), configurationId: id };
    if (id !== undefined && method === 'DELETE') return { ...route('deleteConfiguration'), configurationId: id };
  } else if (collection === 'statistics' && id === 'devices' && sub === undefined && method === 'GET') {
    return route('getRegistryStatistics');
  } else if (collection === 'statistics' && id === 'service' && sub === undefined && method === 'GET') {
    return route('getServiceStatistics');
  }
  return route('unsupported');
}
