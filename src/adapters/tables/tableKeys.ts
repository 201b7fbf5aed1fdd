/**
 * Azure Table keys may not contain '/', '\\', '#', '?' or control characters, but device IDs may hold
 * '#' and '?'. Percent-encode those (and '%' itself) so every ID maps to one key and back.
 */
export function toTableKey(value: string): string {
  // eslint-disable-next-line no-control-regex
  return value.replace(/[%/\\#?\u0000-\u001f\u007f-\u009f]/g, (char) => `%${char.charCodeAt(0).toString(16).padStart(2, '0').toUpperCase()}`);
}

export function fromTableKey(key: string): string {
  return key.replace(/%([0-9A-F]{2})/g, (_, hex: string) => String.fromCharCode(parseInt(hex, 16)));
}
