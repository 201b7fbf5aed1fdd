// Fault injection: injected errors, latency and dropped connections, decided before an operation runs so a
// faulted request never has a side effect. Decisions come from a seeded PRNG (mulberry32) and every request
// in scope draws the same four numbers whatever the outcome, so a given seed and request order always fault
// the same requests.
import type { OperationName } from './operations';
import { seededRandom } from '../seededRandom';

export type InjectedStatus = 429 | 500 | 503;

export interface FaultConfig {
  /** Probability (0..1) that a request in scope fails with one of `statuses`. */
  readonly errorRate: number;
  /** Statuses to fail with, picked uniformly; default all three (429 ThrottlingException, 500 ServerError, 503 ServiceUnavailable). */
  readonly statuses?: readonly InjectedStatus[];
  /** Delay (ms, uniform in [min, max]) before every request in scope is processed or failed. */
  readonly latencyMs?: { readonly min: number; readonly max: number };
  /** Probability (0..1) that the socket is destroyed without any response. */
  readonly dropConnectionRate?: number;
  /** Operations in scope; default all. */
  readonly operations?: readonly OperationName[];
  /** PRNG seed; a fixed default keeps runs reproducible when none is given. */
  readonly seed?: number;
}

export type FaultDecision =
  | { readonly kind: 'none'; readonly delayMs: number }
  | { readonly kind: 'drop'; readonly delayMs: number }
  | { readonly kind: 'error'; readonly status: InjectedStatus; readonly delayMs: number };

const DEFAULT_SEED = 0x5eed;

function assertRate(value: number | undefined, name: string): void {
  if (value !== undefined && !(value >= 0 && value <= 1)) throw new RangeError(`${name} must be between 0 and 1, not ${value}`);
}

export class FaultInjector {
  private config: FaultConfig | undefined;
  private random: () => number = seededRandom(DEFAULT_SEED);

  constructor(config: FaultConfig | undefined) {
    this.configure(config);
  }

  /** Replaces the configuration and restarts the PRNG from the (new) seed. */
  configure(config: FaultConfig | undefined): void {
    if (config !== undefined) {
      assertRate(config.errorRate, 'errorRate');
      assertRate(config.dropConnectionRate, 'dropConnectionRate');
      if (config.statuses?.length === 0) throw new RangeError('statuses must not be empty');
      const latency = config.latencyMs;
      if (latency !== undefined && !(latency.min >= 0 && latency.max >= latency.min)) {
        throw new RangeError(`latencyMs must satisfy 0 <= min <= max, not ${JSON.stringify(latency)}`);
      }
    }
    this.config = config;
    this.random = seededRandom(config?.seed ?? DEFAULT_SEED);
  }

  current(): FaultConfig | undefined {
    return this.config;
  }

  decide(operation: OperationName): FaultDecision {
    const config = this.config;
    if (config === undefined || (config.operations !== undefined && !config.operations.includes(operation))) {
      return { kind: 'none', delayMs: 0 };
    }
    const dropDraw = this.random();
    const errorDraw = this.random();
    const statusDraw = this.random();
    const latencyDraw = this.random();
    const latency = config.latencyMs;
    const delayMs = latency === undefined ? 0 : latency.min + Math.floor(latencyDraw * (latency.max - latency.min + 1));
    if (dropDraw < (config.dropConnectionRate ?? 0)) return { kind: 'drop', delayMs };
    if (errorDraw < config.errorRate) {
      const statuses = config.statuses ?? [429, 500, 503];
      return { kind: 'error', status: statuses[Math.floor(statusDraw * statuses.length)]!, delayMs };
    }
    return { kind: 'none', delayMs };
  }
}
