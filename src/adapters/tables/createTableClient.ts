import { DefaultAzureCredential } from '@azure/identity';
import { TableClient } from '@azure/data-tables';
import type { StorageConfig } from '../../config/config';

/** A TableClient for one product table, by connection string (Azurite, keys) or managed identity. */
export function createTableClient(storage: StorageConfig, tableName: string): TableClient {
  if (storage.kind === 'connectionString') {
    // Azurite (and UseDevelopmentStorage=true) speaks plain HTTP on loopback.
    const insecure = /UseDevelopmentStorage=true|DefaultEndpointsProtocol=http;|TableEndpoint=http:/i.test(storage.connectionString);
    return TableClient.fromConnectionString(storage.connectionString, tableName, { allowInsecureConnection: insecure });
  }
  const credential = new DefaultAzureCredential(storage.clientId === undefined ? {} : { managedIdentityClientId: storage.clientId });
  return new TableClient(`https://${storage.accountName}.table.core.windows.net`, tableName, credential);
}

/** Creates the table once per client, tolerating that another worker (or an earlier start) already did. */
export function ensureTableOnce(client: TableClient): () => Promise<void> {
  let created: Promise<void> | undefined;
  return () => {
    created ??= client.createTable().catch((error: unknown) => {
      created = undefined;
      throw error;
    });
    return created;
  };
}
