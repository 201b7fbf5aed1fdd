// Simulated security agents on the simulated hub: for a seeded share of devices, an agent watches its
// security module twin and, a configurable delay after each change of the desired properties, answers as
// the real agent of the profile does (ascClassicAgent.ts, microAgent.ts). Agents write reported properties
// through the simulator's test-side API, as a module client would, so every answer raises the same twin
// change notification a real one does.
import type { ProfileId } from '../../../src/domain/agentProfile';
import { getAgentProfile } from '../../../src/domain/agentProfiles';
import type { IotHubSimulator, TwinChangeNotification } from '../iothubSimulator';
import { isJsonObject, jsonEquals, type JsonObject, type JsonValue } from '../iothubSimulator/json';
import type { AgentBehaviour } from './agentBehaviour';
import { agentModeChooser, draw, type AgentMode } from './agentModes';
import { ascClassicAgent } from './ascClassicAgent';
import { microAgent } from './microAgent';

export interface SecurityAgentOptions {
  readonly profile: ProfileId;
  /** Share of devices that run an agent, 0 to 1 (default 1). */
  readonly share?: number;
  /** Share of the agents that refuse `rejectSettings`, 0 to 1 (default 0). */
  readonly rejectingShare?: number;
  /** Share of the agents that never report, 0 to 1 (default 0). */
  readonly offlineShare?: number;
  /** Time from a change of the desired properties to the agent's answer (default 0: the next turn of the event loop). */
  readonly delayMs?: number;
  /** Up to this much more, drawn per device and answer from the seed (default 0). */
  readonly jitterMs?: number;
  /** Decides which device gets which agent (default 1). */
  readonly seed?: number;
  /**
   * Settings a rejecting agent treats as invalid whenever the desired configuration sets them, as an agent
   * build that cannot parse them would. Default: a setting every baseline of the profile carries
   * (`highPriorityMessageFrequency`, `Process_Mode`). Every agent also refuses what the real one cannot parse.
   */
  readonly rejectSettings?: readonly string[];
}

export interface SecurityAgentStats {
  /** Reported-property writes the agents made. */
  readonly reportsWritten: number;
  /** Answers that refused the configuration (the C agent re-reporting its old one, the micro agent's "failed"). */
  readonly rejections: number;
  /** Writes the hub refused (e.g. twin limits); the last reason is kept. */
  readonly failedWrites: number;
  readonly lastWriteError?: string;
  /** Answers waiting for their delay. */
  readonly scheduled: number;
}

export interface SecurityAgents {
  /** The agent a device runs, `none` when it runs none (offline and absent agents both never report). */
  modeOf(deviceId: string): AgentMode | 'none';
  stats(): SecurityAgentStats;
  /** Resolves once no answer is waiting for its delay (at once when none is). */
  whenIdle(): Promise<void>;
  /** Stops listening and drops the answers not yet written. */
  stop(): void;
}

const behaviours: Readonly<Record<ProfileId, AgentBehaviour>> = { 'asc-classic': ascClassicAgent, 'defender-micro-agent': microAgent };
const defaultRefusals: Readonly<Record<ProfileId, readonly string[]>> = {
  'asc-classic': ['highPriorityMessageFrequency'],
  'defender-micro-agent': ['Process_Mode'],
};
const nothingRefused: ReadonlySet<string> = new Set();

/**
 * Starts the agents. Every agent that is not offline answers once when attached, as an agent does when it
 * connects and reads its twin (skipped when the twin already holds that answer, written after the desired
 * properties last changed: e.g. after a lab restart), then after every change of its module twin's desired
 * properties (level-triggered: the answer reads the desired properties as they are then, so changes within
 * one delay get one answer). The agents' own reported writes, tag changes and other modules are not
 * desired changes, so agents never answer themselves.
 */
export function attachSecurityAgents(hub: IotHubSimulator, options: SecurityAgentOptions): SecurityAgents {
  const { moduleId } = getAgentProfile(options.profile);
  const behaviour = behaviours[options.profile];
  const seed = options.seed ?? 1;
  const modeOf = agentModeChooser({ share: options.share ?? 1, rejectingShare: options.rejectingShare ?? 0, offlineShare: options.offlineShare ?? 0, seed });
  const refused: ReadonlySet<string> = new Set(options.rejectSettings ?? defaultRefusals[options.profile]);
  const delayMs = options.delayMs ?? 0;
  const jitterMs = options.jitterMs ?? 0;

  const timers = new Map<string, NodeJS.Timeout>();
  let idle: (() => void)[] = [];
  let answersDrawn = 0;
  let stopped = false;
  const counts = { reportsWritten: 0, rejections: 0, failedWrites: 0 };
  let lastWriteError: string | undefined;

  const settle = (): void => {
    if (timers.size > 0) return;
    const waiting = idle;
    idle = [];
    for (const resolve of waiting) resolve();
  };

  const answer = (deviceId: string, onlyIfNew: boolean): void => {
    timers.delete(deviceId);
    const twin = hub.peekModuleTwin(deviceId, moduleId);
    const properties = twin?.['properties'];
    if (isJsonObject(properties)) {
      const reported = asObject(properties['reported']);
      const mode = modeOf(deviceId);
      const result = behaviour(asObject(properties['desired']), reported, mode === 'rejecting' ? refused : nothingRefused);
      const alreadyAnswered = onlyIfNew && reportedSinceDesiredChanged(properties) && !changesSomething(reported, result.reported);
      if (!alreadyAnswered) {
        try {
          hub.reportProperties(deviceId, moduleId, result.reported);
          counts.reportsWritten += 1;
          if (result.invalidFields.length > 0) counts.rejections += 1;
        } catch (error) {
          counts.failedWrites += 1;
          lastWriteError = error instanceof Error ? error.message : String(error);
        }
      }
    }
    settle();
  };

  const schedule = (deviceId: string, onlyIfNew: boolean): void => {
    // An answer already waiting reads the desired properties when it runs, so it covers this change too.
    if (stopped || timers.has(deviceId)) return;
    const mode = modeOf(deviceId);
    if (mode === 'none' || mode === 'offline') return;
    answersDrawn += 1;
    const delay = delayMs + (jitterMs > 0 ? Math.floor(draw(seed, `delay ${answersDrawn}`, deviceId) * jitterMs) : 0);
    const timer = setTimeout(() => answer(deviceId, onlyIfNew), delay);
    // Waiting answers never keep a process alive on their own; stop() or the hub's own handles decide that.
    timer.unref();
    timers.set(deviceId, timer);
  };

  const unsubscribe = hub.onTwinChanged((notification: TwinChangeNotification) => {
    if (notification.properties['moduleId'] !== moduleId || !changesDesired(notification)) return;
    schedule(notification.properties['deviceId'] as string, false);
  });
  for (const entry of hub.moduleInventory(moduleId)) {
    if (entry.moduleTags !== undefined) schedule(entry.deviceId, true);
  }

  return {
    modeOf,
    stats: () => ({ ...counts, ...(lastWriteError === undefined ? {} : { lastWriteError }), scheduled: timers.size }),
    whenIdle: () =>
      new Promise<void>((resolve) => {
        idle.push(resolve);
        settle();
      }),
    stop: () => {
      stopped = true;
      unsubscribe();
      for (const timer of timers.values()) clearTimeout(timer);
      timers.clear();
      settle();
    },
  };
}

/** A replaced twin, or an update whose body holds desired properties (tags-only and reported-only updates do not). */
function changesDesired(notification: TwinChangeNotification): boolean {
  if (notification.properties['opType'] === 'replaceTwin') return true;
  const properties = notification.body['properties'];
  return isJsonObject(properties) && properties['desired'] !== undefined;
}

/** Whether anything was reported after the desired properties last changed (both stamps are the hub's clock). */
function reportedSinceDesiredChanged(properties: JsonObject): boolean {
  const stamp = (section: JsonValue | undefined): number => {
    const lastUpdated = asObject(asObject(section)['$metadata'])['$lastUpdated'];
    return typeof lastUpdated === 'string' ? Date.parse(lastUpdated) : Number.NaN;
  };
  return stamp(properties['reported']) >= stamp(properties['desired']);
}

function asObject(value: JsonValue | undefined): JsonObject {
  return isJsonObject(value) ? value : {};
}

/** Whether merging `patch` into `current` would change it (a `null` removes, objects merge, anything else replaces). */
function changesSomething(current: JsonObject, patch: JsonObject): boolean {
  return Object.entries(patch).some(([key, value]) => {
    const present = Object.hasOwn(current, key) ? current[key] : undefined;
    if (value === null) return present !== undefined;
    if (isJsonObject(value) && isJsonObject(present)) return changesSomething(present, value);
    return !jsonEquals(value, present);
  });
}
