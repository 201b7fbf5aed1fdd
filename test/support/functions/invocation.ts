// What a handler gets from the Functions worker, built with the real @azure/functions classes (vitest's setup
// installs the stand-in for the worker's @azure/functions-core they need), so a test calls an exported
// handler exactly as the worker does and reads back every line it logged.
import { HttpRequest, InvocationContext, type LogLevel } from '@azure/functions';

export interface CapturedLogLine {
  readonly level: LogLevel;
  /** The line as logged: the product's loggers write a stable message, then the properties as JSON. */
  readonly text: string;
}

export interface CapturingInvocation {
  readonly context: InvocationContext;
  readonly lines: CapturedLogLine[];
}

/** A real InvocationContext whose log lines are kept in `lines`, in the order they were logged. */
export function capturingInvocation(functionName: string, invocationId = `${functionName}-invocation`): CapturingInvocation {
  const lines: CapturedLogLine[] = [];
  const context = new InvocationContext({
    invocationId,
    functionName,
    logHandler: (level, ...args) => lines.push({ level, text: args.map(String).join(' ') }),
  });
  return { context, lines };
}

export interface ReadLogLine {
  readonly level: LogLevel;
  readonly message: string;
  readonly properties: Record<string, unknown>;
}

/** Splits a line written through invocationLogger into its message and its JSON properties. */
export function readLogLine(line: CapturedLogLine): ReadLogLine {
  const start = line.text.indexOf(' {');
  if (start === -1) return { level: line.level, message: line.text, properties: {} };
  return { level: line.level, message: line.text.slice(0, start), properties: JSON.parse(line.text.slice(start + 1)) as Record<string, unknown> };
}

export function readLogLines(lines: readonly CapturedLogLine[]): ReadLogLine[] {
  return lines.map(readLogLine);
}

export interface TestHttpRequestInit {
  readonly method: string;
  /** Path and query under the Functions host, e.g. `/api/baselines/default`. */
  readonly path: string;
  readonly headers?: Readonly<Record<string, string>>;
  readonly body?: string;
  /** Route parameters, as the host fills them from the function's route template. */
  readonly params?: Readonly<Record<string, string>>;
}

/** A real HttpRequest as the worker hands it to an HTTP-triggered handler. */
export function testHttpRequest(init: TestHttpRequestInit): HttpRequest {
  return new HttpRequest({
    method: init.method,
    url: `http://localhost:7071${init.path}`,
    headers: { ...init.headers },
    params: { ...init.params },
    ...(init.body === undefined ? {} : { body: { string: init.body } }),
  });
}
