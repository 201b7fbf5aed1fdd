import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { TableClient } from '@azure/data-tables';
import type { AuditRecord, AuditSink } from '../../src/app/ports/auditSink';
import type { BaselineStore } from '../../src/app/ports/baselineStore';
import type { Baseline } from '../../src/domain/baseline';
import { TableAuditSink } from '../../src/adapters/tables/tableAuditSink';
import { TableBaselineStore } from '../../src/adapters/tables/tableBaselineStore';
import { createTableClient } from '../../src/adapters/tables/createTableClient';
import { startAzuriteTables, type RunningAzurite } from '../local/lab/azurite';
import { InMemoryAuditSink } from '../support/fakes/inMemoryAuditSink';
import { InMemoryBaselineStore } from '../support/fakes/inMemoryBaselineStore';

// One suite per port, run against the fake used by unit tests and the real adapter on Azurite, so the
// fake cannot promise behaviour the adapter lacks.
let azurite: RunningAzurite;
let tableCounter = 0;
const freshTable = (): TableClient => createTableClient({ kind: 'connectionString', connectionString: azurite.connectionString }, `Contract${++tableCounter}${Date.now() % 100000}`);

beforeAll(async () => {
  azurite = await startAzuriteTables();
});
afterAll(async () => {
  await azurite.close();
});

const baseline = (version: number, overrides: Partial<Baseline> = {}): Baseline => ({
  name: 'fleet-a',
  version,
  profile: 'asc-classic',
  settings: { eventPriorityLogin: version % 2 === 0 ? 'High' : 'Low' },
  createdAt: '2026-11-27T12:00:00.000Z',
  createdBy: 'contract',
  description: `version ${version}`,
  ...overrides,
});

const stores: Array<[string, () => BaselineStore]> = [
  ['InMemoryBaselineStore', () => new InMemoryBaselineStore()],
  ['TableBaselineStore on Azurite', () => new TableBaselineStore(freshTable())],
];

describe.each(stores)('BaselineStore contract: %s', (_name, make) => {
  let store: BaselineStore;
  beforeEach(() => {
    store = make();
  });

  it('stores versions insert-only and reads them back equal', async () => {
    expect(await store.create(baseline(1))).toBe('created');
    expect(await store.create(baseline(1, { description: 'changed' }))).toBe('exists');
    expect(await store.get('fleet-a', 1)).toEqual(baseline(1));
    expect(await store.get('fleet-a', 2)).toBeUndefined();
  });

  it('moves the default only from the expected version', async () => {
    await store.create(baseline(1));
    await store.create(baseline(2));
    expect(await store.getDefault('fleet-a')).toBeUndefined();
    expect(await store.setDefault('fleet-a', 1, undefined)).toBe('set');
    expect(await store.setDefault('fleet-a', 2, undefined)).toBe('conflict');
    expect(await store.setDefault('fleet-a', 2, 7)).toBe('conflict');
    expect(await store.setDefault('fleet-a', 2, 1)).toBe('set');
    expect(await store.getDefault('fleet-a')).toEqual(baseline(2));
  });

  it('keeps baselines of different names apart, including names with reserved key characters', async () => {
    await store.create(baseline(1, { name: 'b-1' }));
    await store.setDefault('b-1', 1, undefined);
    expect(await store.getDefault('fleet-a')).toBeUndefined();
    expect((await store.getDefault('b-1'))?.name).toBe('b-1');
  });
});

const record = (deviceId: string, id: string, overrides: Partial<AuditRecord> = {}): AuditRecord => ({
  id,
  at: '2026-11-27T12:00:00.000Z',
  action: 'provisioned',
  deviceId,
  moduleId: 'azureiotsecurity',
  baselineName: 'default',
  baselineVersion: 1,
  mode: 'enforce',
  changes: [{ setting: 'eventPriorityLogin', kind: 'added', to: 'High' }],
  assignment: { name: 'default', version: 1, mode: 'enforce', assignedAt: '2026-11-27T12:00:00.000Z' },
  reason: 'contract',
  correlationId: 'event-1',
  twinVersion: 2,
  ...overrides,
});

const sinks: Array<[string, () => AuditSink]> = [
  ['InMemoryAuditSink', () => new InMemoryAuditSink()],
  ['TableAuditSink on Azurite', () => new TableAuditSink(freshTable())],
];

describe.each(sinks)('AuditSink contract: %s', (_name, make) => {
  let sink: AuditSink;
  beforeEach(() => {
    sink = make();
  });

  it('writes records idempotently by id and lists a device in time order', async () => {
    await sink.record(record('dev#1?', 'b', { at: '2026-11-27T12:00:02.000Z' }));
    await sink.record(record('dev#1?', 'a', { at: '2026-11-27T12:00:01.000Z' }));
    await sink.record(record('dev#1?', 'a', { at: '2026-11-27T12:00:01.000Z', reason: 'rewritten' }));
    await sink.record(record('other', 'a'));

    const listed = await sink.listForDevice('dev#1?');
    expect(listed.map((r) => [r.id, r.reason])).toEqual([
      ['a', 'rewritten'],
      ['b', 'contract'],
    ]);
    expect(listed[1]).toEqual(record('dev#1?', 'b', { at: '2026-11-27T12:00:02.000Z' }));
  });

  it('answers whether a record exists', async () => {
    await sink.record(record('d/1', 'assign|x|t|d/1', { recovered: true }));
    expect(await sink.has('d/1', 'assign|x|t|d/1')).toBe(true);
    expect(await sink.has('d/1', 'other')).toBe(false);
    expect(await sink.has('d/2', 'assign|x|t|d/1')).toBe(false);
    expect((await sink.listForDevice('d/1'))[0]?.recovered).toBe(true);
  });
});
