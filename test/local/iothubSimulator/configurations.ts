// Automatic device and module management (ADM): the hub's configurations, their REST semantics and the
// periodic application of their content to the twins they target.
//
// What the documentation says, and what is modelled:
// - A configuration has a target condition, content (desired properties to write, as paths such as
//   `properties.desired.x`), a priority, labels and up to 5 custom metric queries
//   (iot-hub-automatic-device-management.md). Device configurations carry `deviceContent` and a condition over
//   device twins (`tags.environment='prod'`, `*` for every device); module configurations carry `moduleContent`
//   and a condition that must start with `FROM devices.modules WHERE` (the `*` wildcard cannot target all
//   modules) (Add-AzIotHubConfiguration: "Target condition for modules must start with 'from devices.modules
//   where'"). `modulesContent` (IoT Edge deployments) is not modelled: answered 501.
// - At most 100 configurations on a basic/standard hub, 10 on a free one (iot-hub-devguide-quotas-throttling.md);
//   a further create is 413 ConfigurationCountLimitExceeded (413101, troubleshoot-error-codes.md).
// - Content is immutable: an update may change labels, metrics, priority and targetCondition only
//   (Set-AzIotHubConfiguration; REST "Configuration identifier and Content cannot be updated"); changing the
//   content is 400 CannotModifyImmutableConfigurationContent (400403). Unknown id: 404 ConfigurationNotFound
//   (404301); creating an existing id: 409 ConfigurationAlreadyExists (409401); ETag mismatch: 412.
// - "Automatic configurations run for the first time shortly after the configuration is created and then at
//   five minute intervals. Metrics queries run each time" (iot-hub-automatic-device-management-cli.md). Here a
//   single cadence (`applyEveryMs`, default 5 min) applies every configuration; tests call applyNow().
// - When several configurations target a twin, the higher priority wins; equal priorities go to the most
//   recently created (the SDK's Configuration.priority doc). Resolved per content path: a configuration is
//   *applied* to a twin when it wins every path of its content, else only *targeted*.
// - Not documented: whether a run rewrites a path someone else changed since. The simulator re-applies on each
//   run where the twin no longer holds the content's values (so a fight with another writer shows every run),
//   and writes nothing (no notification) where it already does.
// Application writes go through IotHubCore.patchTwin, the same path as a REST twin PATCH, so twin-change
// notifications are raised as for any other desired-property update.
import { HubError } from './errors';
import type { IotHubCore } from './hubCore';
import { isJsonObject, type JsonObject, type JsonValue } from './json';
import { executeQueryPage } from './queryEngine';
import { parseQuery, type ParsedQuery } from './queryParser';
import { twinPathValue, type TwinView } from './twinDocument';

export const MAX_CONFIGURATIONS = 100;
export const MAX_CUSTOM_METRICS = 5;
export const DEFAULT_APPLY_EVERY_MS = 5 * 60_000;
const MAX_CONFIGURATION_ID_LENGTH = 128;
// Lowercase letters, digits and - + % _ * ! ' (iot-hub-automatic-device-management.md: configuration names).
const CONFIGURATION_ID = /^[a-z0-9\-+%_*!']+$/;
const DESIRED_PREFIX = 'properties.desired';

export interface ConfigurationOptions {
  /** How often every configuration is applied and its metrics computed (default 5 minutes); 0 turns the timer off. */
  readonly applyEveryMs?: number;
  /** Configurations the hub holds at most (default 100, the standard-tier limit; a free hub has 10). */
  readonly maxConfigurations?: number;
}

type ContentKind = 'deviceContent' | 'moduleContent';

interface ConfigurationRecord {
  readonly id: string;
  readonly seq: number;
  readonly schemaVersion: string;
  readonly kind: ContentKind;
  /** The content's paths below properties.desired, e.g. `['chiller-water']` for `properties.desired.chiller-water`. */
  readonly paths: ReadonlyMap<string, { readonly path: readonly string[]; readonly value: JsonValue }>;
  readonly content: JsonObject;
  readonly createdAt: number;
  labels: Readonly<Record<string, string>>;
  targetCondition: string;
  target: ParsedQuery | undefined;
  priority: number;
  metricQueries: Readonly<Record<string, string>>;
  parsedMetrics: ReadonlyMap<string, ParsedQuery>;
  updatedAt: number;
  etagN: number;
  targetedCount: number;
  appliedCount: number;
  metricResults: Record<string, number>;
}

function etagOf(record: ConfigurationRecord): string {
  return Buffer.from(String(record.etagN)).toString('base64');
}

function isoTime(epochMs: number): string {
  return new Date(epochMs).toISOString();
}

function parseTarget(kind: ContentKind, condition: string): ParsedQuery | undefined {
  const trimmed = condition.trim();
  if (trimmed === '') return undefined;
  const isModuleQuery = /^from\s+devices\.modules\s+where\s/i.test(trimmed);
  if (kind === 'moduleContent' && !isModuleQuery) {
    throw new HubError('InvalidConfigurationTargetCondition', "A module configuration's target condition must start with 'FROM devices.modules WHERE'");
  }
  if (kind === 'deviceContent' && /^from\s/i.test(trimmed)) {
    throw new HubError('InvalidConfigurationTargetCondition', "A device configuration's target condition is a condition over device twins, without FROM");
  }
  const text = kind === 'moduleContent' ? `SELECT * ${trimmed}` : trimmed === '*' ? 'SELECT * FROM devices' : `SELECT * FROM devices WHERE ${trimmed}`;
  try {
    return parseQuery(text);
  } catch (error) {
    throw new HubError('InvalidConfigurationTargetCondition', `The target condition '${condition}' is not valid: ${error instanceof Error ? error.message : String(error)}`);
  }
}

function parseContent(body: JsonValue | undefined): { kind: ContentKind; content: JsonObject; paths: ConfigurationRecord['paths'] } {
  if (body !== undefined && body !== null && !isJsonObject(body)) throw new HubError('InvalidConfigurationContent', 'content must be a JSON object');
  const content = body ?? {};
  if (content.modulesContent !== undefined && content.modulesContent !== null) {
    throw new HubError('NotImplementedBySimulator', 'IoT Edge deployments (modulesContent) are not modelled by the simulator');
  }
  const kinds = (['deviceContent', 'moduleContent'] as const).filter((kind) => content[kind] !== undefined && content[kind] !== null);
  const [kind] = kinds;
  if (kind === undefined || kinds.length > 1) throw new HubError('InvalidConfigurationContent', 'content needs exactly one of deviceContent and moduleContent');
  const section = content[kind];
  if (!isJsonObject(section)) throw new HubError('InvalidConfigurationContent', `content.${kind} must be a JSON object`);
  const paths = new Map<string, { path: readonly string[]; value: JsonValue }>();
  for (const [key, value] of Object.entries(section)) {
    if (key !== DESIRED_PREFIX && !key.startsWith(`${DESIRED_PREFIX}.`)) {
      throw new HubError('InvalidConfigurationContent', `content.${kind} may only set desired properties ('${DESIRED_PREFIX}.…'), not '${key}'`);
    }
    const path = key === DESIRED_PREFIX ? [] : key.slice(DESIRED_PREFIX.length + 1).split('.');
    if (path.some((segment) => segment === '' || segment.startsWith('$'))) throw new HubError('InvalidConfigurationContent', `'${key}' is not a valid desired property path`);
    if (path.length === 0 && !isJsonObject(value)) throw new HubError('InvalidConfigurationContent', `'${key}' must be a JSON object`);
    paths.set(key, { path, value });
  }
  return { kind, content: { [kind]: section }, paths };
}

function parseLabels(value: JsonValue | undefined): Record<string, string> {
  if (value === undefined || value === null) return {};
  if (!isJsonObject(value)) throw new HubError('ArgumentInvalid', 'labels must be a JSON object of strings');
  const labels: Record<string, string> = {};
  for (const [key, label] of Object.entries(value)) {
    if (typeof label !== 'string') throw new HubError('ArgumentInvalid', `label '${key}' must be a string`);
    labels[key] = label;
  }
  return labels;
}

function parseMetrics(value: JsonValue | undefined): { queries: Record<string, string>; parsed: Map<string, ParsedQuery> } {
  const queries: Record<string, string> = {};
  const parsed = new Map<string, ParsedQuery>();
  if (value === undefined || value === null) return { queries, parsed };
  if (!isJsonObject(value)) throw new HubError('InvalidConfigurationCustomMetricsQuery', 'metrics must be a JSON object');
  const raw = value.queries;
  if (raw === undefined || raw === null) return { queries, parsed };
  if (!isJsonObject(raw)) throw new HubError('InvalidConfigurationCustomMetricsQuery', 'metrics.queries must be a JSON object of query strings');
  const entries = Object.entries(raw);
  if (entries.length > MAX_CUSTOM_METRICS) throw new HubError('InvalidConfigurationCustomMetricsQuery', `A configuration has at most ${MAX_CUSTOM_METRICS} custom metrics`);
  for (const [name, query] of entries) {
    if (typeof query !== 'string') throw new HubError('InvalidConfigurationCustomMetricsQuery', `metric '${name}' must be a query string`);
    try {
      parsed.set(name, parseQuery(query));
    } catch (error) {
      throw new HubError('InvalidConfigurationCustomMetricsQuery', `metric '${name}' is not a valid query: ${error instanceof Error ? error.message : String(error)}`);
    }
    queries[name] = query;
  }
  return { queries, parsed };
}

function parsePriority(value: JsonValue | undefined): number {
  if (value === undefined || value === null) return 0;
  if (typeof value !== 'number' || !Number.isInteger(value) || value < 0) throw new HubError('ArgumentInvalid', 'priority must be a non-negative integer');
  return value;
}

function parseCondition(value: JsonValue | undefined): string {
  if (value === undefined || value === null) return '';
  if (typeof value !== 'string') throw new HubError('InvalidConfigurationTargetCondition', 'targetCondition must be a string');
  return value;
}

function sameJson(left: JsonValue | undefined, right: JsonValue | undefined): boolean {
  return JSON.stringify(canonical(left)) === JSON.stringify(canonical(right));
}

function canonical(value: JsonValue | undefined): JsonValue | undefined {
  if (!isJsonObject(value)) return Array.isArray(value) ? value.map((item) => canonical(item) ?? null) : value;
  const sorted: JsonObject = {};
  for (const key of Object.keys(value).sort()) sorted[key] = canonical(value[key]) ?? null;
  return sorted;
}

/** Whether the twin's value already holds what a merge-patch of `wanted` would write (null: absent). */
function holds(current: JsonValue | undefined, wanted: JsonValue): boolean {
  if (wanted === null) return current === undefined;
  if (!isJsonObject(wanted)) return current !== undefined && sameJson(current, wanted);
  if (!isJsonObject(current)) return false;
  return Object.entries(wanted).every(([key, value]) => holds(current[key], value));
}

function setPath(target: JsonObject, path: readonly string[], value: JsonValue): void {
  if (path.length === 0) {
    if (isJsonObject(value)) Object.assign(target, value);
    return;
  }
  let node = target;
  for (const segment of path.slice(0, -1)) {
    const next = node[segment];
    node = isJsonObject(next) ? next : (node[segment] = {});
  }
  node[path[path.length - 1]!] = value;
}

function twinKey(view: TwinView): string {
  return view.module === undefined ? view.device.deviceId : `${view.device.deviceId}/${view.module.moduleId}`;
}

function* matchingTwins(core: IotHubCore, query: ParsedQuery): Generator<TwinView> {
  let token: string | undefined;
  do {
    const page = executeQueryPage(core.store, query, token, 1000);
    for (const item of page.items) {
      const device = core.store.get(String(item.deviceId));
      if (device === undefined) continue;
      if (query.collection === 'devices') {
        yield { device, module: undefined };
      } else {
        const module = core.store.findModule(device, String(item.moduleId));
        if (module !== undefined) yield { device, module };
      }
    }
    token = page.continuationToken;
  } while (token !== undefined);
}

function countRows(core: IotHubCore, query: ParsedQuery): number {
  const isAggregate = query.select?.some((item) => item.kind === 'count') ?? false;
  let count = 0;
  let token: string | undefined;
  do {
    const page = executeQueryPage(core.store, query, token, 1000);
    if (isAggregate) {
      for (const row of page.items) for (const value of Object.values(row)) if (typeof value === 'number') count += value;
    } else {
      count += page.items.length;
    }
    token = page.continuationToken;
  } while (token !== undefined);
  return count;
}

export interface ConfigurationWrite {
  readonly status: number;
  readonly body: JsonObject;
  readonly etag: string;
}

/** The hub's configurations: REST operations (restApi.ts routes here) and the application runs. */
export class ConfigurationStore {
  private readonly records = new Map<string, ConfigurationRecord>();
  private seq = 0;
  private etagCounter = 0;
  private timer: NodeJS.Timeout | undefined;
  private readonly maxConfigurations: number;
  /** Application runs so far. */
  runs = 0;

  constructor(
    private readonly core: IotHubCore,
    options: ConfigurationOptions = {},
  ) {
    const every = options.applyEveryMs ?? DEFAULT_APPLY_EVERY_MS;
    if (!Number.isFinite(every) || every < 0) throw new RangeError(`configurations.applyEveryMs must be a non-negative number, not ${every}`);
    this.maxConfigurations = options.maxConfigurations ?? MAX_CONFIGURATIONS;
    if (!Number.isInteger(this.maxConfigurations) || this.maxConfigurations < 1) throw new RangeError(`configurations.maxConfigurations must be a positive integer`);
    if (every > 0) {
      this.timer = setInterval(() => this.applyNow(), every);
      this.timer.unref();
    }
  }

  stop(): void {
    if (this.timer !== undefined) clearInterval(this.timer);
    this.timer = undefined;
  }

  get size(): number {
    return this.records.size;
  }

  // -------------------------------------------------------------------------------------------------------
  // REST

  get(id: string): ConfigurationWrite {
    const record = this.require(id);
    return { status: 200, body: this.render(record), etag: etagOf(record) };
  }

  /** GET /configurations?top=: every configuration (no paging, as the service), at most `top`. */
  list(top: number | undefined): JsonObject[] {
    const all = [...this.records.values()].map((record) => this.render(record));
    return top === undefined ? all : all.slice(0, top);
  }

  /** PUT /configurations/{id}: create without If-Match, update (mutable fields only) with one. */
  put(id: string, body: JsonValue | undefined, ifMatch: string | undefined): ConfigurationWrite {
    this.assertValidId(id);
    if (body === undefined) throw new HubError('ArgumentNull', 'The configuration is missing from the request body');
    if (!isJsonObject(body)) throw new HubError('IotHubFormatError', 'The configuration must be a JSON object');
    if (body.id !== undefined && body.id !== id) {
      throw new HubError('ArgumentInvalid', `The id in the body ('${String(body.id)}') does not match the one in the URL ('${id}')`);
    }
    const existing = this.records.get(id);
    if (ifMatch === undefined) {
      if (existing !== undefined) throw new HubError('ConfigurationAlreadyExists', `A configuration with ID '${id}' already exists`);
      return this.create(id, body);
    }
    if (existing === undefined) throw new HubError('ConfigurationNotFound', `Configuration '${id}' not found`);
    if (ifMatch !== '*' && ifMatch !== etagOf(existing)) {
      throw new HubError('PreconditionFailed', `Precondition failed: the ETag '${ifMatch}' does not match the current ETag '${etagOf(existing)}' of configuration '${id}'`);
    }
    return this.update(existing, body);
  }

  delete(id: string, ifMatch: string | undefined): void {
    const record = this.require(id);
    if (ifMatch !== undefined && ifMatch !== '*' && ifMatch !== etagOf(record)) {
      throw new HubError('PreconditionFailed', `Precondition failed: the ETag '${ifMatch}' does not match the current ETag '${etagOf(record)}' of configuration '${id}'`);
    }
    this.records.delete(id);
  }

  /** POST /configurations/testQueries: validates a target condition and custom metric queries. */
  testQueries(body: JsonValue | undefined): JsonObject {
    if (body === undefined) throw new HubError('ArgumentNull', 'The query input is missing from the request body');
    if (!isJsonObject(body)) throw new HubError('IotHubFormatError', 'The query input must be a JSON object');
    const condition = parseCondition(body.targetCondition);
    let targetConditionError = '';
    try {
      const kind: ContentKind = /^\s*from\s/i.test(condition) ? 'moduleContent' : 'deviceContent';
      parseTarget(kind, condition);
    } catch (error) {
      targetConditionError = error instanceof HubError ? error.description : String(error);
    }
    const customMetricQueryErrors: JsonObject = {};
    const queries = body.customMetricQueries;
    if (isJsonObject(queries)) {
      for (const [name, query] of Object.entries(queries)) {
        try {
          if (typeof query !== 'string') throw new Error('the metric query must be a string');
          parseQuery(query);
        } catch (error) {
          customMetricQueryErrors[name] = error instanceof HubError ? error.description : error instanceof Error ? error.message : String(error);
        }
      }
    }
    return { targetConditionError, customMetricQueryErrors };
  }

  /**
   * POST /devices/{id}/applyConfigurationContent: the REST reference's "Apply On Edge Device". Only
   * `modulesContent` is meaningful there; its `properties.desired` per module is merged into the module twins
   * the edge device has (through the normal twin-write path). Modules the device lacks are skipped.
   */
  applyOnDevice(deviceId: string, body: JsonValue | undefined): void {
    const device = this.core.store.get(deviceId);
    if (device === undefined) throw new HubError('DeviceNotFound', deviceId);
    if (!isJsonObject(body)) throw new HubError('InvalidConfigurationContent', 'The configuration content must be a JSON object');
    const modulesContent = body.modulesContent;
    if (!isJsonObject(modulesContent)) throw new HubError('InvalidConfigurationContent', 'Applying content to a device needs modulesContent (an IoT Edge deployment)');
    if (!device.iotEdge) throw new HubError('ArgumentInvalid', `Device '${deviceId}' is not an IoT Edge device`);
    for (const [moduleId, moduleContent] of Object.entries(modulesContent)) {
      if (!isJsonObject(moduleContent)) throw new HubError('InvalidConfigurationContent', `modulesContent.${moduleId} must be a JSON object`);
      const desired = moduleContent[DESIRED_PREFIX];
      if (desired !== undefined && !isJsonObject(desired)) throw new HubError('InvalidConfigurationContent', `modulesContent.${moduleId}['${DESIRED_PREFIX}'] must be a JSON object`);
    }
    for (const [moduleId, moduleContent] of Object.entries(modulesContent)) {
      const module = this.core.store.findModule(device, moduleId);
      const desired = (moduleContent as JsonObject)[DESIRED_PREFIX];
      if (module !== undefined && isJsonObject(desired)) this.core.patchTwin({ device, module }, { tags: undefined, desired });
    }
  }

  // -------------------------------------------------------------------------------------------------------
  // Application

  /** One application run: every configuration's content onto the twins it wins, then its metrics. */
  applyNow(): void {
    this.runs += 1;
    const ordered = [...this.records.values()].sort((a, b) => b.priority - a.priority || b.createdAt - a.createdAt || b.seq - a.seq);
    // For each twin, the configurations targeting it, highest precedence first.
    const byTwin = new Map<string, { view: TwinView; configs: ConfigurationRecord[] }>();
    for (const record of ordered) {
      record.targetedCount = 0;
      record.appliedCount = 0;
      if (record.target === undefined) continue;
      for (const view of matchingTwins(this.core, record.target)) {
        const key = `${record.kind}:${twinKey(view)}`;
        let entry = byTwin.get(key);
        if (entry === undefined) byTwin.set(key, (entry = { view, configs: [] }));
        entry.configs.push(record);
        record.targetedCount += 1;
      }
    }
    for (const { view, configs } of byTwin.values()) this.applyToTwin(view, configs);
    for (const record of ordered) {
      const results: Record<string, number> = {};
      for (const [name, query] of record.parsedMetrics) results[name] = countRows(this.core, query);
      record.metricResults = results;
    }
  }

  private applyToTwin(view: TwinView, configs: readonly ConfigurationRecord[]): void {
    const claimed = new Map<string, ConfigurationRecord>();
    for (const record of configs) for (const key of record.paths.keys()) if (!claimed.has(key)) claimed.set(key, record);
    const desired: JsonObject = {};
    let changes = 0;
    for (const [key, winner] of claimed) {
      const { path, value } = winner.paths.get(key)!;
      if (holds(twinPathValue(view, ['properties', 'desired', ...path]), value)) continue;
      setPath(desired, path, value);
      changes += 1;
    }
    if (changes > 0) {
      try {
        this.core.patchTwin(view, { tags: undefined, desired });
      } catch (error) {
        // Content the twin can't take (twin limits): the hub leaves the twin as it is; nothing is applied.
        if (error instanceof HubError) return;
        throw error;
      }
    }
    for (const record of configs) {
      if ([...record.paths.keys()].every((key) => claimed.get(key) === record)) record.appliedCount += 1;
    }
  }

  // -------------------------------------------------------------------------------------------------------

  private assertValidId(id: string): void {
    if (id.length === 0 || id.length > MAX_CONFIGURATION_ID_LENGTH || !CONFIGURATION_ID.test(id)) {
      throw new HubError('ArgumentInvalid', `'${id}' is not a valid configuration ID: up to ${MAX_CONFIGURATION_ID_LENGTH} lowercase letters, digits and - + % _ * ! '`);
    }
  }

  private require(id: string): ConfigurationRecord {
    const record = this.records.get(id);
    if (record === undefined) throw new HubError('ConfigurationNotFound', `Configuration '${id}' not found`);
    return record;
  }

  private create(id: string, body: JsonObject): ConfigurationWrite {
    if (this.records.size >= this.maxConfigurations) {
      throw new HubError('ConfigurationCountLimitExceeded', `The hub already has the maximum of ${this.maxConfigurations} configurations`);
    }
    const { kind, content, paths } = parseContent(body.content);
    const targetCondition = parseCondition(body.targetCondition);
    const target = parseTarget(kind, targetCondition);
    const metrics = parseMetrics(body.metrics);
    const now = this.core.clock.now();
    this.seq += 1;
    this.etagCounter += 1;
    const record: ConfigurationRecord = {
      id,
      seq: this.seq,
      schemaVersion: typeof body.schemaVersion === 'string' ? body.schemaVersion : '1.0',
      kind,
      paths,
      content,
      createdAt: now,
      labels: parseLabels(body.labels),
      targetCondition,
      target,
      priority: parsePriority(body.priority),
      metricQueries: metrics.queries,
      parsedMetrics: metrics.parsed,
      updatedAt: now,
      etagN: this.etagCounter,
      targetedCount: 0,
      appliedCount: 0,
      metricResults: {},
    };
    this.records.set(id, record);
    return { status: 200, body: this.render(record), etag: etagOf(record) };
  }

  private update(record: ConfigurationRecord, body: JsonObject): ConfigurationWrite {
    if (body.content !== undefined && body.content !== null) {
      const incoming = isJsonObject(body.content) ? body.content : undefined;
      const comparable: JsonObject = {};
      for (const [key, value] of Object.entries(incoming ?? {})) if (value !== null) comparable[key] = value;
      if (incoming === undefined || !sameJson(comparable, record.content)) {
        throw new HubError('CannotModifyImmutableConfigurationContent', `The content of configuration '${record.id}' cannot be changed; create a new configuration instead`);
      }
    }
    const targetCondition = body.targetCondition === undefined ? record.targetCondition : parseCondition(body.targetCondition);
    const target = parseTarget(record.kind, targetCondition);
    const metrics = body.metrics === undefined ? undefined : parseMetrics(body.metrics);
    const labels = body.labels === undefined ? record.labels : parseLabels(body.labels);
    const priority = body.priority === undefined ? record.priority : parsePriority(body.priority);
    record.targetCondition = targetCondition;
    record.target = target;
    if (metrics !== undefined) {
      record.metricQueries = metrics.queries;
      record.parsedMetrics = metrics.parsed;
      record.metricResults = {};
    }
    record.labels = labels;
    record.priority = priority;
    record.updatedAt = this.core.clock.now();
    this.etagCounter += 1;
    record.etagN = this.etagCounter;
    return { status: 200, body: this.render(record), etag: etagOf(record) };
  }

  private render(record: ConfigurationRecord): JsonObject {
    const targeted = record.target === undefined ? '' : `select deviceId${record.kind === 'moduleContent' ? ', moduleId' : ''} ${record.target.text.replace(/^SELECT \* /, '')}`;
    return {
      id: record.id,
      schemaVersion: record.schemaVersion,
      labels: { ...record.labels },
      content: record.content,
      targetCondition: record.targetCondition,
      createdTimeUtc: isoTime(record.createdAt),
      lastUpdatedTimeUtc: isoTime(record.updatedAt),
      priority: record.priority,
      systemMetrics: {
        results: { targetedCount: record.targetedCount, appliedCount: record.appliedCount },
        queries: { targetedCount: targeted, appliedCount: `select deviceId from devices where configurations.[[${record.id}]].status = 'Applied'` },
      },
      metrics: { results: { ...record.metricResults }, queries: { ...record.metricQueries } },
      etag: etagOf(record),
    };
  }
}
