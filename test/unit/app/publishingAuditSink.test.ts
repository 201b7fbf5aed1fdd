import { testCorrectionRecord } from '../../support/auditRecords';
import { beforeEach, describe, expect, it } from 'vitest';
import type { AuditRecord } from '../../../src/app/ports/auditSink';
import type { Logger } from '../../../src/app/ports/logger';
import { AuditStreamHealth, PublishingAuditSink, publishPendingAuditRecords } from '../../../src/app/publishingAuditSink';
import { PermanentError } from '../../../src/domain/productError';
import { FixedClock } from '../../support/fakes/fixedClock';
import { InMemoryAuditOutbox } from '../../support/fakes/inMemoryAuditOutbox';
import { InMemoryAuditStream } from '../../support/fakes/inMemoryAuditStream';

interface Line {
  level: 'info' | 'warn' | 'error';
  message: string;
  properties?: Readonly<Record<string, unknown>>;
}

function capturingLogger(lines: Line[]): Logger {
  return {
    info: (message, properties) => lines.push({ level: 'info', message, ...(properties === undefined ? {} : { properties }) }),
    warn: (message, properties) => lines.push({ level: 'warn', message, ...(properties === undefined ? {} : { properties }) }),
    error: (message, properties) => lines.push({ level: 'error', message, ...(properties === undefined ? {} : { properties }) }),
  };
}

let sequence = 0;
function record(deviceId: string, overrides: Partial<AuditRecord> = {}): AuditRecord {
  sequence += 1;
  return testCorrectionRecord(deviceId, sequence, overrides);
}

describe('PublishingAuditSink', () => {
  let table: InMemoryAuditOutbox;
  let stream: InMemoryAuditStream;
  let clock: FixedClock;
  let lines: Line[];
  let health: AuditStreamHealth;
  let sink: PublishingAuditSink;

  beforeEach(() => {
    sequence = 0;
    table = new InMemoryAuditOutbox();
    stream = new InMemoryAuditStream();
    clock = new FixedClock();
    lines = [];
    health = new AuditStreamHealth(30_000);
    sink = new PublishingAuditSink({ table, stream, clock, logger: capturingLogger(lines), health });
  });

  it('writes the table, publishes the record as an event and flags it published', async () => {
    const entry = record('d1');
    await sink.record(entry);
    expect(await table.listForDevice('d1')).toEqual([entry]);
    expect(stream.events.map((event) => event.id)).toEqual([entry.id]);
    expect(table.isPublished('d1', entry.id)).toBe(true);
    expect(await table.listUnpublished(10)).toEqual([]);
    expect(lines).toEqual([]);
  });

  it('keeps a record the stream does not take pending in the table, logs the outage once, and does not fail the use case', async () => {
    stream.down = true;
    const first = record('d1');
    const second = record('d2');
    await sink.record(first);
    await sink.record(second);
    expect(await table.listForDevice('d1')).toEqual([first]);
    expect(await table.listUnpublished(10)).toEqual([first, second]);
    expect(stream.events).toEqual([]);
    // The second record did not try the stream: the first failure paused in-line publishing.
    expect(stream.calls).toBe(1);
    expect(lines.map((line) => [line.level, line.message])).toEqual([
      ['warn', 'Audit stream unavailable: audit records stay pending in the audit table and are published when it is back'],
    ]);
    expect(lines[0]?.properties).toMatchObject({ records: 1, pauseMs: 30_000, error: expect.stringContaining('ServiceUnavailable') });
  });

  it('tries the stream again after the pause, and says when it is back', async () => {
    stream.down = true;
    await sink.record(record('d1'));
    stream.down = false;
    clock.advance(29_999);
    await sink.record(record('d1'));
    expect(stream.calls).toBe(1);
    clock.advance(1);
    const third = record('d1');
    await sink.record(third);
    expect(stream.events.map((event) => event.id)).toEqual([third.id]);
    expect(lines.map((line) => line.level)).toEqual(['warn', 'info']);
    expect(lines[1]?.message).toMatch(/publishing again/);
    expect((await table.listUnpublished(10)).length).toBe(2);
  });

  it('fails the use case when the table write fails, and publishes nothing', async () => {
    table.failNextWrites = 1;
    await expect(sink.record(record('d1'))).rejects.toThrow('audit storage unavailable');
    expect(stream.events).toEqual([]);
    expect(await table.listUnpublished(10)).toEqual([]);
  });

  it('does not fail the use case when the published flag cannot be written: the record is published again under the same id', async () => {
    const entry = record('d1');
    table.markPublished = async () => {
      throw new Error('table unavailable');
    };
    await sink.record(entry);
    expect(stream.events.map((event) => event.id)).toEqual([entry.id]);
    expect(await table.listUnpublished(10)).toEqual([entry]);
    expect(lines.map((line) => line.level)).toEqual(['warn']);
  });

  it('reads through to the table', async () => {
    const entry = record('d1');
    await sink.record(entry);
    expect(await sink.has('d1', entry.id)).toBe(true);
    expect(await sink.has('d1', 'other')).toBe(false);
    expect(await sink.listForDevice('d1')).toEqual([entry]);
  });
});

describe('publishPendingAuditRecords', () => {
  let table: InMemoryAuditOutbox;
  let stream: InMemoryAuditStream;
  let clock: FixedClock;
  let lines: Line[];

  beforeEach(() => {
    sequence = 0;
    table = new InMemoryAuditOutbox();
    stream = new InMemoryAuditStream();
    clock = new FixedClock();
    lines = [];
  });

  const deps = () => ({ table, stream, clock, logger: capturingLogger(lines) });

  it('publishes what was written during an outage, oldest first, each device in order and in one call', async () => {
    const written = [record('b'), record('a'), record('b'), record('c'), record('a')];
    for (const entry of written) await table.recordUnpublished(entry);

    const report = await publishPendingAuditRecords(deps(), { pageSize: 2 });

    expect(report).toEqual({ published: 5, morePending: false });
    expect(stream.eventsFor('a').map((event) => event.id)).toEqual([written[1]!.id, written[4]!.id]);
    expect(stream.eventsFor('b').map((event) => event.id)).toEqual([written[0]!.id, written[2]!.id]);
    expect(await table.listUnpublished(10)).toEqual([]);
    expect(written.every((entry) => table.isPublished(entry.deviceId, entry.id))).toBe(true);
  });

  it('answers nothing to do when nothing is pending', async () => {
    await table.record(record('a'));
    expect(await publishPendingAuditRecords(deps())).toEqual({ published: 0, morePending: false });
    expect(stream.calls).toBe(0);
  });

  it('stops at the first transient failure and leaves everything pending for the next run', async () => {
    for (const entry of [record('a'), record('b')]) await table.recordUnpublished(entry);
    stream.down = true;
    const health = new AuditStreamHealth();
    const report = await publishPendingAuditRecords({ ...deps(), health }, {});
    expect(report).toMatchObject({ published: 0, morePending: true, error: expect.stringContaining('ServiceUnavailable') });
    expect(stream.calls).toBe(1);
    expect((await table.listUnpublished(10)).length).toBe(2);
    expect(health.failing).toBe(true);

    stream.down = false;
    expect(await publishPendingAuditRecords({ ...deps(), health }, {})).toEqual({ published: 2, morePending: false });
    expect(health.failing).toBe(false);
    expect(health.allowsInlinePublish(clock.now().getTime())).toBe(true);
  });

  it('skips a device whose records the stream refuses for good, logs it, and publishes the others', async () => {
    const poison = record('poison');
    const fine = record('fine');
    for (const entry of [poison, fine]) await table.recordUnpublished(entry);
    const refusing = {
      publish: async (records: readonly AuditRecord[]) => {
        if (records.some((entry) => entry.deviceId === 'poison')) throw new PermanentError('MessageTooLarge', 'event too large');
        await stream.publish(records);
      },
    };
    const report = await publishPendingAuditRecords({ ...deps(), stream: refusing });
    expect(report).toEqual({ published: 1, morePending: true });
    expect(stream.events.map((event) => event.id)).toEqual([fine.id]);
    expect(await table.listUnpublished(10)).toEqual([poison]);
    expect(lines.map((line) => [line.level, line.properties?.['deviceId']])).toEqual([['error', 'poison']]);
  });

  it('stops after its limit, and at its deadline', async () => {
    for (let i = 0; i < 5; i++) await table.recordUnpublished(record(`d${i}`));
    expect(await publishPendingAuditRecords(deps(), { limit: 3, pageSize: 2 })).toEqual({ published: 3, morePending: true });
    expect(await publishPendingAuditRecords(deps(), { deadline: { atMs: clock.now().getTime() } })).toEqual({ published: 0, morePending: true });
    expect(await publishPendingAuditRecords(deps(), { deadline: { atMs: clock.now().getTime() + 1 } })).toEqual({ published: 2, morePending: false });
  });
});
