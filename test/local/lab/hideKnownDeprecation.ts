// azure-iothub 1.16 loads node-fetch 2, whose whatwg-url requires Node's deprecated `punycode` module: on
// Node 22 every lab start would print a DEP0040 deprecation warning (with advice to use a userland module)
// that the person running the lab can do nothing about. The lab hides that one warning, unless --verbose;
// every other warning still shows. Imported first by cli.ts, before anything loads the SDK.
const hiddenCodes: ReadonlySet<string> = new Set(['DEP0040']);

if (!process.argv.includes('--verbose')) {
  const emitWarning = process.emitWarning.bind(process) as (...args: unknown[]) => void;
  process.emitWarning = ((...args: unknown[]) => {
    const [, typeOrOptions, code] = args;
    const warningCode = typeof typeOrOptions === 'object' && typeOrOptions !== null ? (typeOrOptions as { code?: unknown }).code : code;
    if (typeof warningCode === 'string' && hiddenCodes.has(warningCode)) return;
    emitWarning(...args);
  }) as typeof process.emitWarning;
}
