// Binding properties may name app settings as %Name% (e.g. eventHubName: '%TwinEventsHub%',
// schedule: '%SweepSchedule%'); the host resolves them from the environment when it indexes the
// function and refuses to index a function whose setting is missing.

export class UnresolvedAppSettingError extends Error {
  constructor(readonly settingName: string) {
    super(`'%${settingName}%' does not resolve to a value.`);
    this.name = 'UnresolvedAppSettingError';
  }
}

export function resolveAppSettingExpression(value: string, env: NodeJS.ProcessEnv): string {
  return value.replace(/%([^%]+)%/g, (_whole, name: string) => {
    const resolved = env[name];
    if (resolved === undefined) throw new UnresolvedAppSettingError(name);
    return resolved;
  });
}
