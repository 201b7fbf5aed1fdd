// What the lab prints while it runs. On a terminal, one live progress line stays at the bottom, redrawn in
// place (log-update), with log lines printed above it; otherwise (a file, a pipe, CI) a progress line is
// printed every few seconds when something changed. Log lines: warnings and errors as one line each
// (their first line, no stack trace; on a terminal cut to its width), information only with --verbose,
// which also prints everything whole.
// Every line goes through redactSecrets: no key, SAS token or connection string reaches the console.
import type { HostLogEntry, HostLogger } from '../functionsHost';
import { redactSecrets } from '../../../src/domain/redactSecrets';
import { describeProgress, sameProgress, type LabProgress, type LabProgressReader } from './labProgress';

interface LabConsoleOptions {
  readonly verbose: boolean;
  /** A terminal: the progress line is redrawn in place. */
  readonly interactive: boolean;
  /** How often the live line is refreshed on a terminal (default 1 s: counting walks the fleet). */
  readonly redrawEveryMs?: number;
  /** How often a progress line is printed otherwise, when something changed (default 5 s). */
  readonly summaryEveryMs?: number;
  readonly stdout?: NodeJS.WriteStream;
  readonly stderr?: NodeJS.WriteStream;
}

type LiveLine = ((text: string) => void) & { persist(text: string): void; done(): void; clear(): void };

export class LabConsole implements HostLogger {
  readonly #options: LabConsoleOptions;
  readonly #stdout: NodeJS.WriteStream;
  readonly #stderr: NodeJS.WriteStream;
  readonly #live: LiveLine | undefined;
  #status = '';
  #timer: NodeJS.Timeout | undefined;
  #read: LabProgressReader | undefined;
  #lastPrinted: LabProgress | undefined;

  private constructor(options: LabConsoleOptions, live: LiveLine | undefined) {
    this.#options = options;
    this.#stdout = options.stdout ?? process.stdout;
    this.#stderr = options.stderr ?? process.stderr;
    this.#live = live;
  }

  static async create(options: LabConsoleOptions): Promise<LabConsole> {
    if (!options.interactive) return new LabConsole(options, undefined);
    // log-update is an ES module; this CommonJS file loads it on demand.
    const { createLogUpdate } = await import('log-update');
    return new LabConsole(options, createLogUpdate(options.stdout ?? process.stdout) as LiveLine);
  }

  /** Host and app log records (the lab's HostLogger). */
  log(entry: HostLogEntry): void {
    const warningOrWorse = entry.level === 'warning' || entry.level === 'error' || entry.level === 'critical';
    if (!warningOrWorse && !(this.#options.verbose && entry.level === 'information')) return;
    const where = entry.functionName === undefined ? '' : `[${entry.functionName}] `;
    const message = this.#options.verbose ? entry.message : firstLine(entry.message);
    const time = entry.timestamp.slice(11, 19);
    // Masked before it is cut, so a cut cannot leave part of a secret unrecognised.
    const line = redactSecrets(`${time} ${entry.level === 'information' ? '' : `${entry.level}: `}${where}${message}`);
    const width = this.#stdout.columns;
    const fitted = this.#live !== undefined && !this.#options.verbose && width !== undefined && line.length > width ? `${line.slice(0, width - 1)}…` : line;
    this.#write(fitted, warningOrWorse ? 'stderr' : 'stdout');
  }

  /** Text for the person at the console (the banner, what happens at stop). */
  print(text: string): void {
    this.#write(text, 'stdout');
  }

  /** An error worth a line of its own; its stack only with --verbose. */
  error(text: string, error?: unknown): void {
    const detail = this.#options.verbose && error instanceof Error && error.stack !== undefined ? `\n${error.stack}` : '';
    this.#write(`${text}${detail}`, 'stderr');
  }

  /** Starts showing progress: a live line on a terminal, periodic lines otherwise. */
  follow(read: LabProgressReader): void {
    this.#read = read;
    if (this.#live !== undefined) {
      this.#redraw();
      this.#timer = setInterval(() => this.#redraw(), this.#options.redrawEveryMs ?? 1_000);
    } else {
      this.#timer = setInterval(() => this.#printIfChanged(), this.#options.summaryEveryMs ?? 5_000);
    }
    this.#timer.unref();
  }

  /** Stops the progress display, leaving the last figures on screen. */
  stop(): void {
    if (this.#timer !== undefined) clearInterval(this.#timer);
    this.#timer = undefined;
    if (this.#read === undefined) return;
    const progress = this.#read();
    this.#read = undefined;
    if (this.#live !== undefined) {
      this.#live.persist(describeProgress(progress));
      this.#status = '';
      this.#live.done();
    } else if (this.#lastPrinted === undefined || !sameProgress(progress, this.#lastPrinted)) {
      this.#stdout.write(`${timestamp()} ${describeProgress(progress)}\n`);
    }
  }

  #redraw(): void {
    if (this.#read === undefined || this.#live === undefined) return;
    this.#status = describeProgress(this.#read());
    this.#live(this.#status);
  }

  #printIfChanged(): void {
    if (this.#read === undefined) return;
    const progress = this.#read();
    if (this.#lastPrinted !== undefined && sameProgress(progress, this.#lastPrinted)) return;
    this.#lastPrinted = progress;
    this.#stdout.write(`${timestamp()} ${describeProgress(progress)}\n`);
  }

  #write(text: string, stream: 'stdout' | 'stderr'): void {
    const safe = redactSecrets(text);
    if (this.#live !== undefined) {
      // Above the live line, which is drawn again below it.
      this.#live.persist(safe);
      if (this.#status !== '') this.#live(this.#status);
      return;
    }
    (stream === 'stderr' ? this.#stderr : this.#stdout).write(`${safe}\n`);
  }
}

function firstLine(text: string): string {
  const end = text.indexOf('\n');
  return end < 0 ? text : `${text.slice(0, end)} …`;
}

function timestamp(): string {
  return new Date().toISOString().slice(11, 19);
}
