// Installs the stand-in for the worker-injected '@azure/functions-core' module before anything
// requires '@azure/functions' (vitest setupFiles, lab start-up). The real Node worker does the same
// by intercepting Module._load; without it @azure/functions falls back to "test mode" and registers nothing.
import Module from 'node:module';
import { functionsCore } from './functionsCore';

type LoadFn = (request: string, parent: unknown, isMain: boolean) => unknown;
const moduleWithLoad = Module as unknown as { _load: LoadFn; __smtFunctionsCoreInstalled?: boolean };

if (!moduleWithLoad.__smtFunctionsCoreInstalled) {
  const originalLoad = moduleWithLoad._load;
  // functionsCore keeps its state on globalThis, so the object captured here and any later copy of
  // the module (a test runner may evaluate it again) share one registry.
  moduleWithLoad._load = function load(this: unknown, request: string, parent: unknown, isMain: boolean) {
    if (request === '@azure/functions-core') return functionsCore;
    return originalLoad.call(this, request, parent, isMain);
  };
  moduleWithLoad.__smtFunctionsCoreInstalled = true;
}
