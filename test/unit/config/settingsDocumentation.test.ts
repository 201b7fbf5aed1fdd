import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { hostSettingDefinitions, settingDefinitions, type SettingDefinition } from '../../../src/config/settingDefinitions';
import { anyText, integer, json } from '../../../src/config/settingKinds';
import { renderLocalSettingsSample, renderSettingsTable, settingsTableOf, withSettingsTable } from '../../support/settingsDocumentation';

const regenerate = 'run `npm run docs:settings` to regenerate it from src/config/settingDefinitions.ts';

describe('documentation generated from the setting definitions', () => {
  it('README.md has the configuration table the definitions produce', () => {
    const readme = readFileSync('README.md', 'utf8');
    expect(settingsTableOf(readme), `README.md's configuration table is out of date: ${regenerate}`).toBe(renderSettingsTable(settingDefinitions));
  });

  it('local.settings.sample.json is what the definitions produce', () => {
    const sample = readFileSync('local.settings.sample.json', 'utf8');
    expect(sample, `local.settings.sample.json is out of date: ${regenerate}`).toBe(renderLocalSettingsSample(hostSettingDefinitions, settingDefinitions));
  });

  it('keeps the host settings func start needs in the sample, before the app\u2019s', () => {
    const { Values } = JSON.parse(renderLocalSettingsSample(hostSettingDefinitions, settingDefinitions)) as { Values: Record<string, string> };
    expect(Object.entries(Values).slice(0, 3)).toEqual([
      ['FUNCTIONS_WORKER_RUNTIME', 'node'],
      ['AzureWebJobsStorage', 'UseDevelopmentStorage=true'],
      ['DURABLE_TASK_HUB_NAME', 'smtlocal'],
    ]);
    expect(Object.keys(Values)).not.toContain('AzureWebJobsStorage__accountName');
  });
});

describe('renderSettingsTable', () => {
  const definitions: readonly SettingDefinition[] = [
    { name: 'PLAIN', description: 'No default.', kind: anyText },
    { name: 'DERIVED', description: 'Derived.', kind: anyText, whenAbsent: '`OTHER`' },
    { name: 'COUNT', description: 'A | count.', kind: integer({ min: 1, max: 9 }), default: 3 },
    { name: 'DOC', description: 'JSON.', kind: json, default: {}, whenAbsent: 'nothing' },
  ];

  it('writes one row per setting: the default as an operator writes it, what absence means, and what is accepted', () => {
    expect(renderSettingsTable(definitions).split('\n')).toEqual([
      '| Setting | Default | Meaning |',
      '|---|---|---|',
      '| `PLAIN` | — | No default. |',
      '| `DERIVED` | `OTHER` | Derived. |',
      '| `COUNT` | `3` | A \\| count. Whole number, 1 to 9. |',
      '| `DOC` | `{}` (nothing) | JSON. |',
    ]);
  });
});

describe('withSettingsTable', () => {
  const table = renderSettingsTable([{ name: 'NEW', description: 'New.', kind: anyText }]);
  const readme = [
    '# Product',
    '',
    '| Setting | Default | Meaning |',
    '|---|---|---|',
    '| `ELSEWHERE` | — | Not the configuration table. |',
    '',
    '## Configuration',
    '',
    'Intro.',
    '',
    '| Setting | Default | Meaning |',
    '|---|---|---|',
    '| `OLD` | — | Old. |',
    '| `OLDER` | — | Older. |',
    '',
    'Host settings.',
    '',
    '## Next',
    '',
  ].join('\n');

  it('replaces the table of the Configuration section and nothing else', () => {
    const updated = withSettingsTable(readme, table);
    expect(updated).toBe(readme.replace('| Setting | Default | Meaning |\n|---|---|---|\n| `OLD` | — | Old. |\n| `OLDER` | — | Older. |', table));
    expect(updated).toContain('`ELSEWHERE`');
    expect(settingsTableOf(updated)).toBe(table);
    expect(withSettingsTable(updated, table)).toBe(updated);
  });

  it('refuses a README without the section or without its table', () => {
    expect(() => withSettingsTable('# Product\n', table)).toThrow(/no "## Configuration" section/);
    expect(() => withSettingsTable('## Configuration\n\nText.\n\n## Next\n\n| Setting | Default | Meaning |\n|---|---|---|\n', table)).toThrow(/has no table starting/);
  });

  it('finds the table at the very end of the file', () => {
    expect(settingsTableOf('## Configuration\n\n| Setting | Default | Meaning |\n|---|---|---|\n| `A` | — | A. |')).toBe('| Setting | Default | Meaning |\n|---|---|---|\n| `A` | — | A. |');
  });
});
