// The Node worker loads the app from package.json "main", which may be a glob such as
// "dist/src/functions/*.js". Only a '*' in the last path segment is supported, which is what the
// project uses; anything else is rejected loudly rather than matched differently from the worker.
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';

export function resolveMainGlob(projectRoot: string): string[] {
  const packageJsonPath = path.join(projectRoot, 'package.json');
  const parsed: unknown = JSON.parse(readFileSync(packageJsonPath, 'utf8'));
  const main = typeof parsed === 'object' && parsed !== null ? (parsed as Record<string, unknown>)['main'] : undefined;
  if (typeof main !== 'string' || main.trim() === '') {
    throw new Error(`${packageJsonPath} has no "main"; the worker needs it to find the function app's entry points.`);
  }
  const normalized = main.replace(/\\/g, '/');
  const slash = normalized.lastIndexOf('/');
  const directory = path.resolve(projectRoot, slash < 0 ? '.' : normalized.slice(0, slash));
  const pattern = slash < 0 ? normalized : normalized.slice(slash + 1);
  if (directory.includes('*')) {
    throw new Error(`"main" = "${main}": only a '*' in the last path segment is supported.`);
  }
  if (!pattern.includes('*')) {
    const file = path.join(directory, pattern);
    if (!existsSync(file)) throw new Error(`Worker was unable to load entry point "${main}": File does not exist.`);
    return [file];
  }
  const matcher = new RegExp(`^${pattern.split('*').map(escapeRegExp).join('[^/]*')}$`);
  const files = existsSync(directory)
    ? readdirSync(directory, { withFileTypes: true })
        .filter((entry) => entry.isFile() && matcher.test(entry.name))
        .map((entry) => path.join(directory, entry.name))
        .sort()
    : [];
  if (files.length === 0) {
    throw new Error(`Worker was unable to load entry point "${main}": no file matches (is the app built?).`);
  }
  return files;
}

function escapeRegExp(text: string): string {
  return text.replace(/[.+?^${}()|[\]\\]/g, '\\$&');
}
