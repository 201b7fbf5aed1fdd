// `npm run start:func`: the app on the real Azure Functions host. That needs Azure Functions Core Tools
// (the `func` command), which `npm ci` does not install; without it, say what to install instead of
// letting the shell answer "func: not found" after a build.
'use strict';
const { spawn, spawnSync } = require('node:child_process');
const { accessSync, constants } = require('node:fs');
const { constants: osConstants } = require('node:os');
const { delimiter, join } = require('node:path');

const root = join(__dirname, '..', '..', '..');
const windows = process.platform === 'win32';

function findOnPath(command) {
  const names = windows ? [`${command}.cmd`, `${command}.exe`, command] : [command];
  for (const folder of (process.env.PATH ?? '').split(delimiter).filter(Boolean)) {
    for (const name of names) {
      const candidate = join(folder, name);
      try {
        accessSync(candidate, constants.X_OK);
        return candidate;
      } catch {
        // not here
      }
    }
  }
  return undefined;
}

const func = findOnPath('func');
if (func === undefined) {
  process.stderr.write(
    'npm run start:func needs Azure Functions Core Tools 4 (the `func` command), which is not installed.\n' +
      'Install it with `npm install -g azure-functions-core-tools@4 --unsafe-perm true`, or see\n' +
      'https://learn.microsoft.com/azure/azure-functions/functions-run-local for other ways.\n' +
      'Without Azure, `npm start` runs the app in the lab instead (no Core Tools needed).\n',
  );
  process.exit(1);
}

const npm = windows ? 'npm.cmd' : 'npm';
const build = spawnSync(npm, ['run', 'build'], { cwd: root, stdio: 'inherit', shell: windows });
if (build.status !== 0) process.exit(build.status ?? 1);

const host = spawn(func, ['start', ...process.argv.slice(2)], { cwd: root, stdio: 'inherit', shell: windows });
for (const signal of ['SIGINT', 'SIGTERM']) process.on(signal, () => host.kill(signal));
host.on('exit', (code, signal) => process.exit(code ?? 128 + ((signal !== null && osConstants.signals[signal]) || 0)));
