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
import { InMemorySweepStateStore } from '../support/fakes/inMemorySweepStateStore';
import type { SweepState, SweepStateStore } from '../../src/app/ports/sweepStateStore';
import { TableSweepStateStore } from '../../src/adapters/tables/tableSweepStateStore';
import { DeviceIdFilter } from '../../src/domain/deviceIdFilter';

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

const sweepStores: Array<[string, () => SweepStateStore]> = [
  ['InMemorySweepStateStore', () => new InMemorySweepStateStore()],
  ['TableSweepStateStore on Azurite', () => new TableSweepStateStore(freshTable())],
];

describe.each(sweepStores)('SweepStateStore contract: %s', (_name, make) => {
  it('has nothing before the first save', async () => {
    expect(await make().load()).toBeUndefined();
  });

  it("keeps a million-device sweep's filter (about 1.2 MB) and its place, and the filter saved last when saved without it", async () => {
    const store = make();
    const filter = DeviceIdFilter.forCapacity(1_000_000, 0.01, 99);
    for (let i = 0; i < 1_000; i++) filter.add(`device-${i * 997}`);
    const state: SweepState = { sweepId: '2026-11-29T10:00:00.000Z', phase: 'twins', continuationToken: 'page-7', counts: { 'in-line': 7_000, 'twin-pages': 7 }, filter: { bits: filter.bits, hashCount: filter.hashCount, seed: filter.seed } };
    await store.save(state, { withFilter: true });

    const loaded = await store.load();
    expect(loaded).toMatchObject({ sweepId: state.sweepId, phase: 'twins', continuationToken: 'page-7', counts: state.counts });
    const restored = DeviceIdFilter.restore(loaded!.filter.bits, loaded!.filter.hashCount, loaded!.filter.seed);
    for (let i = 0; i < 1_000; i++) expect(restored.mightContain(`device-${i * 997}`)).toBe(true);
    expect(Buffer.from(loaded!.filter.bits).equals(Buffer.from(filter.bits))).toBe(true);

    const { continuationToken: _token, ...rest } = state;
    await store.save({ ...rest, phase: 'devices', filter: { ...state.filter, bits: new Uint8Array(8) } }, { withFilter: false });
    const next = await store.load();
    expect(next!.phase).toBe('devices');
    expect(next!.continuationToken).toBeUndefined();
    expect(Buffer.from(next!.filter.bits).equals(Buffer.from(filter.bits))).toBe(true);
  });
});
