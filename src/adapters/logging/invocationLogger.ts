import type { Logger } from '../../app/ports/logger';
import { redactSecrets } from '../../domain/redactSecrets';

/**
 * The log methods of a Functions InvocationContext (which reach Application Insights with the invocation's
 * id), described by shape so this adapter needs no trigger library.
 */
export interface InvocationLogMethods {
  info(...args: unknown[]): void;
  warn(...args: unknown[]): void;
  error(...args: unknown[]): void;
}

/**
 * Adapts an invocation's log methods to the app's Logger port. One line per call: a stable message, then
 * the properties as JSON (the correlation keys queries filter on), with every credential masked whatever
 * a property holds.
 */
export function invocationLogger(context: InvocationLogMethods): Logger {
  const format = (message: string, properties?: Readonly<Record<string, unknown>>) =>
    redactSecrets(properties === undefined ? message : `${message} ${JSON.stringify(properties)}`);
  return {
    info: (message, properties) => context.info(format(message, properties)),
    warn: (message, properties) => context.warn(format(message, properties)),
    error: (message, properties) => context.error(format(message, properties)),
  };
}
