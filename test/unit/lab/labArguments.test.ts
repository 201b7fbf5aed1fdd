import { describe, expect, it } from 'vitest';
import { labOptionDefinitions, labUsage, parseLabArguments } from '../../local/lab/labArguments';

const refused = (...argv: string[]): string => {
  try {
    parseLabArguments(argv);
  } catch (error) {
    return (error as Error).message;
  }
  throw new Error(`${argv.join(' ')} was accepted`);
};

describe('the lab command line', () => {
  it('lists in its usage text exactly the options the parser accepts', () => {
    const usage = labUsage();
    const documented = new Set([...usage.matchAll(/^\s+(?:-(\w), )?--([a-z-]+)/gm)].map((match) => match[2]));
    expect([...documented].sort()).toEqual(Object.keys(labOptionDefinitions).sort());
    for (const [name, definition] of Object.entries(labOptionDefinitions)) {
      if ('short' in definition) expect(usage).toContain(`-${definition.short}, --${name}`);
    }
  });

  it('turns every option into lab options', () => {
    const command = parseLabArguments([
      '--devices', '300', '--edge-every', '10', '--port', '0', '--hub-port=8443', '--tier', 's3', '--units', '2', '--fault-rate', '0.1',
      '--state-dir', '/tmp/lab', '--fresh', '--set', 'DEVICE_ID_PATTERN=sensor-.*', '--set', 'INCLUDE_EDGE_DEVICES=true', '--verbose',
    ]);
    expect(command).toEqual({
      help: false,
      verbose: true,
      lab: {
        devices: 300,
        edgeEvery: 10,
        httpPort: 0,
        hubPort: 8443,
        throttle: { tier: 'S3', units: 2 },
        faults: { errorRate: 0.1, statuses: [429, 503], seed: 7 },
        stateDir: '/tmp/lab',
        fresh: true,
        settings: { DEVICE_ID_PATTERN: 'sensor-.*', INCLUDE_EDGE_DEVICES: 'true' },
      },
    });
    expect(parseLabArguments([])).toEqual({ help: false, verbose: false, lab: {} });
    expect(parseLabArguments(['-h']).help).toBe(true);
    expect(parseLabArguments(['--tier', 'none']).lab.throttle).toBe(false);
    expect(parseLabArguments(['--set', 'AzureWebJobsStorage=UseDevelopmentStorage=true']).lab.settings).toEqual({ AzureWebJobsStorage: 'UseDevelopmentStorage=true' });
  });

  it('takes --principal as the default caller of HTTP requests, turning app roles on unless --set says otherwise', () => {
    expect(parseLabArguments(['--principal', 'name=alice; roles=operator,approver']).lab).toEqual({
      principal: { name: 'alice', id: 'lab-alice', roles: ['operator', 'approver'] },
      settings: { HTTP_AUTH_MODE: 'appRoles' },
    });
    expect(parseLabArguments(['--principal', 'name=bob;id=oid-9', '--set', 'HTTP_AUTH_MODE=functionKey']).lab).toEqual({
      principal: { name: 'bob', id: 'oid-9', roles: [] },
      settings: { HTTP_AUTH_MODE: 'functionKey' },
    });
    expect(refused('--principal', 'roles=reader')).toBe('--principal: a principal needs name=…, got "roles=reader"');
    expect(refused('--principal', 'name=alice;role=reader')).toBe('--principal: a principal is name=…;roles=…[;id=…], got "role=reader"');
  });

  it('refuses each bad value with a message naming its option', () => {
    expect(refused('--port', '99999')).toBe('--port must be a port number from 0 to 65535 (0 = any free port), got "99999"');
    expect(refused('--hub-port', '-1')).toMatch(/^--hub-port needs a value/);
    expect(refused('--devices', 'many')).toBe('--devices needs a whole number from 0 to 10000000, got "many"');
    expect(refused('--devices', '2.5')).toMatch(/^--devices needs a whole number/);
    expect(refused('--devices')).toBe('--devices needs a value');
    expect(refused('--edge-every', '0')).toMatch(/^--edge-every needs a whole number from 1 up/);
    expect(refused('--tier', 'S4')).toBe('--tier must be F1, S1, S2, S3 or none, got S4');
    expect(refused('--tier', 'S3', '--units', '20')).toMatch(/^--units: .*S3.* 10/);
    expect(refused('--tier', 'none', '--units', '2')).toMatch(/^--units /);
    expect(refused('--fault-rate', '1.5')).toBe('--fault-rate needs a number from 0 to 1, got "1.5"');
    expect(refused('--fault-rate', '')).toBe('--fault-rate needs a number from 0 to 1, got nothing');
    expect(refused('--state-dir', '')).toBe('--state-dir needs a folder');
    expect(refused('--fresh=yes')).toBe('--fresh takes no value');
    expect(refused('--set', 'NOEQUALS')).toBe('--set needs KEY=VALUE, got "NOEQUALS"');
    expect(refused('--prot', '7071')).toBe('unknown option --prot; did you mean --port?');
    expect(refused('--xyzzy')).toBe('unknown option --xyzzy (npm start -- --help lists the options)');
    expect(refused('devices')).toMatch(/^unexpected argument "devices"/);
  });

  it('refuses a misspelled setting with the closest valid name', () => {
    expect(refused('--set', 'DEVICE_ID_PATERN=sensor-.*')).toBe('--set: unknown setting DEVICE_ID_PATERN; did you mean DEVICE_ID_PATTERN?');
    expect(refused('--set', 'include_edge_devices=true')).toBe('--set: unknown setting include_edge_devices; did you mean INCLUDE_EDGE_DEVICES?');
    expect(refused('--set', 'SOMETHING_ELSE_ENTIRELY=1')).toMatch(/^--set: unknown setting SOMETHING_ELSE_ENTIRELY \(/);
  });
});
