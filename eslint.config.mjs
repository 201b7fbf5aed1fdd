// Lint enforces the layers of DESIGN §4: functions/activities/adapters → app → domain;
// orchestrations → domain + activity contracts. Domain and orchestrations stay deterministic.
import js from '@eslint/js';
import tseslint from 'typescript-eslint';
import globals from 'globals';

const sdkModules = ['@azure/*', 'azure-iothub', 'azure-iothub/*', 'durable-functions', 'durable-functions/*'];
const nodeBuiltins = ['node:*', 'fs', 'path', 'http', 'https', 'crypto', 'os', 'net', 'tls', 'child_process'];

const restrict = (patterns, message) => ({
  'no-restricted-imports': ['error', { patterns: [{ group: patterns, message }] }],
});

const deterministic = {
  'no-restricted-properties': [
    'error',
    { object: 'Date', property: 'now', message: 'Take time from the caller (Clock port or context.df.currentUtcDateTime).' },
    { object: 'Math', property: 'random', message: 'Randomness breaks determinism; derive ids from inputs.' },
    { object: 'process', property: 'env', message: 'Settings come from src/config.' },
  ],
  'no-restricted-syntax': [
    'error',
    { selector: "NewExpression[callee.name='Date'][arguments.length=0]", message: 'No wall clock here: take time from the caller.' },
  ],
  'no-restricted-globals': ['error', { name: 'process', message: 'No process access in pure code.' }],
};

export default tseslint.config(
  { ignores: ['dist/**', 'coverage/**', 'node_modules/**', '.lab/**', '.tools/**', 'infra/**'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    files: ['**/*.ts', '**/*.mts'],
    languageOptions: { parserOptions: { projectService: { allowDefaultProject: ['vitest.config.mts'] }, tsconfigRootDir: import.meta.dirname } },
    rules: {
      '@typescript-eslint/no-floating-promises': 'error',
      '@typescript-eslint/no-misused-promises': 'error',
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      eqeqeq: ['error', 'always'],
    },
  },
  {
    files: ['src/**/*.ts'],
    ignores: ['src/config/**', 'src/main.ts'],
    rules: {
      'no-restricted-properties': ['error', { object: 'process', property: 'env', message: 'Settings are read only in src/config.' }],
    },
  },
  {
    files: ['src/domain/**/*.ts'],
    rules: {
      ...restrict([...sdkModules, ...nodeBuiltins, '**/app/**', '**/adapters/**', '**/functions/**', '**/config/**', '**/composition'], 'src/domain is pure: no SDK, no I/O, no outer layer.'),
      ...deterministic,
    },
  },
  {
    files: ['src/orchestrations/**/*.ts'],
    rules: {
      ...restrict([...nodeBuiltins, '@azure/*', 'azure-iothub', '**/adapters/**', '**/app/**', '**/config/**', '**/composition'], 'Orchestrations depend on domain and activity contracts only.'),
      ...deterministic,
    },
  },
  {
    files: ['src/app/**/*.ts'],
    rules: restrict([...sdkModules, '**/adapters/**', '**/functions/**', '**/activities/**', '**/composition'], 'Use cases depend on ports and domain only.'),
  },
  {
    files: ['src/adapters/**/*.ts'],
    rules: restrict(['@azure/functions', 'durable-functions', '**/functions/**', '**/activities/**', '**/orchestrations/**', '**/composition'], 'Adapters implement ports; they know no trigger.'),
  },
  {
    files: ['src/activities/**/*.ts'],
    rules: restrict(['@azure/functions', '**/adapters/**', '**/functions/**'], 'Activities call use cases through the composition root.'),
  },
  {
    // Plain JavaScript that Node runs as it is: the lab's launchers (CommonJS) and the examples (ES modules).
    files: ['**/*.cjs'],
    languageOptions: { sourceType: 'commonjs', globals: globals.node },
    rules: { '@typescript-eslint/no-require-imports': 'off' },
  },
  {
    files: ['examples/**/*.mjs', 'examples/**/*.js'],
    languageOptions: { sourceType: 'module', globals: globals.node },
  },
  {
    files: ['test/**/*.ts', 'bench/**/*.ts'],
    rules: { '@typescript-eslint/no-non-null-assertion': 'off' },
  },
);
