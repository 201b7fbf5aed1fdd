// Evaluates parsed queries over the registry, one page at a time, with opaque continuation tokens.
//
// Semantics follow the Cosmos-style engine behind IoT Hub queries: a comparison involving a missing property,
// two different types, or a non-primitive value is *undefined*, and a row is returned only when the WHERE
// condition is true (so `properties.reported.x != 'a'` does not match twins without x; use IS_DEFINED).
// AND/OR/NOT use three-valued logic.
//
// Paging and cost. Rows are visited in creation order (devices; for devices.modules, each device's modules in
// creation order). The continuation token records the position of the last returned row ((device seq, module
// seq) plus rows returned so far for TOP), so the next page starts with a binary search over the store
// (O(log n)) and scans forward only until it has pageSize matches plus one look-ahead match (so the last page
// carries no token). A full walk of a selective query is O(n + pages·log n) overall; a page never re-scans
// the rows before its start. COUNT()/GROUP BY are O(n) per page request (the aggregate is recomputed, then
// paged by offset), which is fine because they return few rows.
import { HubError } from './errors';
import { isPrimitive, type JsonObject, type JsonPrimitive, type JsonValue } from './json';
import type { Operand, ParsedQuery, QueryCondition } from './queryParser';
import type { DeviceStore } from './registry';
import { renderTwin, twinPathValue, type TwinView } from './twinDocument';

type Truth = boolean | undefined;

interface Cursor {
  /** seq of the device of the last returned row. */
  readonly device: number;
  /** seq of the module of the last returned row (devices.modules only), else 0. */
  readonly module: number;
  /** Rows returned so far (TOP) or offset into aggregate rows. */
  readonly returned: number;
}

export interface QueryPage {
  readonly items: JsonObject[];
  readonly continuationToken: string | undefined;
  /** Value for the response header x-ms-item-type. */
  readonly itemType: 'twin' | 'raw';
}

function operandValue(operand: Operand, view: TwinView): JsonValue | undefined {
  return operand.kind === 'literal' ? operand.value : twinPathValue(view, operand.path);
}

function compare(operator: string, left: JsonValue | undefined, right: JsonValue | undefined): Truth {
  if (left === undefined || right === undefined || !isPrimitive(left) || !isPrimitive(right)) return undefined;
  if (left === null || right === null) {
    if (left !== right) return undefined;
    return operator === '=' ? true : operator === '!=' ? false : undefined;
  }
  if (typeof left !== typeof right) return undefined;
  switch (operator) {
    case '=':
      return left === right;
    case '!=':
      return left !== right;
    default:
      if (typeof left === 'boolean') return undefined;
      if (operator === '<') return left < right;
      if (operator === '<=') return left <= right;
      if (operator === '>') return left > right;
      return left >= right;
  }
}

function evaluate(condition: QueryCondition, view: TwinView): Truth {
  switch (condition.kind) {
    case 'and': {
      const left = evaluate(condition.left, view);
      if (left === false) return false;
      const right = evaluate(condition.right, view);
      if (right === false) return false;
      return left === true && right === true ? true : undefined;
    }
    case 'or': {
      const left = evaluate(condition.left, view);
      if (left === true) return true;
      const right = evaluate(condition.right, view);
      if (right === true) return true;
      return left === false && right === false ? false : undefined;
    }
    case 'not': {
      const inner = evaluate(condition.operand, view);
      return inner === undefined ? undefined : !inner;
    }
    case 'compare':
      return compare(condition.operator, operandValue(condition.left, view), operandValue(condition.right, view));
    case 'in': {
      const value = operandValue(condition.operand, view);
      if (value === undefined || !isPrimitive(value)) return undefined;
      const found = condition.values.some((candidate: JsonPrimitive) => candidate === value);
      return condition.negated ? !found : found;
    }
    case 'isDefined':
      return twinPathValue(view, condition.path) !== undefined;
    case 'startsWith':
    case 'endsWith': {
      const value = twinPathValue(view, condition.path);
      if (typeof value !== 'string') return undefined;
      return condition.kind === 'startsWith' ? value.startsWith(condition.text) : value.endsWith(condition.text);
    }
  }
}

interface Row {
  readonly view: TwinView;
  readonly device: number;
  readonly module: number;
}

function* rowsAfter(store: DeviceStore, query: ParsedQuery, cursor: Cursor | undefined): Generator<Row> {
  if (query.collection === 'devices') {
    for (const device of store.devicesAfter(cursor?.device ?? 0)) {
      yield { view: { device, module: undefined }, device: device.seq, module: 0 };
    }
    return;
  }
  // Modules: resume inside the cursor's device (its modules after the cursor's module), then later devices.
  const resumeInside = cursor !== undefined && cursor.module > 0;
  for (const device of store.devicesAfter(resumeInside ? cursor.device - 1 : (cursor?.device ?? 0))) {
    const modules = device.modules;
    if (modules === undefined) continue;
    for (const module of modules) {
      if (resumeInside && device.seq === cursor.device && module.seq <= cursor.module) continue;
      yield { view: { device, module }, device: device.seq, module: module.seq };
    }
  }
}

function matches(query: ParsedQuery, view: TwinView): boolean {
  return query.where === undefined || evaluate(query.where, view) === true;
}

function project(query: ParsedQuery, view: TwinView): JsonObject {
  if (query.select === undefined) return renderTwin(view);
  const row: JsonObject = {};
  for (const item of query.select) {
    if (item.kind !== 'path') continue;
    const value = twinPathValue(view, item.path);
    if (value !== undefined) row[item.name] = value;
  }
  return row;
}

function aggregate(store: DeviceStore, query: ParsedQuery): JsonObject[] {
  const select = query.select ?? [];
  const groups = new Map<string, { value: JsonValue | undefined; count: number }>();
  for (const row of rowsAfter(store, query, undefined)) {
    if (!matches(query, row.view)) continue;
    const value = query.groupBy === undefined ? undefined : twinPathValue(row.view, query.groupBy);
    const key = value === undefined ? '' : `=${JSON.stringify(value)}`;
    const group = groups.get(key);
    if (group === undefined) groups.set(key, { value, count: 1 });
    else group.count += 1;
  }
  if (query.groupBy === undefined && groups.size === 0) groups.set('', { value: undefined, count: 0 });
  return [...groups.values()].map((group) => {
    const row: JsonObject = {};
    for (const item of select) {
      if (item.kind === 'count') row[item.name] = group.count;
      else if (group.value !== undefined) row[item.name] = group.value;
    }
    return row;
  });
}

// ---------------------------------------------------------------------------------------------------------
// Continuation tokens: base64url JSON bound to the query text, so a token can't be replayed on another query.

function queryHash(text: string): string {
  let hash = 0x811c9dc5;
  for (let index = 0; index < text.length; index++) {
    hash ^= text.charCodeAt(index);
    hash = Math.imul(hash, 0x01000193) >>> 0;
  }
  return hash.toString(16);
}

function encodeToken(query: ParsedQuery, cursor: Cursor): string {
  return Buffer.from(JSON.stringify({ v: 1, q: queryHash(query.text), d: cursor.device, m: cursor.module, r: cursor.returned })).toString('base64url');
}

function decodeToken(query: ParsedQuery, token: string): Cursor {
  let decoded: unknown;
  try {
    decoded = JSON.parse(Buffer.from(token, 'base64url').toString('utf8'));
  } catch {
    decoded = undefined;
  }
  const fields = decoded as Partial<Record<'v' | 'q' | 'd' | 'm' | 'r', unknown>> | undefined;
  const isCount = (value: unknown): value is number => typeof value === 'number' && Number.isInteger(value) && value >= 0;
  if (typeof fields !== 'object' || fields === null || fields.v !== 1 || fields.q !== queryHash(query.text) || !isCount(fields.d) || !isCount(fields.m) || !isCount(fields.r)) {
    throw new HubError('ArgumentInvalid', 'The continuation token is invalid or belongs to a different query');
  }
  return { device: fields.d, module: fields.m, returned: fields.r };
}

export function executeQueryPage(store: DeviceStore, query: ParsedQuery, continuationToken: string | undefined, pageSize: number): QueryPage {
  const cursor = continuationToken === undefined ? undefined : decodeToken(query, continuationToken);
  const limit = query.top ?? Number.POSITIVE_INFINITY;
  const isAggregate = query.select?.some((item) => item.kind === 'count') ?? false;
  const itemType = query.select === undefined ? 'twin' : 'raw';

  if (isAggregate) {
    const rows = aggregate(store, query).slice(0, limit);
    const start = cursor?.returned ?? 0;
    const items = rows.slice(start, start + pageSize);
    const end = start + items.length;
    return { items, itemType, continuationToken: end < rows.length ? encodeToken(query, { device: 0, module: 0, returned: end }) : undefined };
  }

  const items: JsonObject[] = [];
  let returned = cursor?.returned ?? 0;
  let last: Row | undefined;
  let more = false;
  if (returned < limit) {
    for (const row of rowsAfter(store, query, cursor)) {
      if (!matches(query, row.view)) continue;
      if (items.length === pageSize) {
        more = true;
        break;
      }
      items.push(project(query, row.view));
      last = row;
      returned += 1;
      if (returned >= limit) break;
    }
  }
  const continuation = more && last !== undefined ? encodeToken(query, { device: last.device, module: last.module, returned }) : undefined;
  return { items, itemType, continuationToken: continuation };
}
