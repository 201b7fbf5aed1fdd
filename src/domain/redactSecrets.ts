/**
 * Masks every credential that can end up in a message: IoT Hub and Storage keys in connection strings, SAS
 * signatures (IoT Hub's `SharedAccessSignature …&sig=…`, Storage SAS query strings), bearer tokens,
 * Authorization header values and Functions keys in URLs. What identifies the credential (key name, host,
 * expiry) stays readable, so a log line still says which one was used.
 */
const patterns: ReadonlyArray<readonly [RegExp, string]> = [
  [/\b(SharedAccessKey|AccountKey|SharedAccessSignature=[^;]*?sig)=([^;&\s"'<>]+)/gi, '$1=***'],
  [/([?&;\s"']sig=)([^&;\s"'<>]+)/gi, '$1***'],
  [/\b(Bearer\s+)[A-Za-z0-9\-._~+/]+=*/gi, '$1***'],
  [/\b(authorization|x-functions-key|ocp-apim-subscription-key)(["']?\s*[:=]\s*["']?)(?!\*\*\*)([^"',}\r\n]+)/gi, '$1$2***'],
  [/([?&](?:code|key)=)([^&\s"'<>]+)/gi, '$1***'],
];

export function redactSecrets(text: string): string {
  return patterns.reduce((current, [pattern, replacement]) => current.replace(pattern, replacement), text);
}
