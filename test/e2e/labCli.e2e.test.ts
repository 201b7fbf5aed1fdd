// `npm start` as a user runs it: the compiled lab CLI in its own process, a client using only .lab/lab.json,
// Ctrl-C (SIGINT) stopping everything cleanly, a restart finding the hub as it was left, and the mistakes a
// new user makes answered with one line. Needs the build (`npm test` builds first).
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync } from 'node:fs';
import { createServer, type AddressInfo, type Server } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { labRegistry, readLabInfo } from '../local/lab/labRegistry';
import type { LabInfo } from '../local/lab/labInfo';

const root = join(__dirname, '../..');
const cli = join(root, 'dist/test/local/lab/cli.js');
const launcher = join(root, 'test/local/lab/launch.cjs');
const pause = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** Polls `check` until it returns a value; gives up after `attempts` (a count, not a time assertion). */
async function eventually<T>(check: () => Promise<T | undefined> | T | undefined, attempts = 600): Promise<T> {
  for (let i = 0; i < attempts; i++) {
    const value = await check();
    if (value !== undefined) return value;
    await pause(100);
  }
  throw new Error('condition not reached');
}

interface RunningCli {
  readonly child: ChildProcess;
  output(): string;
  exited: Promise<number | null>;
}

const children: ChildProcess[] = [];
afterAll(() => {
  for (const child of children) child.kill('SIGKILL');
});

function runCli(args: readonly string[]): RunningCli {
  if (!existsSync(cli)) throw new Error(`${cli} is missing: run npm run build:local (npm test does it first)`);
  const child = spawn(process.execPath, [cli, ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
  children.push(child);
  let output = '';
  child.stdout?.on('data', (chunk: Buffer) => (output += chunk.toString()));
  child.stderr?.on('data', (chunk: Buffer) => (output += chunk.toString()));
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  return { child, output: () => output, exited };
}

async function started(run: RunningCli, labJson: string): Promise<LabInfo> {
  return eventually(() => {
    if (run.child.exitCode !== null) throw new Error(`the lab exited ${run.child.exitCode}:\n${run.output()}`);
    return existsSync(labJson) && run.output().includes('Press Ctrl-C') ? readLabInfo(labJson) : undefined;
  });
}

async function securedDevices(info: LabInfo, expected: number): Promise<string[]> {
  const registry = labRegistry(info);
  const twins = await eventually(async () => {
    const query = registry.createQuery("SELECT * FROM devices.modules WHERE moduleId = 'azureiotsecurity' AND IS_DEFINED(tags.securityBaseline)", 1000);
    const page = await query.nextAsTwin();
    return page.result.length === expected ? page.result : undefined;
  });
  return twins.map((twin) => twin.deviceId).sort();
}

describe('npm start (the lab CLI)', () => {
  const stateDir = mkdtempSync(join(tmpdir(), 'smt-cli-'));
  const labJson = join(stateDir, 'lab.json');
  const seeded = Array.from({ length: 20 }, (_, i) => `lab-device-${i}`);
  let firstConnectionString = '';

  it('starts, secures the seeded devices, serves lab.json to an SDK client, shows progress, and stops on Ctrl-C', async () => {
    const run = runCli(['--devices', '20', '--port', '0', '--tier', 'S3', '--state-dir', stateDir]);
    const info = await started(run, labJson);
    expect(info.http.baseUrl).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/api$/);
    expect(info.iotHub).toMatchObject({ hostName: 'smt-lab.azure-devices.net', tier: 'S3' });
    expect(info.storage.connectionString).toContain('TableEndpoint=http://127.0.0.1:');
    expect(info.functions).toContain('onDeviceCreated');
    firstConnectionString = info.iotHub.connectionString;

    expect(await securedDevices(info, 20)).toEqual([...seeded].sort());

    const registry = labRegistry(info);
    await registry.create({ deviceId: 'cli-client-device' });
    const twin = await eventually(async () => {
      const { responseBody } = await registry.getModuleTwin('cli-client-device', 'azureiotsecurity').catch(() => ({ responseBody: undefined }));
      return responseBody?.tags?.['securityBaseline'] === undefined ? undefined : responseBody;
    });
    expect(twin.tags['securityBaseline']).toMatchObject({ name: 'default', version: 1, mode: 'enforce' });
    // Not a terminal: a progress line every few seconds.
    await eventually(() => (run.output().includes('secured 21/21') ? true : undefined));

    // The banner lists the settings with their keys masked; nothing prints a key.
    const hubKey = /SharedAccessKey=([^;]+)/.exec(info.iotHub.connectionString)![1]!;
    expect(run.output()).toContain('SharedAccessKeyName=iothubowner;SharedAccessKey=***');
    expect(run.output()).not.toContain(hubKey);

    run.child.kill('SIGINT');
    expect(await run.exited).toBe(0);
    expect(run.output()).toContain('Lab stopped.');
    expect(existsSync(labJson)).toBe(false);
  });

  it('finds the hub, its keys and the tables as it left them when started again with the same state folder', async () => {
    const run = runCli(['--devices', '20', '--port', '0', '--tier', 'S3', '--state-dir', stateDir]);
    const info = await started(run, labJson);
    expect(run.output()).toMatch(/Devices\s+21 \(21 kept in /);
    expect(info.iotHub.connectionString).toBe(firstConnectionString);
    expect(await securedDevices(info, 21)).toEqual([...seeded, 'cli-client-device'].sort());
    const audit = (await (await fetch(`${info.http.baseUrl}/devices/cli-client-device/audit`)).json()) as { records: unknown[] };
    expect(audit.records.length).toBeGreaterThan(0);

    run.child.kill('SIGINT');
    expect(await run.exited).toBe(0);
  });

  it('starts empty with --fresh', async () => {
    const run = runCli(['--port', '0', '--tier', 'S3', '--state-dir', stateDir, '--fresh']);
    const info = await started(run, labJson);
    expect(run.output()).toMatch(/Devices\s+0 \(new hub/);
    expect(info.iotHub.connectionString).not.toBe(firstConnectionString);
    const { responseBody } = await labRegistry(info).list();
    expect(responseBody).toEqual([]);
    run.child.kill('SIGINT');
    expect(await run.exited).toBe(0);
  });

  it('answers a busy port with one line naming --port, and exit code 2', async () => {
    const server: Server = createServer();
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const { port } = server.address() as AddressInfo;
    try {
      const run = runCli(['--port', String(port), '--state-dir', mkdtempSync(join(tmpdir(), 'smt-cli-busy-'))]);
      expect(await run.exited).toBe(2);
      expect(run.output()).toBe(`npm start: port ${port} is in use: stop what uses it or pick another with --port N (0 = any free port)\n`);
    } finally {
      server.close();
    }
  });

  it('refuses a bad option value with one line naming it, and exit code 2', async () => {
    const run = runCli(['--port', '99999']);
    expect(await run.exited).toBe(2);
    expect(run.output()).toBe('npm start: --port must be a port number from 0 to 65535 (0 = any free port), got "99999"\n');
    const misspelled = runCli(['--set', 'DEVICE_ID_PATERN=sensor-.*']);
    expect(await misspelled.exited).toBe(2);
    expect(misspelled.output()).toBe('npm start: --set: unknown setting DEVICE_ID_PATERN; did you mean DEVICE_ID_PATTERN?\n');
  });

  it('answers --help from the launcher with the usage text', () => {
    const help = spawnSync(process.execPath, [launcher, '--help'], { encoding: 'utf8' });
    expect(help.status).toBe(0);
    expect(help.stdout).toBe(readFileSync(join(root, 'test/local/lab/usage.txt'), 'utf8'));
  });
});
