// Azurite's Table service started in this process on an ephemeral loopback port: no second process, ~10 ms.
// In memory by default; given a database file it keeps the tables there across restarts, as `azurite
// --location` does (LokiJS saves every 5 s and on close). Azurite exposes no typed API for this, so its
// classes are loaded by path (pinned to azurite 3.35.0, the last release that runs on Node 20).
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

interface AzuriteTablesOptions {
  readonly port?: number;
  /** LokiJS database file to load at start and save to; in memory (and gone on close) when omitted. */
  readonly databasePath?: string;
}

export async function startAzuriteTables(options: AzuriteTablesOptions = {}): Promise<RunningAzurite> {
  const TableServer = (requireFromHere('azurite/dist/src/table/TableServer') as { default: AzuriteServerClass }).default;
  const TableConfiguration = (requireFromHere('azurite/dist/src/table/TableConfiguration') as { default: TableConfigurationClass }).default;
  // Positional arguments of TableConfiguration 3.35.0: host, port, keepAliveTimeout, dbPath, debugLog,
  // accessLog, accessLogStream, debugPath, loose, skipApiVersionCheck, cert, key, pwd, oauth,
  // disableProductStyleUrl, inMemoryPersistence.
  const inMemory = options.databasePath === undefined;
  const configuration = new TableConfiguration('127.0.0.1', options.port ?? 0, 5, options.databasePath ?? ':memory:', false, false, undefined, undefined, true, true, '', '', '', undefined, false, inMemory);
  const server = new TableServer(configuration);
  await server.start();
  const tableEndpoint = `${server.getHttpServerAddress()}/${devStoreAccount.name}`;
  return {
    tableEndpoint,
    connectionString: `DefaultEndpointsProtocol=http;AccountName=${devStoreAccount.name};AccountKey=${devStoreAccount.key};TableEndpoint=${tableEndpoint};`,
    close: async () => {
      await server.close();
      // clean() deletes the database file: only an in-memory store is thrown away.
      if (inMemory) await server.clean();
    },
  };
}
