// `npm run docs:settings`: rewrites the README's configuration table and local.settings.sample.json from
// the setting definitions (src/config/settingDefinitions.ts). Run after changing a definition; the test
// test/unit/config/settingsDocumentation.test.ts fails until then.
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { hostSettingDefinitions, settingDefinitions } from '../../src/config/settingDefinitions';
import { renderLocalSettingsSample, renderSettingsTable, withSettingsTable } from './settingsDocumentation';

// Compiled to dist/test/support/: the repository is three folders up, wherever the script is started from.
const repository = join(__dirname, '..', '..', '..');

function rewrite(file: string, content: (current: string) => string): void {
  const path = join(repository, file);
  const current = readFileSync(path, 'utf8');
  const next = content(current);
  if (next === current) {
    console.log(`${file}: up to date`);
    return;
  }
  writeFileSync(path, next);
  console.log(`${file}: rewritten`);
}

rewrite('README.md', (readme) => withSettingsTable(readme, renderSettingsTable(settingDefinitions)));
rewrite('local.settings.sample.json', () => renderLocalSettingsSample(hostSettingDefinitions, settingDefinitions));
