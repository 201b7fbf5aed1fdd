import { Writable } from 'node:stream';
import { afterEach, describe, expect, it, vi } from 'vitest';
import type { HostLogEntry } from '../../local/functionsHost';
import { LabConsole } from '../../local/lab/labConsole';
import type { LabProgress } from '../../local/lab/labProgress';

function stream(interactive = false): { stream: NodeJS.WriteStream; text: () => string } {
  let written = '';
  const writable = new Writable({
    write(chunk: Buffer, _encoding, callback) {
      written += chunk.toString();
      callback();
    },
  });
  Object.assign(writable, { isTTY: interactive, columns: 120, rows: 30 });
  return { stream: writable as unknown as NodeJS.WriteStream, text: () => written };
}

const entry = (level: HostLogEntry['level'], message: string): HostLogEntry => ({ timestamp: '2026-11-29T10:11:12.000Z', level, category: 'user', functionName: 'onDeviceCreated', message });
const progress = (secured: number, extra: Partial<LabProgress> = {}): LabProgress => ({ secured, selected: 3, throttled: 0, failed: 0, redeliveries: 0, deadLettered: 0, drift: { seen: 0, corrected: 0, observed: 0, contested: 0 }, ...extra });

afterEach(() => {
  vi.useRealTimers();
});

describe('the lab console', () => {
  it('prints warnings and errors as one line each, without stack or secret, and information only with --verbose', async () => {
    const out = stream();
    const err = stream();
    const quiet = await LabConsole.create({ verbose: false, interactive: false, stdout: out.stream, stderr: err.stream });
    quiet.log(entry('information', 'Device d1: provisioned'));
    quiet.log(entry('warning', 'hub throttled the call\n    at retry (retryWithBackoff.ts:10:5)'));
    quiet.log(entry('error', 'failed with HostName=h;SharedAccessKeyName=iothubowner;SharedAccessKey=c2VjcmV0c2VjcmV0'));
    expect(out.text()).toBe('');
    expect(err.text()).toBe(
      '10:11:12 warning: [onDeviceCreated] hub throttled the call …\n' +
        '10:11:12 error: [onDeviceCreated] failed with HostName=h;SharedAccessKeyName=iothubowner;SharedAccessKey=***\n',
    );

    const verboseOut = stream();
    const verboseErr = stream();
    const verbose = await LabConsole.create({ verbose: true, interactive: false, stdout: verboseOut.stream, stderr: verboseErr.stream });
    verbose.log(entry('information', 'Device d1: provisioned'));
    verbose.log(entry('warning', 'hub throttled the call\n    at retry (retryWithBackoff.ts:10:5)'));
    verbose.log(entry('debug', 'too fine'));
    expect(verboseOut.text()).toBe('10:11:12 [onDeviceCreated] Device d1: provisioned\n');
    expect(verboseErr.text()).toContain('at retry (retryWithBackoff.ts:10:5)');
  });

  it('prints progress periodically when it is not a terminal, only when something changed, and once more at stop', async () => {
    vi.useFakeTimers();
    const out = stream();
    const labConsole = await LabConsole.create({ verbose: false, interactive: false, summaryEveryMs: 5_000, stdout: out.stream, stderr: stream().stream });
    let current = progress(0);
    labConsole.follow(() => current);
    expect(out.text()).toBe('');
    vi.advanceTimersByTime(5_000);
    vi.advanceTimersByTime(5_000);
    current = progress(2, { throttled: 4, failed: 1, redeliveries: 3 });
    vi.advanceTimersByTime(5_000);
    current = progress(3, { throttled: 4, failed: 1, redeliveries: 3, deadLettered: 1 });
    labConsole.stop();
    vi.advanceTimersByTime(20_000);
    const lines = out.text().trimEnd().split('\n').map((line) => line.slice(9));
    expect(lines).toEqual([
      'secured 0/3 · hub calls: 0 throttled, 0 failed · Event Grid: 0 re-deliveries · drift: 0 seen, 0 corrected',
      'secured 2/3 · hub calls: 4 throttled, 1 failed · Event Grid: 3 re-deliveries · drift: 0 seen, 0 corrected',
      'secured 3/3 ✓ · hub calls: 4 throttled, 1 failed · Event Grid: 3 re-deliveries, 1 dead-lettered · drift: 0 seen, 0 corrected',
    ]);
  });

  it('redraws one live line on a terminal and prints log lines above it', async () => {
    vi.useFakeTimers();
    const out = stream(true);
    const labConsole = await LabConsole.create({ verbose: false, interactive: true, redrawEveryMs: 1_000, stdout: out.stream, stderr: stream().stream });
    let current = progress(1);
    labConsole.follow(() => current);
    labConsole.log(entry('error', 'provisioning failed'));
    labConsole.log(entry('warning', `a long line ${'x'.repeat(200)}`));
    current = progress(2);
    vi.advanceTimersByTime(1_000);
    labConsole.stop();
    const screen = out.text();
    // Erase-line sequences: the live line is replaced, not appended.
    expect(screen).toContain('\u001B[2K');
    // Cut to the terminal's 120 columns.
    expect(screen).toContain(`10:11:12 warning: [onDeviceCreated] a long line ${'x'.repeat(120 - 1 - 48)}…`);
    expect(screen.indexOf('provisioning failed')).toBeGreaterThan(screen.indexOf('secured 1/3'));
    expect(screen.lastIndexOf('secured 1/3')).toBeGreaterThan(screen.indexOf('provisioning failed'));
    const lastLine = screen.replace(new RegExp(`${String.fromCharCode(27)}\\[[0-9;?]*[A-Za-z]`, 'g'), '').trimEnd().split('\n').at(-1);
    expect(lastLine).toBe('secured 2/3 · hub calls: 0 throttled, 0 failed · Event Grid: 0 re-deliveries · drift: 0 seen, 0 corrected');
  });
});
