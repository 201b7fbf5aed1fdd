// Log records of the local host: the invocation logs a handler writes through its InvocationContext
// (category 'user'), the library's own messages ('system') and what the host itself reports about
// executions, Event Grid deliveries and Event Hub batches ('host').
import { redactSecrets } from '../../../src/domain/redactSecrets';
import type { RpcLogLevel } from './rpcTypes';

export type HostLogLevel = Exclude<RpcLogLevel, 'none'>;
export type HostLogCategory = 'user' | 'system' | 'host';

export interface HostLogEntry {
  readonly timestamp: string;
  readonly level: HostLogLevel;
  readonly category: HostLogCategory;
  readonly message: string;
  readonly functionName?: string;
  readonly invocationId?: string;
}

export interface HostLogger {
  log(entry: HostLogEntry): void;
}

const severity: Record<HostLogLevel, number> = { trace: 0, debug: 1, information: 2, warning: 3, error: 4, critical: 5 };

export function isAtLeast(level: HostLogLevel, minimum: HostLogLevel): boolean {
  return severity[level] >= severity[minimum];
}

/**
 * Writes entries at or above `minLevel` to the console, in the shape `func start` prints them, with every
 * credential masked: a handler's or the host's message may hold an error that quotes a request.
 */
export function consoleHostLogger(minLevel: HostLogLevel = 'information'): HostLogger {
  return {
    log(entry) {
      if (!isAtLeast(entry.level, minLevel)) return;
      const where = entry.functionName === undefined ? '' : `[${entry.functionName}] `;
      const line = redactSecrets(`[${entry.timestamp}] ${where}${entry.message}`);
      if (isAtLeast(entry.level, 'error')) console.error(line);
      else if (entry.level === 'warning') console.warn(line);
      else console.log(line);
    },
  };
}

/** Keeps the newest `capacity` entries so a long-running lab cannot grow without bound. */
export class LogBuffer implements HostLogger {
  readonly #entries: HostLogEntry[] = [];
  readonly #capacity: number;

  constructor(capacity = 10_000) {
    this.#capacity = capacity;
  }

  log(entry: HostLogEntry): void {
    this.#entries.push(entry);
    // Trimmed in chunks so a full buffer does not shift every entry on every log line.
    if (this.#entries.length > this.#capacity + Math.ceil(this.#capacity / 4)) {
      this.#entries.splice(0, this.#entries.length - this.#capacity);
    }
  }

  entries(filter?: { invocationId?: string; functionName?: string; minLevel?: HostLogLevel }): HostLogEntry[] {
    return this.#entries.slice(-this.#capacity).filter(
      (e) =>
        (filter?.invocationId === undefined || e.invocationId === filter.invocationId) &&
        (filter?.functionName === undefined || e.functionName === filter.functionName) &&
        (filter?.minLevel === undefined || isAtLeast(e.level, filter.minLevel)),
    );
  }
}

export function toHostLevel(level: RpcLogLevel): HostLogLevel {
  return level === 'none' ? 'trace' : level;
}
