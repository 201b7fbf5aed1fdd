// Azurite's Table service started in this process, in memory, on an ephemeral loopback port: no files,
// no second process, ~10 ms. Azurite exposes no typed API for this, so its classes are loaded by path
// (pinned to azurite 3.35.0, the last release that runs on Node 20).
import { createRequire } from 'node:module';

const requireFromHere = createRequire(__filename);

interface AzuriteServer {
  start(): Promise<void>;
  close(): Promise<void>;
  clean(): Promise<void>;
  getHttpServerAddress(): string;
}
type AzuriteServerClass = new (configuration: unknown) => AzuriteServer;
type TableConfigurationClass = new (...args: unknown[]) => unknown;

/** The well-known development account every Azure SDK and Azurite share (not a secret). */
export const devStoreAccount = {
  name: 'devstoreaccount1',
  key: 'Eby8vdM02xNOcqFlqUwJPLlmEtlCDXJ1OUzFT50uSRZ6IFsuFq2UVErCz4I6tq/K1SZFPTOtr/KBHBeksoGMGw==',
};

export interface RunningAzurite {
  readonly tableEndpoint: string;
  readonly connectionString: string;
  close(): Promise<void>;
}

export async function startAzuriteTables(options: { port?: number } = {}): Promise<RunningAzurite> {
  const TableServer = (requireFromHere('azurite/dist/src/table/TableServer') as { default: AzuriteServerClass }).default;
  const TableConfiguration = (requireFromHere('azurite/dist/src/table/TableConfiguration') as { default: TableConfigurationClass }).default;
  // Positional arguments of TableConfiguration 3.35.0: host, port, keepAliveTimeout, dbPath, debugLog,
  // accessLog, accessLogStream, debugPath, loose, skipApiVersionCheck, cert, key, pwd, oauth,
  // disableProductStyleUrl, inMemoryPersistence.
  const configuration = new TableConfiguration('127.0.0.1', options.port ?? 0, 5, ':memory:', false, false, undefined, undefined, true, true, '', '', '', undefined, false, true);
  const server = new TableServer(configuration);
  await server.start();
  const tableEndpoint = `${server.getHttpServerAddress()}/${devStoreAccount.name}`;
  return {
    tableEndpoint,
    connectionString: `DefaultEndpointsProtocol=http;AccountName=${devStoreAccount.name};AccountKey=${devStoreAccount.key};TableEndpoint=${tableEndpoint};`,
    close: async () => {
      await server.close();
      await server.clean();
    },
  };
}
