// The README's client example (examples/lab-client.mjs) run as a user runs it, with node, against a lab:
// if the lab or the SDK seam it shows changes, this fails instead of the README quietly going stale.
import { execFile } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LogBuffer } from '../local/functionsHost';
import { startLab, type Lab } from '../local/lab/startLab';

const root = join(__dirname, '../..');
const example = join(root, 'examples/lab-client.mjs');
const run = promisify(execFile);

describe('examples/lab-client.mjs', () => {
  let lab: Lab;
  beforeAll(async () => {
    lab = await startLab({ httpPort: 0, stateDir: mkdtempSync(join(tmpdir(), 'smt-example-')), throttle: { tier: 'S3', units: 1 }, logger: new LogBuffer() });
  });
  afterAll(async () => {
    await lab.stop();
  });

  it('registers a device through the SDK and sees the app secure it', async () => {
    const { stdout } = await run(process.execPath, [example, lab.stateFiles.labJson], { cwd: root });
    const deviceId = /^Registered (sensor-[a-z0-9]+);/m.exec(stdout)?.[1];
    expect(deviceId, stdout).toBeDefined();
    expect(stdout).toContain(`${deviceId} is secured:`);
    expect(stdout).toContain("name: 'default'");
    // What it printed is what the hub holds.
    expect(lab.simulator.peekModuleTwin(deviceId!, 'azureiotsecurity')?.['tags']).toMatchObject({ securityBaseline: { name: 'default', version: 1 } });
  });

  it('takes the lab.json path from LAB_JSON too, and says what is wrong when no lab answers', async () => {
    const failure = await run(process.execPath, [example], { cwd: root, env: { ...process.env, LAB_JSON: join(tmpdir(), 'no-such-lab', 'lab.json') } }).then(
      () => undefined,
      (error: { code?: number; stderr?: string }) => error,
    );
    expect(failure?.code).toBe(1);
    expect(failure?.stderr).toMatch(/^Cannot read .*no-such-lab\/lab\.json \(ENOENT\): start the lab with npm start/);
  });
});
