import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { claimStateFolder, discardSavedState, labStateFiles, LabStateInUseError, LabStateUnreadableError, readPendingEvents, readSavedHub, writePendingEvents } from '../../local/lab/labState';

const folder = () => labStateFiles(join(mkdtempSync(join(tmpdir(), 'smt-state-')), 'state'));
const exitedPid = (): number => spawnSync(process.execPath, ['-e', '0']).pid!;

describe('the lab state folder', () => {
  it('is refused while a lab in another live process uses it, and taken over from one that died', () => {
    const files = folder();
    claimStateFolder(files);
    writeFileSync(files.labJson, JSON.stringify({ pid: process.ppid }));
    expect(() => claimStateFolder(files)).toThrow(LabStateInUseError);
    writeFileSync(files.labJson, JSON.stringify({ pid: exitedPid() }));
    expect(() => claimStateFolder(files)).not.toThrow();
    writeFileSync(files.labJson, JSON.stringify({ pid: process.pid }));
    expect(() => claimStateFolder(files)).not.toThrow();
  });

  it('forgets the hub, the tables and the undelivered events with --fresh', () => {
    const files = folder();
    claimStateFolder(files);
    for (const path of [files.hubState, files.tables, files.pendingEvents, files.caCertificate]) writeFileSync(path, '{}');
    discardSavedState(files);
    expect([files.hubState, files.tables, files.pendingEvents].filter(existsSync)).toEqual([]);
    expect(readSavedHub(files)).toBeUndefined();
  });

  it('says which file cannot be read back', () => {
    const files = folder();
    claimStateFolder(files);
    writeFileSync(files.hubState, '{"format":"smt-iothub-simulator-state/0"}');
    expect(() => readSavedHub(files)).toThrow(LabStateUnreadableError);
    expect(() => readSavedHub(files)).toThrow(files.hubState);
    writeFileSync(files.pendingEvents, 'not json');
    expect(() => readPendingEvents(files)).toThrow(LabStateUnreadableError);
  });

  it('keeps undelivered events by source, and no file when there are none', () => {
    const files = folder();
    claimStateFolder(files);
    const event = { id: 'e1', subject: 'devices/d1', eventType: 'Microsoft.Devices.DeviceCreated', eventTime: '2026-11-29T10:00:00Z', dataVersion: '1' };
    writePendingEvents(files, { 'iothub.DeviceCreated': [event], other: [] });
    expect(readPendingEvents(files)).toEqual({ 'iothub.DeviceCreated': [event] });
    writePendingEvents(files, { 'iothub.DeviceCreated': [] });
    expect(existsSync(files.pendingEvents)).toBe(false);
  });
});
