import { app, type InvocationContext, type Timer } from '@azure/functions';
import { invocationLogger } from '../adapters/logging/invocationLogger';
import { logFailure } from '../adapters/logging/logFailure';
import { getServices } from '../composition';
import { failureResponse } from '../domain/failurePolicy';

/**
 * Timer trigger of the periodic sweep. Each run works until its time limit and saves its place; a sweep of
 * a large fleet spans as many runs as it needs. A throttled hub ends the run early (it resumes next time);
 * a bug fails the run so it shows in monitoring.
 */
export async function sweepFleet(_timer: Timer, context: InvocationContext): Promise<void> {
  const log = invocationLogger(context);
  try {
    const run = await getServices().sweepFleet(new Date());
    if (run.idle === true) return;
    const summary = { sweepId: run.sweepId, phase: run.phase, counts: run.counts, invocationId: context.invocationId };
    if (run.stoppedBy === 'transient-failure') {
      logFailure(log, failureResponse('timer', run.failure), `Sweep ${run.sweepId} paused by the hub; the next run resumes`, run.failure, summary);
    } else if (run.phase === 'done') {
      log.info(`Sweep ${run.sweepId} finished`, summary);
    } else {
      log.info(`Sweep ${run.sweepId} continues next run`, summary);
    }
  } catch (error) {
    logFailure(log, failureResponse('timer', error), 'Sweep run failed', error, { invocationId: context.invocationId });
    throw error;
  }
}

app.timer('sweepFleet', { schedule: '%SWEEP_SCHEDULE%', handler: sweepFleet });
