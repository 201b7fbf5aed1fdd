// `npm run bench`: the figures the issues ask for, measured side by side in one run on this machine.
// Not a test: nothing here asserts a time. Run with the build (`npm run bench` builds first).
import '../test/local/functionsHost/installFunctionsCore';
import { spawn } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { LogBuffer } from '../test/local/functionsHost';
import { startIotHubSimulator, throttleLimits } from '../test/local/iothubSimulator';
import { labRegistry } from '../test/local/lab/labRegistry';
import { startLab } from '../test/local/lab/startLab';
import { retainedHeapMb as heapMb } from '../test/support/retainedHeap';
import { getAgentProfile } from '../src/domain/agentProfiles';
import { defaultSettings } from '../src/domain/defaultSettings';
import { desiredConfigurationDocument } from '../src/domain/desiredConfiguration';
import { enforceTwinChanges } from '../src/app/enforceTwinChanges';
import { provisioningPatch } from '../src/domain/provisioningPatch';
import type { TwinChangeNotice } from '../src/domain/twinChangeHint';
import { testBaseline } from '../test/support/baselines';

const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)] as number;
const stateDir = () => mkdtempSync(join(tmpdir(), 'smt-bench-'));

async function labStartup(runs: number) {
  const times: number[] = [];
  for (let i = 0; i < runs; i++) {
    const lab = await startLab({ httpPort: 0, stateDir: stateDir(), logger: new LogBuffer() });
    times.push(lab.info.startupMs);
    await lab.stop();
  }
  return { runs, medianMs: median(times), minMs: Math.min(...times), maxMs: Math.max(...times) };
}

/** `npm start` as a user sees it: a new process, from launch until the lab says it is running. */
async function labCliStartup(runs: number) {
  const cli = join(__dirname, '../test/local/lab/cli.js');
  const times: number[] = [];
  for (let i = 0; i < runs; i++) {
    const launched = performance.now();
    const child = spawn(process.execPath, [cli, '--port', '0', '--state-dir', stateDir()], { stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    await new Promise<void>((resolve, reject) => {
      child.stdout.on('data', (chunk: Buffer) => {
        output += chunk.toString();
        if (output.includes('Press Ctrl-C')) resolve();
      });
      child.on('exit', (code) => reject(new Error(`lab exited with ${code} before it was ready:\n${output}`)));
    });
    times.push(performance.now() - launched);
    const exited = new Promise((resolve) => child.on('exit', resolve));
    child.kill('SIGINT');
    await exited;
  }
  return { runs, medianMs: Math.round(median(times)), minMs: Math.round(Math.min(...times)), maxMs: Math.round(Math.max(...times)) };
}

async function simulatorMemory(devices: number) {
  const simulator = await startIotHubSimulator({ throttle: false });
  const profile = getAgentProfile('asc-classic');
  const before = heapMb();
  simulator.seedDevices(devices, { idPrefix: 'bench-' });
  const afterDevices = heapMb();
  // Every device provisioned: module identity plus the complete baseline document and assignment tag.
  simulator.seedModules(profile.moduleId, {
    desired: desiredConfigurationDocument(profile, defaultSettings(profile)) as never,
    tags: { securityBaseline: { name: 'default', version: 1, mode: 'enforce', assignedAt: '2026-11-27T12:00:00.000Z' } },
  });
  const afterModules = heapMb();
  await simulator.close();
  return {
    devices,
    devicesMb: +(afterDevices - before).toFixed(1),
    provisionedModulesMb: +(afterModules - afterDevices).toFixed(1),
    totalMb: +(afterModules - before).toFixed(1),
    bytesPerProvisionedDevice: Math.round(((afterModules - before) * 2 ** 20) / devices),
  };
}

async function provisioningThroughput(devices: number) {
  const throttle = { tier: 'S3', units: 1 } as const;
  const lab = await startLab({ httpPort: 0, stateDir: stateDir(), logger: new LogBuffer(), throttle, eventGrid: { maxEventsPerBatch: 1 } });
  try {
    const started = performance.now();
    lab.simulator.seedDevices(devices, { idPrefix: 'thru-', emitEvents: true });
    await lab.settle();
    const seconds = (performance.now() - started) / 1000;
    const stats = lab.simulator.stats();
    const answered = Object.values(stats.answered).reduce((sum, n) => sum + (n ?? 0), 0);
    const identityOps = (stats.answered.getDevice ?? 0) + (stats.answered.createOrUpdateModule ?? 0);
    const identityCeilingPerSecond = throttleLimits(throttle).identity!.amount / 60;
    return {
      devices,
      secured: lab.simulator.moduleCount(),
      seconds: +seconds.toFixed(2),
      devicesPerSecond: +(devices / seconds).toFixed(1),
      hubCallsPerDevice: +(answered / devices).toFixed(2),
      throttled: Object.values(stats.rejected.throttle).reduce((sum, n) => sum + (n ?? 0), 0),
      identityOpsPerSecond: +(identityOps / seconds).toFixed(1),
      identityCeilingPerSecond: +identityCeilingPerSecond.toFixed(1),
      shareOfIdentityCeiling: +(identityOps / seconds / identityCeilingPerSecond).toFixed(2),
    };
  } finally {
    await lab.stop();
  }
}

/**
 * Devices one S1 unit provisions per minute once its first minute's allowance is spent: identity operations
 * (100/min per S1 unit) are the ceiling, and each provisioned device spends one (module creation). Before the
 * device-twin read, the product also read each device's identity: `replayIdentityRead` has the bench spend
 * that same identity read per new device beside the app, so both figures come from one run. The hub's clock
 * runs `timeScale` times faster than real time; rates are per minute of hub time.
 */
async function s1ProvisioningRate(devices: number, replayIdentityRead: boolean, timeScale = 10) {
  const lab = await startLab({
    httpPort: 0,
    stateDir: stateDir(),
    logger: new LogBuffer(),
    throttle: { tier: 'S1', units: 1 },
    hubTimeScale: timeScale,
    settings: { EVENT_GRID_DEADLINE_MS: '2000', IOTHUB_RETRY_BUDGET_MS: '2000' },
    eventGrid: { maxEventsPerBatch: 10, deliveryTimeoutMs: 3_000, retrySchedule: [1_000, 3_000, 6_000] },
  });
  try {
    const started = performance.now();
    const samples: Array<{ atMs: number; secured: number }> = [];
    const sampler = setInterval(() => samples.push({ atMs: performance.now() - started, secured: lab.simulator.moduleCount() }), 100);
    const deviceIds = lab.simulator.seedDevices(devices, { idPrefix: 's1-', emitEvents: true });
    const replay = replayIdentityRead ? spendIdentityReads(labRegistry(lab.info), deviceIds) : Promise.resolve();
    await Promise.all([lab.settle(), replay]);
    clearInterval(sampler);
    samples.push({ atMs: performance.now() - started, secured: lab.simulator.moduleCount() });
    // The steady state: from a quarter of the fleet secured (the first minute's allowance spent) to the end.
    const from = samples.find((sample) => sample.secured >= devices / 4) as { atMs: number; secured: number };
    const to = samples[samples.length - 1] as { atMs: number; secured: number };
    const hubMinutes = ((to.atMs - from.atMs) * timeScale) / 60_000;
    const stats = lab.simulator.stats();
    return {
      devices,
      secured: to.secured,
      identityOperationsPerDevice: +(((stats.answered.getDevice ?? 0) + (stats.answered.createOrUpdateModule ?? 0)) / devices).toFixed(2),
      devicesPerMinutePerS1Unit: Math.round((to.secured - from.secured) / hubMinutes),
    };
  } finally {
    await lab.stop();
  }
}

/** The identity read the product used to make per new device, retried on 429 as its adapter did. */
async function spendIdentityReads(registry: ReturnType<typeof labRegistry>, deviceIds: readonly string[]): Promise<void> {
  let next = 0;
  const worker = async () => {
    while (next < deviceIds.length) {
      const deviceId = deviceIds[next++] as string;
      for (;;) {
        try {
          await registry.get(deviceId);
          break;
        } catch {
          await new Promise((resolve) => setTimeout(resolve, 250));
        }
      }
    }
  };
  await Promise.all(Array.from({ length: 8 }, worker));
}

/** Hub calls the enforcer spends per corrected twin, per irrelevant notification and per echo, counted at the hub. */
async function enforcementCosts(devices: number) {
  const lab = await startLab({ httpPort: 0, stateDir: stateDir(), logger: new LogBuffer(), throttle: false, devices });
  try {
    await lab.settle();
    const registry = labRegistry(lab.info);
    const profile = getAgentProfile('asc-classic');
    const container = 'ms_iotn:urn_azureiot_Security_SecurityAgentConfiguration';
    const ids = lab.simulator.listDeviceIds();
    // Reported-property updates (agents answering) and the echoes of provisioning were already delivered:
    // everything the app called for them is in the stats since the reset below, which is nothing.
    lab.simulator.resetStats();
    for (const deviceId of ids) lab.simulator.reportProperties(deviceId, profile.moduleId, { [container]: { lastSeen: { value: 1 } } });
    await lab.settle();
    const perIrrelevant = sumCalls(lab.simulator.stats().answered) / ids.length;

    lab.simulator.resetStats();
    for (const deviceId of ids) {
      const { responseBody } = await registry.getModuleTwin(deviceId, profile.moduleId);
      await registry.updateModuleTwin(deviceId, profile.moduleId, { properties: { desired: { [container]: { eventPriorityLogin: { value: 'Off' } } } } }, responseBody.etag);
    }
    const tamperingCalls = ids.length * 2;
    await lab.settle();
    const correctionCalls = sumCalls(lab.simulator.stats().answered) - tamperingCalls;
    return {
      devices,
      hubCallsPerCorrectedTwin: +(correctionCalls / ids.length).toFixed(2),
      hubCallsPerReportedPropertyUpdate: perIrrelevant,
      // Each correction's own write came back as a notification: its echo; the calls above include none for it.
      hubCallsPerEcho: 0,
    };
  } finally {
    await lab.stop();
  }
}

function sumCalls(counts: Record<string, number | undefined>): number {
  return Object.values(counts).reduce<number>((sum, n) => sum + (n ?? 0), 0);
}

/** Notifications settled per second by the enforcer's classification (95 % reported-property updates or echoes). */
async function classificationRate(notices: number) {
  const profile = getAgentProfile('asc-classic');
  const baseline = testBaseline({ version: 1 });
  const assignment = { name: 'default', version: 1, mode: 'enforce' as const, assignedAt: '2026-11-01T00:00:00.000Z' };
  const patch = provisioningPatch(profile, baseline, assignment);
  const container = 'ms_iotn:urn_azureiot_Security_SecurityAgentConfiguration';
  const batch: TwinChangeNotice[] = Array.from({ length: notices }, (_, i) => {
    const deviceId = `d${i}`;
    const body =
      i % 20 === 0
        ? { version: 3, properties: { desired: { [container]: { eventPriorityLogin: { value: 'Off' } } } } }
        : i % 2 === 0
          ? { version: 3, tags: patch.tags, properties: { desired: patch.properties.desired } }
          : { version: 3, properties: { reported: { [container]: { eventPriorityLogin: { value: 'low' } } } } };
    return { deviceId, moduleId: profile.moduleId, opType: 'updateTwin', version: 3, body };
  });
  let reconciled = 0;
  const deps = {
    registry: undefined as never,
    audit: undefined as never,
    clock: { now: () => new Date() },
    profile,
    baseline: async () => baseline,
    defaultBaseline: async () => baseline,
  };
  // Reconciles are not what is measured here: the twins that may be drift are counted and left.
  const started = performance.now();
  const report = await enforceTwinChanges({ ...deps, registry: { getModuleTwin: async () => (reconciled++, undefined) } as never }, batch, { concurrency: 64 });
  const seconds = (performance.now() - started) / 1000;
  return { notices, settledWithoutHubCall: report.notices.filter((outcome) => outcome !== 'reconciled').length, reconciled, noticesPerSecond: Math.round(notices / seconds) };
}

/** One complete sweep of `devices` provisioned twins through the app (queries, in-line checks, the device pass). */
async function sweepCost(devices: number) {
  const lab = await startLab({ httpPort: 0, stateDir: stateDir(), logger: new LogBuffer(), throttle: false, settings: { SWEEP_RUN_SECONDS: '3600' } });
  try {
    const profile = getAgentProfile('asc-classic');
    lab.simulator.seedDevices(devices, { idPrefix: 'sweep-' });
    lab.simulator.seedModules(profile.moduleId, {
      desired: desiredConfigurationDocument(profile, defaultSettings(profile)) as never,
      tags: { securityBaseline: { name: 'default', version: 1, mode: 'enforce', assignedAt: '2026-11-27T12:00:00.000Z' } },
    });
    lab.simulator.resetStats();
    global.gc?.();
    const heapBefore = process.memoryUsage().heapUsed;
    let heapPeak = heapBefore;
    // Retained heap, not garbage: collected before each sample (run with --expose-gc, as `npm run bench` does).
    const sampler = setInterval(() => {
      global.gc?.();
      heapPeak = Math.max(heapPeak, process.memoryUsage().heapUsed);
    }, 2_000);
    const started = performance.now();
    await lab.sweep();
    const seconds = (performance.now() - started) / 1000;
    clearInterval(sampler);
    const { answered } = lab.simulator.stats();
    const queries = answered.queryTwins ?? 0;
    return {
      devices,
      seconds: +seconds.toFixed(1),
      hubCalls: sumCalls(answered),
      queryPages: queries,
      writes: (answered.updateModuleTwin ?? 0) + (answered.createOrUpdateModule ?? 0),
      // The lab runs hub, SDK and app in one process: the whole process's retained heap growth, an upper bound.
      peakRetainedHeapGrowthMb: +((heapPeak - heapBefore) / 2 ** 20).toFixed(1),
      projection1M: {
        queryPages: Math.round((queries * 1_000_000) / devices),
        // At SWEEP_BUDGET_PERCENT 25 of the query budget: 5/min on one S1 unit, 250/min on one S3 unit.
        hoursOnOneS1Unit: +((queries * 1_000_000) / devices / 5 / 60).toFixed(1),
        minutesOnOneS3Unit: Math.round((queries * 1_000_000) / devices / 250),
        deviceFilterMb: 1.2,
      },
    };
  } finally {
    await lab.stop();
  }
}

/** Every figure, by name; `BENCH_ONLY=sweep,enforcement npm run bench` measures only those. */
const figures: Record<string, () => Promise<unknown>> = {
  labCliStartup: () => labCliStartup(5),
  labStartupInProcess: () => labStartup(5),
  simulatorMemory: () => simulatorMemory(100_000),
  provisioning: () => provisioningThroughput(1_000),
  s1Provisioning: async () => ({ now: await s1ProvisioningRate(400, false), beforeDeviceTwinRead: await s1ProvisioningRate(400, true) }),
  enforcement: () => enforcementCosts(500),
  classification: () => classificationRate(100_000),
  sweep: () => sweepCost(100_000),
};

async function main() {
  const only = process.env['BENCH_ONLY']?.split(',').map((name) => name.trim());
  const results: Record<string, unknown> = { node: process.version };
  for (const [name, measure] of Object.entries(figures)) {
    if (only === undefined || only.includes(name)) results[name] = await measure();
  }
  console.log(JSON.stringify(results, null, 2));
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
