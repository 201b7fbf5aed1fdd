// What the lab keeps in its state folder (--state-dir, `.lab` by default) and how: the simulated hub's
// content, Azurite's tables and the Event Grid events still owed to the app survive a restart; lab.json
// (how to reach the running lab) exists only while it runs. Files are replaced atomically (write, then
// rename), so a lab killed while saving leaves the previous state, never half a file.
import { existsSync, mkdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { writeFile, rename } from 'node:fs/promises';
import { join } from 'node:path';
import { assertSavedHubState, type SavedHubState } from '../iothubSimulator';
import type { DeliverableEvent } from '../functionsHost';

export interface LabStateFiles {
  readonly dir: string;
  readonly labJson: string;
  readonly caCertificate: string;
  readonly hubState: string;
  readonly tables: string;
  readonly pendingEvents: string;
}

/** Events accepted by a simulated Event Grid subscription and not yet delivered, by event source. */
type PendingEvents = Readonly<Record<string, readonly DeliverableEvent[]>>;

export function labStateFiles(dir: string): LabStateFiles {
  return {
    dir,
    labJson: join(dir, 'lab.json'),
    caCertificate: join(dir, 'iothub-ca.pem'),
    hubState: join(dir, 'iothub-state.json'),
    tables: join(dir, 'azurite-tables.json'),
    pendingEvents: join(dir, 'eventgrid-pending.json'),
  };
}

/** Thrown when another running lab writes to the same state folder. */
export class LabStateInUseError extends Error {
  constructor(
    readonly dir: string,
    readonly pid: number,
  ) {
    super(`Another lab (pid ${pid}) is running with the state folder ${dir}.`);
    this.name = 'LabStateInUseError';
  }
}

/** A file of the state folder that cannot be read back (damaged, or from another version of the lab). */
export class LabStateUnreadableError extends Error {
  constructor(
    readonly path: string,
    reason: string,
  ) {
    super(`${path} cannot be read: ${reason}`);
    this.name = 'LabStateUnreadableError';
  }
}

/** Creates the folder; refuses it while a lab in another live process uses it (its lab.json names the pid). */
export function claimStateFolder(files: LabStateFiles): void {
  mkdirSync(files.dir, { recursive: true });
  if (!existsSync(files.labJson)) return;
  let pid: unknown;
  try {
    pid = (JSON.parse(readFileSync(files.labJson, 'utf8')) as { pid?: unknown }).pid;
  } catch {
    return; // Unreadable: left by a lab that died while writing it; it is rewritten below.
  }
  if (typeof pid === 'number' && pid !== process.pid && isAlive(pid)) throw new LabStateInUseError(files.dir, pid);
}

/** --fresh: forget the hub, the tables and the undelivered events. */
export function discardSavedState(files: LabStateFiles): void {
  for (const path of [files.hubState, files.tables, files.pendingEvents]) rmSync(path, { force: true });
}

export function readSavedHub(files: LabStateFiles): SavedHubState | undefined {
  if (!existsSync(files.hubState)) return undefined;
  const state = readJson(files.hubState);
  try {
    assertSavedHubState(state, 'it');
  } catch (error) {
    throw new LabStateUnreadableError(files.hubState, (error as Error).message);
  }
  return state;
}

export async function writeSavedHub(files: LabStateFiles, state: SavedHubState): Promise<void> {
  await writeFile(`${files.hubState}.tmp`, JSON.stringify(state));
  await rename(`${files.hubState}.tmp`, files.hubState);
}

export function readPendingEvents(files: LabStateFiles): PendingEvents {
  if (!existsSync(files.pendingEvents)) return {};
  const pending = readJson(files.pendingEvents);
  if (typeof pending !== 'object' || pending === null || Array.isArray(pending) || !Object.values(pending).every(Array.isArray)) {
    throw new LabStateUnreadableError(files.pendingEvents, 'it is not a map of event sources to event lists');
  }
  return pending as PendingEvents;
}

/** Replaces the pending events (none: the file goes). */
export function writePendingEvents(files: LabStateFiles, pending: PendingEvents): void {
  const sources = Object.entries(pending).filter(([, events]) => events.length > 0);
  if (sources.length === 0) {
    rmSync(files.pendingEvents, { force: true });
    return;
  }
  writeFileSync(`${files.pendingEvents}.tmp`, JSON.stringify(Object.fromEntries(sources)));
  renameSync(`${files.pendingEvents}.tmp`, files.pendingEvents);
}

function readJson(path: string): unknown {
  try {
    return JSON.parse(readFileSync(path, 'utf8'));
  } catch (error) {
    throw new LabStateUnreadableError(path, (error as Error).message);
  }
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    // EPERM: the process exists but belongs to someone else.
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}
