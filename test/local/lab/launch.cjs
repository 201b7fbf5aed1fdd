// `npm start`: answers --help at once, otherwise brings the compiled lab up to date (tsc's incremental
// build of tsconfig.local.json: about a second when nothing changed) and runs it in this same process, so
// Ctrl-C, the exit code and the terminal are the lab's own. Plain JavaScript: it runs before any compile.
'use strict';
const { spawnSync } = require('node:child_process');
const { readFileSync } = require('node:fs');
const { join } = require('node:path');

const root = join(__dirname, '..', '..', '..');
const args = process.argv.slice(2);
const optionArgs = args.includes('--') ? args.slice(0, args.indexOf('--')) : args;

if (optionArgs.includes('--help') || optionArgs.includes('-h')) {
  process.stdout.write(readFileSync(join(__dirname, 'usage.txt'), 'utf8'));
  process.exit(0);
}

const tsc = require.resolve('typescript/bin/tsc', { paths: [root] });
const build = spawnSync(process.execPath, [tsc, '-p', join(root, 'tsconfig.local.json')], { cwd: root, stdio: 'inherit' });
if (build.error !== undefined || build.status !== 0) {
  process.stderr.write(`npm start: the TypeScript build (tsc -p tsconfig.local.json) failed${build.error === undefined ? ' (errors above)' : `: ${build.error.message}`}; the lab was not started.\n`);
  process.exit(build.status ?? 1);
}

require(join(root, 'dist', 'test', 'local', 'lab', 'cli.js'));
