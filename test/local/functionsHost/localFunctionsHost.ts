// The local stand-in for the Functions host + Node worker: loads the app's modules so the real
// '@azure/functions' registers its functions with our functions-core stand-in, indexes them as the
// host would, and invokes them through the library's own RPC conversion (getInvocationModel →
// getArguments → handler → getResponse), with the hooks and logs the worker provides.
import './installFunctionsCore';
import { randomUUID } from 'node:crypto';
import { pathToFileURL } from 'node:url';
import { describeRegistration, isTriggerType, type FunctionRegistration } from './functionRegistration';
import { appHookData, appLevelOnlyHookData, hooksFor, programmingModel, registeredFunctions, setSystemLogSink, takeUnstartedAppStartHooks } from './functionsCore';
import { eventGridAbuseProtection, processEventGridWebhook, type EventGridWebhookResponse, type HeaderBag } from './eventGridWebhook';
import {
  deliverEventHubMessages,
  type EventHubBatchOutcome,
  type EventHubCheckpoint,
  type EventHubDeliveryOptions,
  type EventHubDeliveryResult,
} from './eventHubDelivery';
import { fromRpcTypedData } from './fromRpcTypedData';
import { LogBuffer, toHostLevel, type HostLogEntry, type HostLogger, type HostLogLevel } from './hostLogger';
import { httpResponseFromRpc, type HttpInvocationResponse } from './httpResponseFromRpc';
import type { RpcBindingInfo, RpcInvocationRequest, RpcInvocationResponse, RpcParameterBinding, RpcRetryContext, RpcTraceContext, RpcTypedData } from './rpcTypes';
import type { EventHubMessage, TriggerInput } from './triggerInput';
import { systemTriggerMetadata, triggerTypedData } from './triggerTypedData';
import { runWorkerInvocation } from './workerInvocation';

export interface BindingInvocation {
  readonly functionName: string;
  readonly invocationId: string;
  readonly bindingName: string;
  readonly binding: RpcBindingInfo;
}

/** Supplies the value of a non-trigger input binding (e.g. 'durableClient') for an invocation. */
export type InputBindingProvider = (invocation: BindingInvocation) => RpcTypedData | Promise<RpcTypedData>;
/** Receives an output binding's value after a successful invocation (e.g. an 'eventHub' output). */
export type OutputBindingHandler = (invocation: BindingInvocation, value: unknown) => void | Promise<void>;

export interface LocalFunctionsHostOptions {
  /** Absolute paths of the modules to load, as the worker loads package.json "main" (see resolveMainGlob). */
  readonly functionModules: readonly string[];
  readonly logger?: HostLogger;
  /** Applied to process.env before loading, as the host applies local.settings.json "Values". */
  readonly settings?: Readonly<Record<string, string>>;
  /** Reported to appStart hooks. */
  readonly functionAppDirectory?: string;
  /** Keyed by binding type. */
  readonly inputBindingProviders?: Readonly<Record<string, InputBindingProvider>>;
  /** Keyed by binding type. */
  readonly outputBindingHandlers?: Readonly<Record<string, OutputBindingHandler>>;
  /** host.json extensions.http. */
  readonly http?: { readonly routePrefix?: string };
  /** host.json extensions.eventHubs, plus the scale applied to retry delays so tests stay fast. */
  readonly eventHubs?: { readonly maxEventBatchSize?: number; readonly retryDelayScale?: number };
  readonly logBufferCapacity?: number;
}

export interface InvokeOptions {
  /** Must be unique; generated when omitted. */
  readonly invocationId?: string;
  readonly retryContext?: RpcRetryContext;
  readonly traceContext?: RpcTraceContext;
  /** Added to (and overriding) the trigger metadata the host generates. */
  readonly triggerMetadata?: Readonly<Record<string, RpcTypedData>>;
  /** Values for non-trigger input bindings by binding name; take precedence over providers. */
  readonly extraInputs?: Readonly<Record<string, RpcTypedData>>;
}

export interface InvocationResult {
  readonly invocationId: string;
  readonly functionName: string;
  readonly logs: readonly HostLogEntry[];
  /** The function's return value as the host reads it back (undefined for HTTP triggers). */
  readonly returnValue: unknown;
  /** For HTTP triggers: what the host writes to the client. */
  readonly http?: HttpInvocationResponse;
  /** Output binding values by binding name. */
  readonly outputs: Readonly<Record<string, unknown>>;
  /** The RPC invocation request as the worker received it, for assertions on the exact shape. */
  readonly request: RpcInvocationRequest;
  /** The raw RPC response. */
  readonly response: RpcInvocationResponse;
}

const triggerReason: Record<TriggerInput['kind'], string> = {
  eventGrid: 'EventGrid trigger fired',
  eventHub: 'Event Hubs trigger fired',
  timer: 'Timer fired',
  http: 'This HTTP triggered function was executed',
  raw: 'This function was programmatically called via the host APIs.',
};

export class LocalFunctionsHost {
  readonly #registrations: ReadonlyMap<string, FunctionRegistration>;
  readonly #options: LocalFunctionsHostOptions;
  readonly #buffer: LogBuffer;
  readonly #checkpoints = new Map<string, EventHubCheckpoint>();
  readonly #losses: EventHubBatchOutcome[] = [];
  readonly #partitionQueues = new Map<string, Promise<unknown>>();
  #closed = false;

  private constructor(options: LocalFunctionsHostOptions, registrations: ReadonlyMap<string, FunctionRegistration>, buffer: LogBuffer) {
    this.#options = options;
    this.#registrations = registrations;
    this.#buffer = buffer;
  }

  static async load(options: LocalFunctionsHostOptions): Promise<LocalFunctionsHost> {
    const buffer = new LogBuffer(options.logBufferCapacity);
    const emit = (entry: Omit<HostLogEntry, 'timestamp'>) => {
      const full = { timestamp: new Date().toISOString(), ...entry };
      buffer.log(full);
      options.logger?.log(full);
    };

    for (const [key, value] of Object.entries(options.settings ?? {})) {
      const existing = process.env[key];
      if (existing !== undefined && existing !== value) {
        // Core Tools keeps what the environment already defines.
        emit({ level: 'warning', category: 'host', message: `Skipping '${key}' from local settings as it's already defined in current environment variables.` });
        continue;
      }
      process.env[key] = value;
    }

    setSystemLogSink((level, category, message) => emit({ level: toHostLevel(level), category: category === 'user' ? 'user' : 'system', message }));

    // Sequentially, like the worker; an already-loaded module is served from the module cache and
    // registers nothing new, which is why registrations live in the process-wide registry.
    for (const modulePath of options.functionModules) {
      await import(pathToFileURL(modulePath).href);
    }
    if (options.functionModules.length > 0 && registeredFunctions().size === 0) {
      throw new Error(
        'No function was registered. Was @azure/functions required before the functions-core stand-in was installed (it then runs in "test mode")?',
      );
    }

    const registrations = new Map<string, FunctionRegistration>();
    for (const registered of registeredFunctions().values()) {
      registrations.set(registered.metadata.name, describeRegistration(registered, process.env));
    }
    const host = new LocalFunctionsHost(options, registrations, buffer);

    for (const registration of registrations.values()) {
      if (registration.indexingError !== undefined) {
        host.#log({ level: 'error', category: 'host', functionName: registration.name, message: registration.indexingError });
      }
    }
    host.#log({
      level: 'information',
      category: 'host',
      message: `Found the following functions:\n${[...registrations.values()].map((r) => `${r.name}: ${r.triggerType}`).join('\n')}`,
    });

    for (const hook of takeUnstartedAppStartHooks()) {
      await hook({ hookData: appLevelOnlyHookData(), appHookData: appHookData(), functionAppDirectory: options.functionAppDirectory ?? process.cwd() });
    }
    return host;
  }

  /** host.json extensions.http.routePrefix ('api' by default). */
  get routePrefix(): string {
    return this.#options.http?.routePrefix ?? 'api';
  }

  /**
   * Like one worker process, the host indexes everything registered in this process when it loads;
   * functions registered after that belong to hosts loaded later.
   */
  functions(): FunctionRegistration[] {
    return [...this.#registrations.values()];
  }

  getFunction(name: string): FunctionRegistration | undefined {
    return this.#registrations.get(name);
  }

  logs(filter?: { invocationId?: string; functionName?: string; minLevel?: HostLogLevel }): HostLogEntry[] {
    return this.#buffer.entries(filter);
  }

  /** Writes a host-level record (used by the HTTP front and deliveries sharing this host's logs). */
  log(entry: Omit<HostLogEntry, 'timestamp'>): void {
    this.#log(entry);
  }

  async invoke(name: string, trigger: TriggerInput, options: InvokeOptions = {}): Promise<InvocationResult> {
    if (this.#closed) throw new Error('The local Functions host is closed.');
    const registration = this.#registrations.get(name);
    const registered = registeredFunctions().get(name);
    if (!registration || !registered) throw new Error(`Function '${name}' is not registered in the local Functions host.`);
    if (registration.indexingError !== undefined) throw new Error(registration.indexingError);
    const model = programmingModel();
    if (!model) throw new Error('@azure/functions has not set its programming model; no app module was loaded.');

    const invocationId = options.invocationId ?? randomUUID();
    const started = Date.now();
    const { data, triggerMetadata } = triggerTypedData(registration, trigger, process.env);
    const inputData: RpcParameterBinding[] = [{ name: registration.triggerBindingName, data }];
    for (const [bindingName, binding] of Object.entries(registration.bindings)) {
      if (binding.direction !== 'in' || isTriggerType(binding.type)) continue;
      inputData.push({ name: bindingName, data: await this.#inputValue(name, invocationId, bindingName, binding, options) });
    }

    const logs: HostLogEntry[] = [];
    const record = (entry: Omit<HostLogEntry, 'timestamp'>) => logs.push(this.#log({ ...entry, functionName: name, invocationId }));
    record({ level: 'information', category: 'host', message: `Executing 'Functions.${name}' (Reason='${triggerReason[trigger.kind]}', Id=${invocationId})` });

    const isHttp = registration.triggerType.toLowerCase() === 'httptrigger';
    const request: RpcInvocationRequest = {
      invocationId,
      functionId: name,
      inputData,
      triggerMetadata: { ...triggerMetadata, ...systemTriggerMetadata(name, new Date(started)), ...(options.triggerMetadata ?? {}) },
      ...(options.retryContext ? { retryContext: options.retryContext } : {}),
      ...(options.traceContext ? { traceContext: options.traceContext } : {}),
    };
    let response: RpcInvocationResponse;
    const outputs: Record<string, unknown> = {};
    try {
      response = await runWorkerInvocation(registered, request, model, (level, category, message) =>
        record({ level: toHostLevel(level), category: category === 'user' ? 'user' : 'system', message }),
      );
      for (const output of response.outputData ?? []) {
        if (output.name) outputs[output.name] = fromRpcTypedData(output.data);
      }
      // The host flushes output bindings after the function returns; a failing flush fails the invocation.
      for (const [bindingName, binding] of Object.entries(registration.bindings)) {
        if (binding.direction !== 'out' || binding.type.toLowerCase() === 'http') continue;
        const value = bindingName === '$return' ? fromRpcTypedData(response.returnValue) : outputs[bindingName];
        if (value === undefined) continue;
        await this.#deliverOutput({ functionName: name, invocationId, bindingName, binding }, value, record);
      }
    } catch (error) {
      record({ level: 'error', category: 'host', message: `Executed 'Functions.${name}' (Failed, Id=${invocationId}, Duration=${Date.now() - started}ms)\n${describeFailure(error)}` });
      throw error;
    }

    record({ level: 'information', category: 'host', message: `Executed 'Functions.${name}' (Succeeded, Id=${invocationId}, Duration=${Date.now() - started}ms)` });
    return {
      invocationId,
      functionName: name,
      logs,
      returnValue: isHttp ? undefined : fromRpcTypedData(response.returnValue),
      ...(isHttp ? { http: httpResponseFromRpc(response.returnValue) } : {}),
      outputs,
      request,
      response,
    };
  }

  /** The Event Grid webhook: POST /runtime/webhooks/eventgrid?functionName=… (payload is the parsed body). */
  deliverEventGrid(functionName: string | undefined, payload: unknown, headers: HeaderBag): Promise<EventGridWebhookResponse> {
    return processEventGridWebhook(this, functionName, payload, headers);
  }

  /** The CloudEvents abuse-protection handshake: OPTIONS /runtime/webhooks/eventgrid?functionName=…. */
  answerEventGridHandshake(functionName: string | undefined, headers: HeaderBag): EventGridWebhookResponse {
    return eventGridAbuseProtection(this, functionName, headers);
  }

  /**
   * Event Hubs trigger behaviour for one partition: batches by cardinality and maxEventBatchSize,
   * applies the function's retry policy on an uncaught exception, then checkpoints regardless.
   */
  deliverEventHubBatch(functionName: string, messages: readonly EventHubMessage[], options: EventHubDeliveryOptions = {}): Promise<EventHubDeliveryResult> {
    const registration = this.#registrations.get(functionName);
    if (!registration?.eventHub) return Promise.reject(new Error(`Function '${functionName}' is not an Event Hubs triggered function of this host.`));
    const partitionId = options.partitionId ?? '0';
    const key = `${functionName}/${partitionId}`;
    // A partition is processed strictly one batch after the other.
    const previous = this.#partitionQueues.get(key) ?? Promise.resolve();
    const run = previous.then(() =>
      deliverEventHubMessages(
        { invoke: (n, t, o) => this.invoke(n, t, o), log: (e) => this.#log(e) },
        registration,
        messages,
        {
          partitionId,
          maxEventBatchSize: options.maxEventBatchSize ?? this.#options.eventHubs?.maxEventBatchSize ?? 100,
          retryDelayScale: options.retryDelayScale ?? this.#options.eventHubs?.retryDelayScale ?? 1,
          ...(options.seed === undefined ? {} : { seed: options.seed }),
        },
        (checkpoint) => this.#checkpoints.set(key, checkpoint),
        (lost) => this.#losses.push(lost),
      ),
    );
    this.#partitionQueues.set(
      key,
      run.catch(() => undefined),
    );
    return run;
  }

  eventHubCheckpoint(functionName: string, partitionId = '0'): EventHubCheckpoint | undefined {
    return this.#checkpoints.get(`${functionName}/${partitionId}`);
  }

  /** Every batch (or single event) the host gave up on after its retries: lost for that function. */
  eventHubLosses(): readonly EventHubBatchOutcome[] {
    return [...this.#losses];
  }

  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    for (const hook of hooksFor('appTerminate')) await hook({ hookData: appLevelOnlyHookData(), appHookData: appHookData() });
  }

  async #inputValue(functionName: string, invocationId: string, bindingName: string, binding: RpcBindingInfo, options: InvokeOptions): Promise<RpcTypedData> {
    const given = options.extraInputs?.[bindingName];
    if (given) return given;
    const provider = this.#options.inputBindingProviders?.[binding.type];
    if (!provider) {
      throw new Error(`The local Functions host has no provider for the '${binding.type}' input binding '${bindingName}' of '${functionName}'.`);
    }
    return provider({ functionName, invocationId, bindingName, binding });
  }

  async #deliverOutput(invocation: BindingInvocation, value: unknown, record: (entry: Omit<HostLogEntry, 'timestamp'>) => void): Promise<void> {
    const handler = this.#options.outputBindingHandlers?.[invocation.binding.type];
    if (!handler) {
      record({
        level: 'warning',
        category: 'host',
        message: `Output binding '${invocation.bindingName}' (${invocation.binding.type}) has no handler in the local host; its value is only returned to the caller.`,
      });
      return;
    }
    await handler(invocation, value);
  }

  #log(entry: Omit<HostLogEntry, 'timestamp'>): HostLogEntry {
    const full: HostLogEntry = { timestamp: new Date().toISOString(), ...entry };
    this.#buffer.log(full);
    this.#options.logger?.log(full);
    return full;
  }
}

function describeFailure(error: unknown): string {
  if (error instanceof Error) return `Result: Failure\nException: ${error.message}\nStack: ${error.stack ?? ''}`;
  return `Result: Failure\nException: ${typeof error === 'string' ? error : JSON.stringify(error)}`;
}
