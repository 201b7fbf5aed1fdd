// `npm start` as a user runs it: the compiled lab CLI in its own process, a client using only .lab/lab.json,
// and Ctrl-C (SIGINT) stopping everything cleanly. Needs the build (`npm test` builds first).
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { labRegistry, readLabInfo } from '../local/lab/labRegistry';

const cli = join(__dirname, '../../dist/test/local/lab/cli.js');
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

describe('npm start (the lab CLI)', () => {
  let child: ChildProcess | undefined;
  let output = '';
  afterAll(() => {
    child?.kill('SIGKILL');
  });

  it('starts, secures the seeded devices, serves lab.json to an SDK client, and stops on Ctrl-C', async () => {
    if (!existsSync(cli)) throw new Error(`${cli} is missing: run npm run build (npm test does it first)`);
    const stateDir = mkdtempSync(join(tmpdir(), 'smt-cli-'));
    child = spawn(process.execPath, [cli, '--devices', '20', '--port', '0', '--tier', 'S3', '--state-dir', stateDir], { stdio: ['ignore', 'pipe', 'pipe'] });
    child.stdout?.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.stderr?.on('data', (chunk: Buffer) => (output += chunk.toString()));
    const exited = new Promise<number | null>((resolve) => child?.on('exit', (code) => resolve(code)));

    const labJson = join(stateDir, 'lab.json');
    const info = await eventually(() => (existsSync(labJson) && output.includes('Press Ctrl-C') ? readLabInfo(labJson) : undefined));
    expect(info.http.baseUrl).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/api$/);
    expect(info.iotHub).toMatchObject({ hostName: 'smt-lab.azure-devices.net', tier: 'S3' });
    expect(info.storage.connectionString).toContain('TableEndpoint=http://127.0.0.1:');
    expect(info.functions).toEqual(['getDefaultBaseline', 'getDeviceAudit', 'onDeviceCreated']);

    const registry = labRegistry(info);
    const secured = await eventually(async () => {
      const query = registry.createQuery("SELECT * FROM devices.modules WHERE moduleId = 'azureiotsecurity' AND IS_DEFINED(tags.securityBaseline)", 100);
      const page = await query.nextAsTwin();
      return page.result.length === 20 ? page.result : undefined;
    });
    expect(secured.map((twin) => twin.deviceId).sort()).toEqual(Array.from({ length: 20 }, (_, i) => `lab-device-${i}`).sort());

    await registry.create({ deviceId: 'cli-client-device' });
    const twin = await eventually(async () => {
      const { responseBody } = await registry.getModuleTwin('cli-client-device', 'azureiotsecurity').catch(() => ({ responseBody: undefined }));
      return responseBody?.tags?.['securityBaseline'] === undefined ? undefined : responseBody;
    });
    expect(twin.tags['securityBaseline']).toMatchObject({ name: 'default', version: 1, mode: 'enforce' });

    child.kill('SIGINT');
    expect(await exited).toBe(0);
    expect(output).toContain('Lab stopped.');
    child = undefined;
  });
});
