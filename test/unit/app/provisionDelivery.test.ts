import { describe, expect, it } from 'vitest';
import { deadlineAfter, type Deadline } from '../../../src/app/deadline';
import { reportDelivery } from '../../../src/app/deliveryReport';
import { CompletedEvents, provisionDelivery, type ProvisionDeliveryDependencies } from '../../../src/app/provisionDelivery';
import type { DeviceCreatedNotice, ProvisionOutcome } from '../../../src/app/provisionSecurityModule';
import { PermanentError, TransientError } from '../../../src/domain/productError';
import { FixedClock } from '../../support/fakes/fixedClock';

const notice = (deviceId: string, eventId = `e-${deviceId}`): DeviceCreatedNotice => ({ deviceId, eventId });

function setup(provision: (notice: DeviceCreatedNotice, deadline: Deadline) => Promise<ProvisionOutcome>) {
  const clock = new FixedClock();
  const deps: ProvisionDeliveryDependencies = { clock, completed: new CompletedEvents(100), provision };
  return { clock, deps, deadline: deadlineAfter(clock, 25_000) };
}

describe('provisionDelivery', () => {
  it('handles devices with at most `concurrency` in flight and passes the delivery deadline to each', async () => {
    let inFlight = 0;
    let peak = 0;
    const seen: Deadline[] = [];
    const env = setup(async (_notice, deadline) => {
      seen.push(deadline);
      inFlight++;
      peak = Math.max(peak, inFlight);
      await new Promise((resolve) => setImmediate(resolve));
      inFlight--;
      return { kind: 'device-gone' };
    });
    const results = await provisionDelivery(env.deps, Array.from({ length: 20 }, (_, i) => notice(`d${i}`)), { deadline: env.deadline, concurrency: 3 });

    expect(results).toHaveLength(20);
    expect(results.every((result) => result.status === 'done')).toBe(true);
    expect(peak).toBe(3);
    expect(new Set(seen.map((deadline) => deadline.atMs))).toEqual(new Set([env.deadline.atMs]));
  });

  it('does not start devices after the deadline: they are cut off for the re-sent delivery', async () => {
    const env = setup(async () => {
      env.clock.advance(10_000);
      return { kind: 'device-gone' };
    });
    const results = await provisionDelivery(env.deps, ['a', 'b', 'c', 'd'].map((id) => notice(id)), { deadline: env.deadline, concurrency: 1 });

    expect(results.map((result) => result.status)).toEqual(['done', 'done', 'done', 'cut-off']);
  });

  it('provisions a device once however many of its events the payload holds, and reports each event', async () => {
    const calls: string[] = [];
    const env = setup(async (n) => {
      calls.push(n.eventId);
      return { kind: 'device-gone' };
    });
    const results = await provisionDelivery(env.deps, [notice('d1', 'e1'), notice('d1', 'e2'), notice('d2', 'e3')], { deadline: env.deadline, concurrency: 4 });

    expect(calls).toEqual(['e1', 'e3']);
    expect(results.map((result) => [result.notice.eventId, result.status])).toEqual([['e1', 'done'], ['e2', 'done'], ['e3', 'done']]);
  });

  it('resumes a re-sent delivery where it stopped: finished events are not done again, failed ones are', async () => {
    let fail = true;
    const calls: string[] = [];
    const env = setup(async (n) => {
      calls.push(n.deviceId);
      if (n.deviceId === 'b' && fail) throw new TransientError('ThrottlingException', 'slow down');
      return { kind: 'device-gone' };
    });
    const payload = ['a', 'b', 'c'].map((id) => notice(id));
    const first = await provisionDelivery(env.deps, payload, { deadline: env.deadline, concurrency: 1 });
    fail = false;
    const second = await provisionDelivery(env.deps, payload, { deadline: env.deadline, concurrency: 1 });

    expect(first.map((result) => result.status)).toEqual(['done', 'failed', 'done']);
    expect(second.map((result) => result.status)).toEqual(['already-done', 'done', 'already-done']);
    expect(calls).toEqual(['a', 'b', 'c', 'b']);
  });

  it('reports counts by outcome, and only failures worth a retry leave the delivery unfinished', async () => {
    const env = setup(async (n) => {
      if (n.deviceId === 'throttled') throw new TransientError('ThrottlingException', 'slow down');
      if (n.deviceId === 'refused') throw new PermanentError('ModuleNotAllowed', 'no');
      return n.deviceId === 'new' ? { kind: 'provisioned', baseline: { name: 'default', version: 1 }, twinVersion: 2 } : { kind: 'device-gone' };
    });
    const results = await provisionDelivery(env.deps, ['new', 'gone', 'refused', 'throttled'].map((id) => notice(id)), { deadline: env.deadline, concurrency: 2 });

    expect(reportDelivery(results, { malformed: 2, ignored: 1 })).toEqual({
      events: 7,
      counts: { 'device-gone': 1, failed: 1, ignored: 1, malformed: 2, provisioned: 1, refused: 1 },
      unfinished: 1,
    });
  });
});

describe('CompletedEvents', () => {
  it('forgets the oldest ids beyond its capacity', () => {
    const completed = new CompletedEvents(2);
    completed.add('a');
    completed.add('b');
    completed.add('a');
    completed.add('c');
    expect(['a', 'b', 'c'].map((id) => completed.has(id))).toEqual([false, true, true]);
  });
});
