// One invocation as the Node worker runs it (azure-functions-nodejs-worker InvocationHandler):
// getInvocationModel → getArguments → preInvocation hooks → invokeFunction → postInvocation hooks →
// rethrow the handler's error, or getResponse. Every log line passes the registered log hooks first.
import { appHookData, hooksFor, type RegisteredFunction } from './functionsCore';
import type {
  CoreInvocationContext,
  RpcInvocationRequest,
  RpcInvocationResponse,
  RpcLogCategory,
  RpcLogLevel,
  RpcProgrammingModel,
} from './rpcTypes';

export type WorkerLogSink = (level: RpcLogLevel, category: RpcLogCategory, message: string) => void;

export async function runWorkerInvocation(
  registered: RegisteredFunction,
  request: RpcInvocationRequest,
  model: RpcProgrammingModel,
  sink: WorkerLogSink,
): Promise<RpcInvocationResponse> {
  const hookData: Record<string, unknown> = {};
  // Log hooks see the InvocationContext once getArguments has created it.
  const current: { invocationContext?: unknown } = {};

  const coreContext: CoreInvocationContext = {
    invocationId: request.invocationId,
    request,
    metadata: registered.metadata,
    log(level, category, message) {
      const logHooks = hooksFor('log');
      if (logHooks.length === 0) {
        sink(level, category, message);
        return;
      }
      const logContext: Record<string, unknown> = { level, message, category, hookData, appHookData: appHookData(), invocationContext: current.invocationContext };
      for (const hook of logHooks) hook(logContext);
      // As in the worker, hooks may rewrite only the logs the app itself writes.
      if (category === 'user') sink(logContext['level'] as RpcLogLevel, category, String(logContext['message']));
      else sink(level, category, message);
    },
  };

  const invocationModel = await model.getInvocationModel(coreContext);
  const { context, inputs } = await invocationModel.getArguments();
  current.invocationContext = context;

  const preInvocation: Record<string, unknown> = {
    hookData,
    appHookData: appHookData(),
    invocationContext: context,
    functionCallback: registered.callback,
    inputs,
  };
  coreContext.state = 'preInvocationHooks';
  try {
    for (const hook of hooksFor('preInvocation')) await hook(preInvocation);
  } finally {
    delete coreContext.state;
  }

  const finalInputs = preInvocation['inputs'] as unknown[];
  const callback = preInvocation['functionCallback'] as RegisteredFunction['callback'];
  const postInvocation: Record<string, unknown> = {
    hookData,
    appHookData: appHookData(),
    invocationContext: context,
    inputs: finalInputs,
    result: null,
    error: null,
  };

  coreContext.state = 'invocation';
  try {
    postInvocation['result'] = await invocationModel.invokeFunction(context, finalInputs, callback);
  } catch (error) {
    postInvocation['error'] = error;
  } finally {
    delete coreContext.state;
  }

  coreContext.state = 'postInvocationHooks';
  try {
    for (const hook of hooksFor('postInvocation')) await hook(postInvocation);
  } finally {
    delete coreContext.state;
  }

  // The worker treats anything thrown (not only Error instances) as a failure; a postInvocation hook
  // may also clear or replace the error.
  const error = postInvocation['error'];
  if (error !== null && error !== undefined) throw error;
  return invocationModel.getResponse(context, postInvocation['result']);
}
