import { app, type HttpRequest, type HttpResponseInit, type InvocationContext } from '@azure/functions';
import { httpFailureResponse } from '../adapters/http/httpFailureResponse';
import { invocationLogger } from '../adapters/logging/invocationLogger';
import { getServices } from '../composition';

/** GET /api/baselines/default — the baseline version that new devices get now. */
export async function getDefaultBaseline(_request: HttpRequest, context: InvocationContext): Promise<HttpResponseInit> {
  try {
    return { status: 200, jsonBody: await getServices().defaultBaseline() };
  } catch (error) {
    return httpFailureResponse(invocationLogger(context), error, 'Could not read the default baseline', context.invocationId);
  }
}

app.http('getDefaultBaseline', { methods: ['GET'], authLevel: 'function', route: 'baselines/default', handler: getDefaultBaseline });
