// What the README's configuration table and local.settings.sample.json say, produced from the setting
// definitions (src/config/settingDefinitions.ts) so that neither is a hand-kept copy. Used by the
// docs:settings script, which writes them, and by the test that fails when they are out of date. Not part of
// the product: nothing deployed renders documentation.
import type { SettingDefinition } from '../../src/config/settingDefinitions';

export const settingsTableHeader = '| Setting | Default | Meaning |';

/** The README table: one row per setting, in the definitions' order. */
export function renderSettingsTable(definitions: readonly SettingDefinition[]): string {
  const rows = definitions.map((definition) => {
    const meaning = definition.kind.accepts === undefined ? definition.description : `${definition.description} ${definition.kind.accepts}`;
    return `| \`${definition.name}\` | ${cell(defaultShown(definition))} | ${cell(meaning)} |`;
  });
  return [settingsTableHeader, '|---|---|---|', ...rows].join('\n');
}

/** The default as the operator would write it, with what absence means when the value alone does not say it. */
function defaultShown(definition: SettingDefinition): string {
  if (definition.default === undefined) return definition.whenAbsent ?? '—';
  const value = `\`${definition.kind.format(definition.default)}\``;
  return definition.whenAbsent === undefined ? value : `${value} (${definition.whenAbsent})`;
}

/** A pipe would end the cell early. */
function cell(markdown: string): string {
  return markdown.replaceAll('|', '\\|');
}

/**
 * The README with its configuration table replaced by `table`; everything else, including the rest of the
 * "## Configuration" section, as it was. Throws when the section or its table is missing, rather than
 * appending a table somewhere a reader would not look.
 */
export function withSettingsTable(readme: string, table: string): string {
  const { start, end } = settingsTableSpan(readme);
  return `${readme.slice(0, start)}${table}${readme.slice(end)}`;
}

/** The configuration table as the README has it now. */
export function settingsTableOf(readme: string): string {
  const { start, end } = settingsTableSpan(readme);
  return readme.slice(start, end);
}

function settingsTableSpan(readme: string): { start: number; end: number } {
  const section = /^## Configuration$/m.exec(readme);
  if (section === null) throw new Error('README.md has no "## Configuration" section');
  const nextSection = /^## /m.exec(readme.slice(section.index + section[0].length));
  const sectionEnd = nextSection === null ? readme.length : section.index + section[0].length + nextSection.index;
  const start = readme.indexOf(`\n${settingsTableHeader}\n`, section.index) + 1;
  if (start === 0 || start > sectionEnd) throw new Error(`README.md's "## Configuration" section has no table starting "${settingsTableHeader}"`);
  // The table runs up to the first line that is not a table row.
  const afterTable = /^(?!\|)/m.exec(readme.slice(start));
  const end = afterTable === null ? readme.length : start + afterTable.index - 1;
  return { start, end };
}

/** local.settings.sample.json: the host's settings first, as `func start` expects them, then the app's. */
export function renderLocalSettingsSample(hostDefinitions: readonly SettingDefinition[], appDefinitions: readonly SettingDefinition[]): string {
  const values: Record<string, string> = {};
  for (const definition of [...hostDefinitions, ...appDefinitions]) {
    if (definition.sampleValue !== undefined) values[definition.name] = definition.sampleValue;
  }
  return `${JSON.stringify({ IsEncrypted: false, Values: values }, null, 2)}\n`;
}
