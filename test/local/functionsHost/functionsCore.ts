// The object the Node worker hands to '@azure/functions' as '@azure/functions-core': it receives every
// function registration (full binding metadata), the library's programming model and its hooks.
import type { RpcFunctionMetadata, RpcLogCategory, RpcLogLevel, RpcProgrammingModel } from './rpcTypes';

export type FunctionCallback = (...args: unknown[]) => unknown;

export interface RegisteredFunction {
  readonly metadata: RpcFunctionMetadata;
  readonly callback: FunctionCallback;
}

/** The hook kinds the worker runs; '@azure/functions' registers them through `app.hook.*`. */
export type HookName = 'appStart' | 'appTerminate' | 'preInvocation' | 'postInvocation' | 'log';
export type HookCallback = (context: Record<string, unknown>) => unknown;

/** Receives the library's system logs written outside any invocation (`coreApi.log`). */
export type SystemLogSink = (level: RpcLogLevel, category: RpcLogCategory, message: string) => void;

interface FunctionsCoreState {
  readonly registrations: Map<string, RegisteredFunction>;
  readonly hooks: Map<HookName, HookCallback[]>;
  readonly appHookData: Record<string, unknown>;
  readonly appLevelOnlyHookData: Record<string, unknown>;
  readonly startedHooks: WeakSet<HookCallback>;
  programmingModel: RpcProgrammingModel | undefined;
  systemLogSink: SystemLogSink | undefined;
}

// '@azure/functions' caches the core module it first required, and it is a process-wide singleton
// (Node's require cache). Test runners may evaluate this file more than once in one process, so the
// state lives on globalThis: every copy of this module must hand out the same registry and hooks.
const stateKey = Symbol.for('smt.functionsHost.functionsCoreState');
const globalSlot = globalThis as unknown as Record<symbol, FunctionsCoreState | undefined>;
const state: FunctionsCoreState = (globalSlot[stateKey] ??= {
  registrations: new Map(),
  hooks: new Map(),
  appHookData: {},
  appLevelOnlyHookData: {},
  startedHooks: new WeakSet(),
  programmingModel: undefined,
  systemLogSink: undefined,
});

class Disposable {
  readonly #onDispose: (() => unknown) | undefined;
  constructor(onDispose?: () => unknown) {
    this.#onDispose = onDispose;
  }
  static from(...disposables: { dispose: () => unknown }[]): Disposable {
    return new Disposable(() => disposables.forEach((d) => d.dispose()));
  }
  dispose(): void {
    this.#onDispose?.();
  }
}

export const functionsCore = {
  version: 'smt-local-host',
  hostVersion: '4.x-local',
  registerFunction(metadata: RpcFunctionMetadata, callback: FunctionCallback): Disposable {
    // The worker keys functions by id and a second registration under the same name replaces the
    // first; re-evaluating an app module in one process therefore keeps the newest callback.
    state.registrations.set(metadata.name, { metadata, callback });
    return new Disposable(() => state.registrations.delete(metadata.name));
  },
  setProgrammingModel(model: RpcProgrammingModel): void {
    state.programmingModel = model;
  },
  getProgrammingModel(): RpcProgrammingModel | undefined {
    return state.programmingModel;
  },
  registerHook(hookName: string, callback: HookCallback): Disposable {
    if (!isHookName(hookName)) {
      // The worker rejects unknown hook names with a RangeError; the library relies on that to report
      // "Log hooks require Azure Functions Host v4.34 or higher", so keep the same error type.
      throw new RangeError(`Unrecognized hook "${hookName}"`);
    }
    const list = state.hooks.get(hookName) ?? [];
    list.push(callback);
    state.hooks.set(hookName, list);
    return new Disposable(() => {
      const current = state.hooks.get(hookName) ?? [];
      state.hooks.set(
        hookName,
        current.filter((c) => c !== callback),
      );
    });
  },
  log(level: RpcLogLevel, category: RpcLogCategory, message: string): void {
    state.systemLogSink?.(level, category, message);
  },
  Disposable,
};

function isHookName(name: string): name is HookName {
  return ['appStart', 'appTerminate', 'preInvocation', 'postInvocation', 'log'].includes(name);
}

export function registeredFunctions(): ReadonlyMap<string, RegisteredFunction> {
  return state.registrations;
}

export function programmingModel(): RpcProgrammingModel | undefined {
  return state.programmingModel;
}

export function hooksFor(name: HookName): readonly HookCallback[] {
  return [...(state.hooks.get(name) ?? [])];
}

/** Shared by every hook of the process (the v3-style `appHookData`). */
export function appHookData(): Record<string, unknown> {
  return state.appHookData;
}

/** The `hookData` of appStart and appTerminate hooks, which only they share. */
export function appLevelOnlyHookData(): Record<string, unknown> {
  return state.appLevelOnlyHookData;
}

/** appStart hooks run once per worker process, however many hosts load the app. */
export function takeUnstartedAppStartHooks(): HookCallback[] {
  const pending = hooksFor('appStart').filter((hook) => !state.startedHooks.has(hook));
  pending.forEach((hook) => state.startedHooks.add(hook));
  return pending;
}

export function setSystemLogSink(sink: SystemLogSink | undefined): void {
  state.systemLogSink = sink;
}
