// The kinds of value a setting can hold. Each kind is the one place that knows how its values are written in
// app settings: it parses them (or says why not), writes a typed default back as text for the docs, and
// tells the docs what it accepts, so the parser, the default shown and the documented rule cannot drift.

/** A setting's value, or why its text is not one (the reader prefixes the setting's name). */
export type Parsed<T> = { readonly ok: true; readonly value: T } | { readonly ok: false; readonly problem: string };

export interface SettingKind<T> {
  /** Reads a value as app settings hold it: trimmed and never empty (empty means absent). */
  parse(text: string): Parsed<T>;
  /** Writes a value as app settings would hold it; `parse(format(v))` gives `v` back. */
  format(value: T): string;
  /**
   * What the kind accepts, as a sentence for the README (Markdown); undefined when there is nothing to add to
   * a setting's own description (any text, a host name, JSON whose content a rule elsewhere checks).
   */
  readonly accepts?: string;
}

const valid = <T>(value: T): Parsed<T> => ({ ok: true, value });
const invalid = (problem: string): Parsed<never> => ({ ok: false, problem });

/** Any text: paths, client IDs, storage connection strings the Storage SDK checks itself. */
export const anyText: SettingKind<string> = { parse: valid, format: (value) => value };

/**
 * Text that a rule owned elsewhere (usually the domain) decides on, so the setting reuses that rule instead
 * of a copy. `check` answers why a text is refused, or undefined when it is accepted.
 */
export function checkedText(check: (text: string) => string | undefined, accepts: string): SettingKind<string> {
  return {
    parse: (text) => {
      const problem = check(text);
      return problem === undefined ? valid(text) : invalid(problem);
    },
    format: (value) => value,
    accepts,
  };
}

/** A whole number in a range, written in decimal digits (not `1e3` or `0x10`, which Number() would take). */
export function integer(range: { readonly min: number; readonly max: number }): SettingKind<number> {
  const { min, max } = range;
  return {
    parse: (text) => {
      const value = /^[+-]?\d+$/.test(text) ? Number(text) : NaN;
      return Number.isSafeInteger(value) && value >= min && value <= max ? valid(value) : invalid(`'${text}' is not a whole number from ${min} to ${max}`);
    },
    format: (value) => String(value),
    accepts: `Whole number, ${min} to ${max}.`,
  };
}

/**
 * One of a fixed set of words, matched without regard to case (app settings are typed by hand in the
 * portal) and answered in the set's own spelling. `why` explains the set when a refusal would puzzle.
 */
export function oneOf<T extends string>(values: readonly T[], why?: string): SettingKind<T> {
  return {
    parse: (text) => {
      const match = values.find((value) => value.toLowerCase() === text.toLowerCase());
      return match === undefined ? invalid(`'${text}' is not one of ${values.join(', ')}${why === undefined ? '' : ` (${why})`}`) : valid(match);
    },
    format: (value) => value,
    accepts: `One of ${values.map((value) => `\`${value}\``).join(', ')}.`,
  };
}

export const trueOrFalse: SettingKind<boolean> = {
  parse: (text) => {
    const lower = text.toLowerCase();
    return lower === 'true' || lower === 'false' ? valid(lower === 'true') : invalid(`'${text}' is not true or false`);
  },
  format: (value) => String(value),
  accepts: '`true` or `false`.',
};

/** Any JSON value; what it must contain is checked by the rule that uses it. */
export const json: SettingKind<unknown> = {
  parse: (text) => {
    try {
      return valid(JSON.parse(text) as unknown);
    } catch (error) {
      // JSON.parse throws a SyntaxError whose message locates the mistake.
      return invalid(`not valid JSON (${(error as SyntaxError).message})`);
    }
  },
  format: (value) => JSON.stringify(value),
};

/** Azure Table Storage's rule for table names. */
export const tableName: SettingKind<string> = {
  parse: (text) =>
    /^[A-Za-z][A-Za-z0-9]{2,62}$/.test(text) ? valid(text) : invalid(`'${text}' is not a valid table name (3-63 letters or digits, starting with a letter)`),
  format: (value) => value,
  accepts: '3 to 63 letters or digits, starting with a letter.',
};

export const hostName: SettingKind<string> = {
  parse: (text) => (/^[A-Za-z0-9.-]+$/.test(text) ? valid(text) : invalid(`'${text}' is not a host name (expected <hub>.azure-devices.net)`)),
  format: (value) => value,
};

export interface HostAndPort {
  readonly host: string;
  readonly port: number;
}

/** `host:port`, the host a name, an IPv4 address or a bracketed IPv6 address (`[::1]:443`). */
export const hostAndPort: SettingKind<HostAndPort> = {
  parse: (text) => {
    const match = /^([A-Za-z0-9.-]+|\[[0-9a-fA-F:]+\]):(\d{1,5})$/.exec(text);
    const port = match === null ? NaN : Number(match[2]);
    if (match === null || port < 1 || port > 65_535) return invalid(`'${text}' is not host:port`);
    return valid({ host: (match[1] as string).replace(/^\[|\]$/g, ''), port });
  },
  format: ({ host, port }) => `${host.includes(':') ? `[${host}]` : host}:${port}`,
  accepts: 'Form `host:port`.',
};

export interface ConnectionString<Part extends string> {
  /** The setting's text as written, for the SDK. */
  readonly text: string;
  readonly parts: Readonly<Record<Part, string>>;
}

/**
 * `Key=value;Key=value` as IoT Hub and Storage write them (values may contain '='), with the parts it must
 * have. A refusal never repeats the text: it holds a key.
 */
export function connectionString<const Part extends string>(requiredParts: readonly Part[]): SettingKind<ConnectionString<Part>> {
  const form = requiredParts.map((part) => `${part}=...`).join(';');
  return {
    parse: (text) => {
      const parts = new Map<string, string>();
      for (const segment of text.split(';')) {
        const at = segment.indexOf('=');
        if (at > 0) parts.set(segment.slice(0, at).trim(), segment.slice(at + 1).trim());
      }
      const missing = requiredParts.filter((part) => (parts.get(part) ?? '') === '');
      if (missing.length > 0) return invalid(`missing ${missing.join(', ')} (expected ${form})`);
      return valid({ text, parts: Object.fromEntries(requiredParts.map((part) => [part, parts.get(part) as string])) as Record<Part, string> });
    },
    format: (value) => value.text,
    accepts: `Form \`${form.replaceAll('...', '…')}\`.`,
  };
}

/** An Event Hub name: 1 to 256 letters, digits, '.', '-' or '_', starting and ending with a letter or digit. */
export const eventHubName: SettingKind<string> = {
  parse: (text) =>
    /^[A-Za-z0-9](?:[A-Za-z0-9._-]{0,254}[A-Za-z0-9])?$/.test(text)
      ? valid(text)
      : invalid(`'${text}' is not an Event Hub name (1-256 letters, digits, '.', '-' or '_', starting and ending with a letter or digit)`),
  format: (value) => value,
  accepts: '1 to 256 letters, digits, `.`, `-` or `_`.',
};

/** A namespace's host name, `<namespace>.servicebus.windows.net` (no scheme, no path). */
export const namespaceHostName: SettingKind<string> = {
  parse: (text) =>
    /^[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)+$/.test(text) ? valid(text.toLowerCase()) : invalid(`'${text}' is not a namespace host name (expected <namespace>.servicebus.windows.net)`),
  format: (value) => value,
  accepts: 'Form `<namespace>.servicebus.windows.net`.',
};

export interface EventHubsConnectionString {
  /** The setting's text as written, for the SDK. */
  readonly text: string;
  /** The hub the connection string is scoped to, when it names one. */
  readonly entityPath?: string;
}

/**
 * An Event Hubs connection string: `Endpoint=sb://…` and a key (`SharedAccessKeyName` + `SharedAccessKey`) or a
 * `SharedAccessSignature`, optionally `EntityPath`. A refusal never repeats the text: it holds a key.
 */
export const eventHubsConnectionString: SettingKind<EventHubsConnectionString> = {
  parse: (text) => {
    const parts = new Map<string, string>();
    for (const segment of text.split(';')) {
      const at = segment.indexOf('=');
      if (at > 0) parts.set(segment.slice(0, at).trim().toLowerCase(), segment.slice(at + 1).trim());
    }
    if (!/^sb:\/\/[^/]+/i.test(parts.get('endpoint') ?? '')) return invalid('missing Endpoint=sb://<namespace>.servicebus.windows.net/');
    const hasKey = (parts.get('sharedaccesskeyname') ?? '') !== '' && (parts.get('sharedaccesskey') ?? '') !== '';
    if (!hasKey && (parts.get('sharedaccesssignature') ?? '') === '') return invalid('missing SharedAccessKeyName and SharedAccessKey (or SharedAccessSignature)');
    const entityPath = parts.get('entitypath');
    return valid({ text, ...(entityPath === undefined || entityPath === '' ? {} : { entityPath }) });
  },
  format: (value) => value.text,
  accepts: 'Form `Endpoint=sb://…;SharedAccessKeyName=…;SharedAccessKey=…`, optionally `;EntityPath=…`.',
};
