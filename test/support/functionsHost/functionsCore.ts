// The object the Node worker hands to '@azure/functions' as '@azure/functions-core': it receives every
// function registration (full binding metadata) and the library's programming model.
export interface RegisteredFunction {
  readonly metadata: { name: string; bindings: Record<string, { type: string; direction: string; [key: string]: unknown }>; [key: string]: unknown };
  readonly callback: (...args: unknown[]) => unknown;
}

export interface ProgrammingModel {
  getInvocationModel(coreContext: unknown): {
    getArguments(): Promise<{ context: unknown; inputs: unknown[] }>;
    invokeFunction(context: unknown, inputs: unknown[], callback: (...args: unknown[]) => unknown): Promise<unknown>;
    getResponse(context: unknown, result: unknown): Promise<{ returnValue?: unknown; outputData?: unknown[] }>;
  };
}

const registrations = new Map<string, RegisteredFunction>();
let programmingModel: ProgrammingModel | undefined;

export const functionsCore = {
  version: 'smt-local-host',
  hostVersion: '4.x-local',
  registerFunction(metadata: RegisteredFunction['metadata'], callback: RegisteredFunction['callback']) {
    registrations.set(metadata.name, { metadata, callback });
    return { dispose: () => registrations.delete(metadata.name) };
  },
  setProgrammingModel(model: ProgrammingModel) {
    programmingModel = model;
  },
  getProgrammingModel(): ProgrammingModel | undefined {
    return programmingModel;
  },
  registerHook() {
    return { dispose: () => undefined };
  },
  log() {
    // System logs from the library; the local host reports invocation logs itself.
  },
  Disposable: class {
    constructor(private readonly onDispose?: () => void) {}
    dispose() {
      this.onDispose?.();
    }
  },
};

export function registeredFunctions(): ReadonlyMap<string, RegisteredFunction> {
  return registrations;
}
