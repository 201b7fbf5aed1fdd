// Reads an RPC value coming back from the worker (return value, output binding) the way the host's
// gRPC layer does: JSON is parsed, bytes stay bytes, strings stay strings.
import type { RpcTypedData } from './rpcTypes';

export function fromRpcTypedData(data: RpcTypedData | null | undefined): unknown {
  if (data === null || data === undefined) return undefined;
  if (isSet(data.string)) return data.string;
  if (isSet(data.json)) return JSON.parse(data.json);
  if (isSet(data.bytes)) return Buffer.from(data.bytes);
  if (isSet(data.stream)) return Buffer.from(data.stream);
  if (isSet(data.int)) return data.int;
  if (isSet(data.double)) return data.double;
  if (isSet(data.collectionBytes?.bytes)) return data.collectionBytes.bytes.map((b) => Buffer.from(b));
  if (isSet(data.collectionString?.string)) return [...data.collectionString.string];
  if (isSet(data.collectionDouble?.double)) return [...data.collectionDouble.double];
  if (isSet(data.collectionSint64?.sint64)) return [...data.collectionSint64.sint64];
  if (isSet(data.http)) return data.http;
  return undefined;
}

function isSet<T>(value: T | null | undefined): value is T {
  return value !== null && value !== undefined;
}
