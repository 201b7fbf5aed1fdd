import type { SettingDefinition, SettingWithDefault } from './settingDefinitions';

/** App settings as the process holds them (process.env, or a test's own record). */
export type Environment = Readonly<Record<string, string | undefined>>;

type Reading = { readonly state: 'absent' } | { readonly state: 'valid'; readonly value: unknown } | { readonly state: 'invalid' };

interface Problem {
  /** Position of its setting among the definitions read, so the message lists problems in README order. */
  readonly order: number;
  readonly text: string;
}

/**
 * One environment's settings, each parsed by its own definition, with every problem collected rather than
 * thrown, so that an operator sees every bad key in one message. Rules over several settings read the
 * values here and add their own problems.
 */
export class ParsedSettings {
  readonly #readings = new Map<string, Reading>();
  readonly #order = new Map<string, number>();
  readonly #problems: Problem[] = [];

  constructor(environment: Environment, definitions: readonly SettingDefinition[]) {
    for (const definition of definitions) {
      this.#order.set(definition.name, this.#order.size);
      const text = environment[definition.name]?.trim();
      if (text === undefined || text === '') {
        this.#readings.set(definition.name, { state: 'absent' });
        continue;
      }
      const parsed = definition.kind.parse(text);
      if (parsed.ok) {
        this.#readings.set(definition.name, { state: 'valid', value: parsed.value });
      } else {
        this.#readings.set(definition.name, { state: 'invalid' });
        this.addProblem(definition, parsed.problem);
      }
    }
  }

  /** Every problem so far, each starting with the name of the setting to fix, in the settings' order. */
  get problems(): readonly string[] {
    return [...this.#problems].sort((a, b) => a.order - b.order).map((problem) => problem.text);
  }

  /**
   * The setting's value; its default when it is absent, and also when it is invalid (its problem is
   * already listed, and the default lets the rest of the settings still be checked).
   */
  valueOf<T>(definition: SettingWithDefault<T>): T;
  valueOf<T>(definition: SettingDefinition<T>): T | undefined;
  valueOf<T>(definition: SettingDefinition<T>): T | undefined {
    const reading = this.#reading(definition);
    // The definition's kind produced this value, so it has the definition's type.
    return reading.state === 'valid' ? (reading.value as T) : definition.default;
  }

  /**
   * False when any of these settings has its own problem: a rule over several settings then stays silent,
   * since it would judge a stand-in value and add a second, misleading problem.
   */
  allValid(...definitions: readonly SettingDefinition[]): boolean {
    return definitions.every((definition) => this.#reading(definition).state !== 'invalid');
  }

  /** A problem found by a rule over several settings, about the setting to fix. */
  addProblem(definition: SettingDefinition, problem: string): void {
    this.#problems.push({ order: this.#order.get(definition.name) ?? this.#order.size, text: `${definition.name}: ${problem}` });
  }

  #reading(definition: SettingDefinition): Reading {
    const reading = this.#readings.get(definition.name);
    // A bug in loadConfig, not a bad setting: the definition was left out of the list it read.
    if (reading === undefined) throw new Error(`${definition.name} is not among the settings that were read`);
    return reading;
  }
}
