import { app, type HttpRequest, type HttpResponseInit, type InvocationContext } from '@azure/functions';
import { getServices } from '../composition';
import { invocationLogger } from './invocationLogger';

/** GET /api/baselines/default — the baseline version that new devices get now. */
export async function getDefaultBaseline(_request: HttpRequest, context: InvocationContext): Promise<HttpResponseInit> {
  try {
    const baseline = await getServices().defaultBaseline();
    return { status: 200, jsonBody: baseline };
  } catch (error) {
    invocationLogger(context).error('Could not read the default baseline', { error: error instanceof Error ? error.message : String(error) });
    return { status: 503, jsonBody: { error: 'The default baseline could not be read; see the function logs.' } };
  }
}

app.http('getDefaultBaseline', { methods: ['GET'], authLevel: 'function', route: 'baselines/default', handler: getDefaultBaseline });
