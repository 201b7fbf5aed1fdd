// `npm run bench`: the figures the issues ask for, measured side by side in one run on this machine.
// Not a test: nothing here asserts a time. Run with the build (`npm run bench` builds first).
import '../test/local/functionsHost/installFunctionsCore';
import { spawn } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { LogBuffer } from '../test/local/functionsHost';
import { startIotHubSimulator, throttleLimits } from '../test/local/iothubSimulator';
import { startLab } from '../test/local/lab/startLab';
import { retainedHeapMb as heapMb } from '../test/support/retainedHeap';
import { getAgentProfile } from '../src/domain/agentProfiles';
import { defaultSettings } from '../src/domain/defaultSettings';
import { desiredConfigurationDocument } from '../src/domain/desiredConfiguration';

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

async function main() {
  const results = {
    node: process.version,
    labCliStartup: await labCliStartup(5),
    labStartupInProcess: await labStartup(5),
    simulatorMemory: await simulatorMemory(100_000),
    provisioning: await provisioningThroughput(1_000),
  };
  console.log(JSON.stringify(results, null, 2));
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
