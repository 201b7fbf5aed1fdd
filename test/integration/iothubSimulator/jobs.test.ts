// Scheduled twin-update jobs (PUT/GET /jobs/v2/{id}, POST /jobs/v2/{id}/cancel, GET /jobs/v2/query) through the
// real azure-iothub JobClient: scheduleTwinUpdate, getJob, cancelJob and createQuery.
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { JobClient, type Registry } from 'azure-iothub';
import { connectRegistry, createSimulatorAgent, startIotHubSimulator, type IotHubSimulator, type TwinChangeNotification } from '../../local/iothubSimulator';
import { expectHubError, failureOf } from './helpers';

interface JobStatistics {
  deviceCount: number;
  succeededCount: number;
  failedCount: number;
  pendingCount: number;
  runningCount: number;
}

interface Job {
  jobId: string;
  type: string;
  status: string;
  queryCondition: string;
  failureReason?: string;
  endTime?: string;
  deviceJobStatistics: JobStatistics;
}

/** A JobClient from the simulator's connection string, routed to it like connectRegistry does for the Registry. */
function connectJobClient(simulator: IotHubSimulator): JobClient {
  const client = JobClient.fromConnectionString(simulator.connectionString);
  const rest = (client as unknown as { _restApiClient: { setOptions(options: unknown): void } })._restApiClient;
  rest.setOptions({ http: { agent: createSimulatorAgent(simulator) } });
  return client;
}

async function job(client: JobClient, jobId: string): Promise<Job> {
  return (await client.getJob(jobId)).jobStatus as Job;
}

async function settled(client: JobClient, jobId: string): Promise<Job> {
  return vi.waitFor(async () => {
    const current = await job(client, jobId);
    expect(['completed', 'failed', 'cancelled']).toContain(current.status);
    return current;
  }, { timeout: 10_000, interval: 20 });
}

const patch = { etag: '*', tags: { rollout: 'wave-1' }, properties: { desired: { interval: 60 } } };
const inOneHour = () => new Date(Date.now() + 3_600_000);

describe('twin-update jobs without throttling', () => {
  let simulator: IotHubSimulator;
  let registry: Registry;
  let client: JobClient;

  beforeAll(async () => {
    simulator = await startIotHubSimulator({ throttle: false });
    registry = connectRegistry(simulator);
    client = connectJobClient(simulator);
    simulator.seedDevices(5, { idPrefix: 'job-dev-' });
    for (const deviceId of ['job-dev-0', 'job-dev-1', 'job-dev-2']) await registry.updateTwin(deviceId, { tags: { site: 'plant-1' } }, '*');
  });

  afterAll(async () => {
    await simulator.close();
  });

  it('updates the matching device twins through the twin-write path and counts them', async () => {
    const changes: TwinChangeNotification[] = [];
    const unsubscribe = simulator.onTwinChanged((notification) => changes.push(notification));

    const { jobStatus: result, response } = await client.scheduleTwinUpdate('job-plant-1', "tags.site = 'plant-1'", patch, new Date(), 600);
    expect(response.statusCode).toBe(200);
    expect(result).toMatchObject({ jobId: 'job-plant-1', type: 'scheduleUpdateTwin', queryCondition: "tags.site = 'plant-1'", maxExecutionTimeInSeconds: 600 });
    expect(['queued', 'running', 'completed']).toContain((result as Job).status);

    const done = await settled(client, 'job-plant-1');
    unsubscribe();
    expect(done.status).toBe('completed');
    expect(done.endTime).toEqual(expect.any(String));
    expect(done.deviceJobStatistics).toEqual({ deviceCount: 3, succeededCount: 3, failedCount: 0, pendingCount: 0, runningCount: 0 });
    const { responseBody: twin } = await registry.getTwin('job-dev-2');
    expect(twin.tags).toEqual({ site: 'plant-1', rollout: 'wave-1' });
    expect((twin.properties.desired as Record<string, unknown>).interval).toBe(60);
    expect(simulator.peekTwin('job-dev-3')?.tags ?? {}).toEqual({});
    expect(changes.map((change) => change.properties.deviceId).sort()).toEqual(['job-dev-0', 'job-dev-1', 'job-dev-2']);
  });

  it('counts a device whose twin does not have the given ETag as failed', async () => {
    const { responseBody: twin } = await registry.getTwin('job-dev-4');
    await client.scheduleTwinUpdate('job-etag', "deviceId IN ['job-dev-0', 'job-dev-4']", { etag: twin.etag, tags: { checked: true } });

    const done = await settled(client, 'job-etag');
    expect(done.status).toBe('completed');
    expect(done.deviceJobStatistics).toMatchObject({ deviceCount: 2, succeededCount: 1, failedCount: 1, pendingCount: 0 });
    expect(simulator.peekTwin('job-dev-4')?.tags).toEqual({ checked: true });
  });

  it('keeps a job with a future start time scheduled until cancelled, and leaves a cancelled job as it is', async () => {
    await client.scheduleTwinUpdate('job-later', "tags.site = 'plant-1'", { tags: { later: true } }, inOneHour(), 3600);
    expect((await job(client, 'job-later')).status).toBe('scheduled');

    const { jobStatus: result } = await client.cancelJob('job-later');
    expect(result).toMatchObject({ jobId: 'job-later', status: 'cancelled', deviceJobStatistics: { deviceCount: 0, succeededCount: 0 } });
    expect((await client.cancelJob('job-later')).jobStatus).toMatchObject({ status: 'cancelled' });
    expect(simulator.peekTwin('job-dev-0')?.tags).not.toHaveProperty('later');
  });

  it('lists jobs through createQuery, filtered by status and paged', async () => {
    // The SDK's JobStatus type says 'finished'; the REST reference's JobResponse.status has 'completed'.
    const completed = await client.createQuery('scheduleUpdateTwin', 'completed' as Parameters<JobClient['createQuery']>[1]).next();
    expect((completed.result as { type: string }).type).toBe('jobResponse');
    const ids = (completed.result as { items: Job[] }).items.map((item) => item.jobId);
    expect(ids).toEqual(['job-plant-1', 'job-etag']);

    const query = client.createQuery(undefined, undefined, 2);
    const first = await query.next();
    expect((first.result as { items: Job[] }).items.map((item) => item.jobId)).toEqual(['job-plant-1', 'job-etag']);
    expect(query.hasMoreResults).toBe(true);
    // The promise form of next() does not reuse the stored token (azure-iothub query.js), so pass it.
    const second = await query.next(query.continuationToken);
    expect((second.result as { items: Job[] }).items.map((item) => item.jobId)).toEqual(['job-later']);
    expect(query.hasMoreResults).toBe(false);
  });

  it('answers the documented errors', async () => {
    expectHubError(await failureOf(client.getJob('no-such-job')), 'Error', 404, 'JobNotFound');
    expectHubError(await failureOf(client.cancelJob('no-such-job')), 'Error', 404, 'JobNotFound');
    expectHubError(await failureOf(client.scheduleTwinUpdate('job_underscore', "deviceId = 'x'", patch)), 'ArgumentError', 400, 'ArgumentInvalid');
    expectHubError(await failureOf(client.scheduleTwinUpdate('job-bad-query', 'tags.site = ', patch)), 'ArgumentError', 400, 'ArgumentInvalid');
    expectHubError(await failureOf(client.scheduleTwinUpdate('job-reported', "deviceId = 'x'", { properties: { reported: { a: 1 } } })), 'ArgumentError', 400, 'ArgumentInvalid');
    expectHubError(await failureOf(client.scheduleTwinUpdate('job-plant-1', "deviceId = 'x'", patch)), 'ArgumentError', 400, 'ArgumentInvalid');
  });
});

describe('twin-update jobs on a throttled hub', () => {
  let simulator: IotHubSimulator;
  let client: JobClient;
  let now = Date.parse('2026-01-01T00:00:00Z');
  const clock = { now: () => now };

  beforeAll(async () => {
    simulator = await startIotHubSimulator({ throttle: { tier: 'S1', units: 1 }, clock });
    client = connectJobClient(simulator);
    simulator.seedDevices(25, { idPrefix: 'rate-' });
  });

  afterEach(async () => {
    const { result } = await client.createQuery().next();
    for (const item of (result as { items: Job[] }).items) await client.cancelJob(item.jobId);
    simulator.setThrottle({ tier: 'S1', units: 1 });
  });

  afterAll(async () => {
    await simulator.close();
  });

  it('writes 10 twins per second of the hub clock on S1', async () => {
    await client.scheduleTwinUpdate('job-rate', "STARTSWITH(deviceId, 'rate-')", { tags: { paced: true } }, new Date(now), 3600);
    now += 1000;
    const afterOneSecond = await vi.waitFor(async () => {
      const current = await job(client, 'job-rate');
      expect(current.deviceJobStatistics.succeededCount).toBe(10);
      return current;
    }, { timeout: 10_000, interval: 20 });
    expect(afterOneSecond).toMatchObject({ status: 'running', deviceJobStatistics: { deviceCount: 25, pendingCount: 15 } });

    now += 1000;
    await vi.waitFor(async () => expect((await job(client, 'job-rate')).deviceJobStatistics.succeededCount).toBe(20), { timeout: 10_000, interval: 20 });
    now += 1000;
    const done = await settled(client, 'job-rate');
    expect(done).toMatchObject({ status: 'completed', deviceJobStatistics: { succeededCount: 25, pendingCount: 0 } });
  });

  it('allows one active job on S1 and five on S2 (429 ThrottlingMaxActiveJobCountExceeded beyond)', async () => {
    await client.scheduleTwinUpdate('job-a', "deviceId = 'rate-0'", patch, inOneHour());
    expectHubError(await failureOf(client.scheduleTwinUpdate('job-b', "deviceId = 'rate-0'", patch, inOneHour())), 'ThrottlingError', 429, 'ThrottlingMaxActiveJobCountExceeded');

    simulator.setThrottle({ tier: 'S2', units: 1 });
    for (const id of ['job-b', 'job-c', 'job-d', 'job-e']) await client.scheduleTwinUpdate(id, "deviceId = 'rate-0'", patch, inOneHour());
    expectHubError(await failureOf(client.scheduleTwinUpdate('job-f', "deviceId = 'rate-0'", patch, inOneHour())), 'ThrottlingError', 429, 'ThrottlingMaxActiveJobCountExceeded');
    await client.cancelJob('job-a');
    await client.scheduleTwinUpdate('job-f', "deviceId = 'rate-0'", patch, inOneHour());
  });

  it('fails a job that outlives maxExecutionTimeInSeconds, with the twins written so far kept', async () => {
    await client.scheduleTwinUpdate('job-slow', "STARTSWITH(deviceId, 'rate-')", { tags: { slow: true } }, new Date(now), 2);
    now += 1000;
    await vi.waitFor(async () => expect((await job(client, 'job-slow')).deviceJobStatistics.succeededCount).toBe(10), { timeout: 10_000, interval: 20 });
    now += 5000;
    const done = await settled(client, 'job-slow');
    expect(done.status).toBe('failed');
    expect(done.failureReason).toMatch(/maxExecutionTimeInSeconds/);
    expect(done.deviceJobStatistics.succeededCount).toBe(10);
  });

  it('has no jobs on the Basic tier', async () => {
    simulator.setThrottle({ tier: 'B1', units: 1 });
    expectHubError(await failureOf(client.scheduleTwinUpdate('job-basic', "deviceId = 'rate-0'", patch)), 'TooManyDevicesError', 403, 'OperationNotAvailableInCurrentTier');
    simulator.setThrottle({ tier: 'S1', units: 1 });
  });
});
