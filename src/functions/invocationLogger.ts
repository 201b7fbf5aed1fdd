import type { InvocationContext } from '@azure/functions';
import type { Logger } from '../app/ports/logger';

/** Adapts the invocation's log methods (which reach Application Insights) to the app's Logger port. */
export function invocationLogger(context: InvocationContext): Logger {
  const format = (message: string, properties?: Readonly<Record<string, unknown>>) =>
    properties === undefined ? message : `${message} ${JSON.stringify(properties)}`;
  return {
    info: (message, properties) => context.info(format(message, properties)),
    warn: (message, properties) => context.warn(format(message, properties)),
    error: (message, properties) => context.error(format(message, properties)),
  };
}
