// Scheduled twin-update jobs (Jobs - Create / Get / Cancel / Query Scheduled Jobs, api-version 2021-04-12;
// iot-hub-devguide-jobs.md): `PUT /jobs/v2/{id}` with `type: scheduleUpdateTwin`, a `queryCondition` over
// devices, an `updateTwin` patch (tags and desired properties, `etag` '*' or the twin's ETag), `startTime`
// and `maxExecutionTimeInSeconds`. Jobs target device twins only: the devguide says jobs run "against a set
// of devices", the condition is a WHERE clause over `devices`, and no SDK offers a module-targeted job.
//
// A job is `scheduled` until its start time, `queued` once due, `running` while it writes twins and then
// `completed`, `cancelled` (POST .../cancel) or `failed` (maxExecutionTimeInSeconds passed). The devices are
// selected when the job starts; each write goes through the hub's twin-write path (twin-change
// notifications) at the jobs' own hub-wide rate (iot-hub-devguide-quotas-throttling.md, "Jobs device
// operations": 10/s on F1/S1, the higher of 10/s or 1/s/unit on S2, 50/s/unit on S3). At most 1 (F1/S1),
// 5 (S2) or 10 (S3) jobs may be active at once (scheduled, queued or running); another is answered 429
// ThrottlingMaxActiveJobCountExceeded. Basic tiers have no jobs (403 OperationNotAvailableInCurrentTier).
// Not modelled: device-method jobs (501; the simulator has no device transports), `devices.jobs` queries,
// the jobs-operations request throttle, the 30-day history TTL, persistence across restarts.
import { HubError } from './errors';
import type { IotHubCore } from './hubCore';
import { isJsonObject, type JsonObject, type JsonValue } from './json';
import { executeQueryPage } from './queryEngine';
import { parseQuery, type ParsedQuery } from './queryParser';
import { isBasicTier, type ThrottleConfig, type ThrottleModel } from './throttle';
import { hubTimestamp, type Clock } from './time';
import { parseServicePatch, readTwin, twinEtag, type ServiceTwinPatch } from './twin';

type JobStatus = 'scheduled' | 'queued' | 'running' | 'completed' | 'failed' | 'cancelled';

const ACTIVE: readonly JobStatus[] = ['scheduled', 'queued', 'running'];

/** "The jobId field must be 64 characters or less and can only contain US-ASCII letters, numbers, and the dash (-) character." */
const JOB_ID = /^[A-Za-z0-9-]{1,64}$/;

/** The SDKs' default when no maximum execution time is given (azure-iothub job_client.js). */
const DEFAULT_MAX_EXECUTION_SECONDS = 3600;

/** How often running jobs advance, in real time; the work done per tick follows the hub's clock. */
const TICK_MS = 10;

interface TwinJob {
  readonly jobId: string;
  readonly queryCondition: string;
  readonly query: ParsedQuery;
  readonly updateTwin: JsonObject;
  readonly patch: ServiceTwinPatch;
  readonly etag: string;
  readonly createdAt: number;
  readonly startAt: number;
  readonly maxExecutionTimeInSeconds: number;
  status: JobStatus;
  endAt: number | undefined;
  failureReason: string | undefined;
  targets: string[] | undefined;
  next: number;
  succeeded: number;
  failed: number;
}

/** Device operations per second the hub's jobs may perform together; Infinity when throttling is off. */
function jobDeviceOperationsPerSecond(config: ThrottleConfig | false): number {
  if (config === false) return Number.POSITIVE_INFINITY;
  if (config.tier === 'S3') return 50 * config.units;
  if (config.tier === 'S2') return Math.max(10, config.units);
  return 10;
}

/** Jobs that may be active at once; Infinity when throttling is off. */
function maxActiveJobs(config: ThrottleConfig | false): number {
  if (config === false) return Number.POSITIVE_INFINITY;
  if (config.tier === 'S3') return 10;
  if (config.tier === 'S2') return 5;
  return 1;
}

function requiredString(body: JsonObject, name: string): string {
  const value = body[name];
  if (value === undefined || value === null || value === '') throw new HubError('ArgumentNull', `The job needs '${name}'`);
  if (typeof value !== 'string') throw new HubError('IotHubFormatError', `'${name}' must be a string`);
  return value;
}

function parseStartTime(value: JsonValue | undefined, now: number): number {
  if (value === undefined || value === null) return now;
  const parsed = typeof value === 'string' ? Date.parse(value) : Number.NaN;
  if (Number.isNaN(parsed)) throw new HubError('ArgumentInvalid', `startTime must be an ISO 8601 date, not '${String(value)}'`);
  return parsed;
}

function parseMaxExecution(value: JsonValue | undefined): number {
  if (value === undefined || value === null) return DEFAULT_MAX_EXECUTION_SECONDS;
  if (typeof value !== 'number' || !Number.isInteger(value) || value < 1) {
    throw new HubError('ArgumentInvalid', `maxExecutionTimeInSeconds must be a positive integer, not '${String(value)}'`);
  }
  return value;
}

export class TwinJobs {
  private readonly jobs = new Map<string, TwinJob>();
  private timer: NodeJS.Timeout | undefined;
  private credit = 0;
  private creditAt = 0;

  constructor(
    private readonly core: IotHubCore,
    private readonly clock: Clock,
    private readonly throttle: ThrottleModel,
  ) {}

  create(jobId: string, body: JsonValue | undefined): JsonObject {
    this.requireStandardTier();
    if (!JOB_ID.test(jobId)) throw new HubError('ArgumentInvalid', `The job ID '${jobId}' must be 1 to 64 US-ASCII letters, digits or dashes`);
    if (body === undefined) throw new HubError('ArgumentNull', 'The job is missing from the request body');
    if (!isJsonObject(body)) throw new HubError('IotHubFormatError', 'The job must be a JSON object');
    if (body.jobId !== undefined && body.jobId !== null && String(body.jobId) !== jobId) {
      throw new HubError('ArgumentInvalid', `The jobId in the body ('${String(body.jobId)}') does not match the one in the URL ('${jobId}')`);
    }
    const type = requiredString(body, 'type');
    if (type === 'scheduleDeviceMethod') throw new HubError('NotImplementedBySimulator', 'Device method jobs need device transports, which the simulator does not have');
    if (type !== 'scheduleUpdateTwin') throw new HubError('ArgumentInvalid', `The job type '${type}' cannot be scheduled on /jobs/v2`);
    const queryCondition = requiredString(body, 'queryCondition');
    const query = parseQuery(`SELECT * FROM devices WHERE ${queryCondition}`);
    const updateTwin = body.updateTwin;
    if (updateTwin === undefined || updateTwin === null) throw new HubError('ArgumentNull', "A scheduleUpdateTwin job needs 'updateTwin'");
    if (!isJsonObject(updateTwin)) throw new HubError('IotHubFormatError', "'updateTwin' must be a JSON object");
    const patch = parseServicePatch(updateTwin);
    if (patch.tags === undefined && patch.desired === undefined) throw new HubError('ArgumentNull', "'updateTwin' needs tags or properties.desired");
    const etag = updateTwin.etag === undefined || updateTwin.etag === null ? '*' : String(updateTwin.etag).replace(/^W\//, '').replace(/^"(.*)"$/, '$1');
    const now = this.clock.now();
    const startAt = parseStartTime(body.startTime, now);
    const maxExecutionTimeInSeconds = parseMaxExecution(body.maxExecutionTimeInSeconds);
    if (this.jobs.has(jobId)) throw new HubError('ArgumentInvalid', `A job with ID '${jobId}' already exists`);
    const config = this.throttle.current();
    const active = [...this.jobs.values()].filter((job) => ACTIVE.includes(job.status)).length;
    const limit = maxActiveJobs(config);
    if (active >= limit) {
      throw new HubError('ThrottlingMaxActiveJobCountExceeded', `The hub already has ${active} active jobs, the maximum for its tier is ${limit}`);
    }
    const job: TwinJob = {
      jobId,
      queryCondition,
      query,
      updateTwin,
      patch,
      etag,
      createdAt: now,
      startAt,
      maxExecutionTimeInSeconds,
      status: startAt > now ? 'scheduled' : 'queued',
      endAt: undefined,
      failureReason: undefined,
      targets: undefined,
      next: 0,
      succeeded: 0,
      failed: 0,
    };
    this.jobs.set(jobId, job);
    this.ensureTimer();
    return this.render(job);
  }

  get(jobId: string): JsonObject {
    this.requireStandardTier();
    return this.render(this.find(jobId));
  }

  /** Cancelling a finished job leaves it as it is. */
  cancel(jobId: string): JsonObject {
    this.requireStandardTier();
    const job = this.find(jobId);
    if (ACTIVE.includes(job.status)) this.finish(job, 'cancelled', this.clock.now());
    return this.render(job);
  }

  /** One page of jobs in creation order, filtered by type and status; the continuation token is an offset. */
  query(jobType: string | null, jobStatus: string | null, pageSize: number, continuation: string | undefined): { items: JsonObject[]; continuationToken: string | undefined } {
    this.requireStandardTier();
    const offset = continuation === undefined ? 0 : Number(continuation);
    if (!Number.isInteger(offset) || offset < 0) throw new HubError('ArgumentInvalid', `The continuation token '${continuation}' is not valid`);
    const matching = [...this.jobs.values()].filter(
      (job) => (jobType === null || jobType === 'scheduleUpdateTwin') && (jobStatus === null || jobStatus === job.status),
    );
    const items = matching.slice(offset, offset + pageSize).map((job) => this.render(job));
    return { items, continuationToken: offset + pageSize < matching.length ? String(offset + pageSize) : undefined };
  }

  close(): void {
    if (this.timer !== undefined) clearInterval(this.timer);
    this.timer = undefined;
  }

  private requireStandardTier(): void {
    const config = this.throttle.current();
    if (config !== false && isBasicTier(config.tier)) throw new HubError('OperationNotAvailableInCurrentTier', `Jobs are not available in the ${config.tier} tier`);
  }

  private find(jobId: string): TwinJob {
    const job = this.jobs.get(jobId);
    if (job === undefined) throw new HubError('JobNotFound', `Job '${jobId}' not found`);
    return job;
  }

  private ensureTimer(): void {
    if (this.timer !== undefined) return;
    this.credit = 0;
    this.creditAt = this.clock.now();
    this.timer = setInterval(() => this.tick(), TICK_MS);
    this.timer.unref();
  }

  private tick(): void {
    const now = this.clock.now();
    const rate = jobDeviceOperationsPerSecond(this.throttle.current());
    // A bucket holding one second's operations, refilled continuously on the hub's clock.
    this.credit = rate === Number.POSITIVE_INFINITY ? rate : Math.min(Math.max(rate, 1), this.credit + (Math.max(0, now - this.creditAt) * rate) / 1000);
    this.creditAt = now;
    for (const job of this.jobs.values()) {
      if (!ACTIVE.includes(job.status)) continue;
      if (job.status === 'scheduled' && now >= job.startAt) job.status = 'queued';
      if (job.status === 'queued') this.start(job);
      if (job.status !== 'running') continue;
      if (now > job.startAt + job.maxExecutionTimeInSeconds * 1000) {
        this.finish(job, 'failed', now, `The job did not finish within maxExecutionTimeInSeconds (${job.maxExecutionTimeInSeconds})`);
        continue;
      }
      const targets = job.targets!;
      while (job.next < targets.length && this.credit >= 1) {
        this.credit -= 1;
        this.updateOne(job, targets[job.next]!);
        job.next += 1;
      }
      if (job.next >= targets.length) this.finish(job, 'completed', now);
    }
    if (![...this.jobs.values()].some((job) => ACTIVE.includes(job.status))) this.close();
  }

  private start(job: TwinJob): void {
    const targets: string[] = [];
    let token: string | undefined;
    do {
      const page = executeQueryPage(this.core.store, job.query, token, 1000);
      for (const item of page.items) if (typeof item.deviceId === 'string') targets.push(item.deviceId);
      token = page.continuationToken;
    } while (token !== undefined);
    job.targets = targets;
    job.status = 'running';
  }

  private updateOne(job: TwinJob, deviceId: string): void {
    const device = this.core.store.get(deviceId);
    if (device === undefined) {
      job.failed += 1;
      return;
    }
    try {
      if (job.etag !== '*' && job.etag !== twinEtag(readTwin(device))) throw new HubError('PreconditionFailed', `The twin of '${deviceId}' has another ETag`);
      this.core.patchTwin({ device, module: undefined }, job.patch);
      job.succeeded += 1;
    } catch (error) {
      if (!(error instanceof HubError)) throw error;
      job.failed += 1;
    }
  }

  private finish(job: TwinJob, status: 'completed' | 'cancelled' | 'failed', now: number, failureReason?: string): void {
    job.status = status;
    job.endAt = now;
    job.failureReason = failureReason;
  }

  private render(job: TwinJob): JsonObject {
    const deviceCount = job.targets?.length ?? 0;
    const rendered: JsonObject = {
      jobId: job.jobId,
      type: 'scheduleUpdateTwin',
      queryCondition: job.queryCondition,
      updateTwin: job.updateTwin,
      createdTime: hubTimestamp(job.createdAt),
      startTime: hubTimestamp(job.startAt),
      maxExecutionTimeInSeconds: job.maxExecutionTimeInSeconds,
      status: job.status,
      deviceJobStatistics: {
        deviceCount,
        succeededCount: job.succeeded,
        failedCount: job.failed,
        runningCount: 0,
        pendingCount: deviceCount - job.next,
      },
    };
    if (job.endAt !== undefined) rendered.endTime = hubTimestamp(job.endAt);
    if (job.failureReason !== undefined) rendered.failureReason = job.failureReason;
    return rendered;
  }
}
