// A local Event Hubs namespace over real AMQP 1.0 (rhea), for the real @azure/event-hubs producer and
// consumer: CBS authorization with SAS tokens, `$management` reads of hub and partition properties, sends to a
// hub (by partition key, or round-robin) or to one partition, batched or not, and receives from a partition
// of a consumer group from an offset, a sequence number or an enqueued time, with owner levels (epochs).
// Events are kept in memory per partition. Loopback only. Not the service: no TLS, no Entra ID tokens, no
// idempotent producers, no retention; what it does answer, it answers as the service does.
import { randomBytes } from 'node:crypto';
import type { AddressInfo, Server, Socket } from 'node:net';
import rhea from 'rhea';
import { partitionIndexForKey } from './partitionKeyHash';
import { checkSharedAccessSignature, type AccessPolicy, type AccessRight } from './sharedAccessSignature';

export interface EventHubDefinition {
  readonly partitionCount: number;
  /** Consumer groups besides `$Default`. */
  readonly consumerGroups?: readonly string[];
}

export interface EventHubsStandInOptions {
  /** 0 (default): any free port. */
  readonly port?: number;
  /** The namespace the stand-in plays; tokens may name it or the loopback endpoint. */
  readonly namespace?: string;
  /** Shared access policies; by default one `RootManageSharedAccessKey` with every right and a random key. */
  readonly policies?: readonly AccessPolicy[];
  readonly eventHubs?: Readonly<Record<string, EventHubDefinition>>;
  /** Largest message (a batch is one message) a sender may send: 1 MiB, as the Standard tier. */
  readonly maxMessageSizeBytes?: number;
  /** Enqueued times and token expiry checks. */
  readonly now?: () => Date;
}

/** An event as a partition holds it, decoded as the SDK decodes it (JSON bodies parsed). */
export interface StoredEvent {
  readonly partitionId: string;
  readonly sequenceNumber: number;
  readonly offset: string;
  readonly enqueuedTime: Date;
  readonly partitionKey?: string;
  readonly body: unknown;
  readonly properties: Readonly<Record<string, unknown>>;
  readonly messageAnnotations: Readonly<Record<string, unknown>>;
  readonly contentType?: string;
  readonly messageId?: string;
  readonly correlationId?: string;
}

/** An event published from the test side, as a service routing into the hub (IoT Hub) would. */
export interface EventToPublish {
  /** JSON-encoded unless a Buffer. */
  readonly body: unknown;
  readonly properties?: Readonly<Record<string, unknown>>;
  /** Message annotations, e.g. IoT Hub's `iothub-connection-device-id`. */
  readonly messageAnnotations?: Readonly<Record<string, unknown>>;
  readonly partitionKey?: string;
  readonly partitionId?: string;
  readonly contentType?: string;
  readonly messageId?: string;
}

export interface SendRefusal {
  /** Only sends to this hub (default: every hub). */
  readonly eventHub?: string;
  /** Refuse this many sends, then accept again (default: until `clear()`). */
  readonly count?: number;
  /** The AMQP error condition (default `com.microsoft:server-busy`, which the SDK retries). */
  readonly condition?: string;
  readonly description?: string;
}

export interface EventHubsStandInStats {
  readonly connectionsOpened: number;
  readonly connectionsOpen: number;
  readonly tokensAccepted: number;
  readonly tokensRefused: number;
  readonly managementRequests: number;
  readonly linksRefused: number;
  /** Send deliveries (a batch is one) accepted and refused (faults, size, authorization). */
  readonly sendsAccepted: number;
  readonly sendsRefused: number;
  readonly eventsAccepted: number;
  readonly eventsDelivered: number;
  /** Receivers (consumer links on a partition) open now. */
  readonly receiversOpen: number;
  /** Events kept, per hub, per partition. */
  readonly eventsPerPartition: Readonly<Record<string, readonly number[]>>;
}

export interface EventHubsStandIn {
  readonly port: number;
  /** `sb://127.0.0.1:<port>`. */
  readonly endpoint: string;
  /** The first policy's connection string, with `UseDevelopmentEmulator=true` (plain AMQP, as the SDK speaks to the emulator). */
  readonly connectionString: string;
  /** The namespace name the stand-in plays (`<namespace>.servicebus.windows.net`); the SDK reaches it only through `connectionString`. */
  readonly fullyQualifiedNamespace: string;
  connectionStringFor(policyName: string, eventHubName?: string): string;
  createEventHub(name: string, definition: EventHubDefinition): void;
  createConsumerGroup(eventHubName: string, consumerGroup: string): void;
  /** The events a partition holds, oldest first. */
  events(eventHubName: string, partitionId: string | number): StoredEvent[];
  /** Appends events as the service would on a send, and delivers them to open receivers. */
  publish(eventHubName: string, events: readonly EventToPublish[]): StoredEvent[];
  partitionIdForKey(eventHubName: string, partitionKey: string): string;
  readonly faults: {
    refuseSends(refusal?: SendRefusal): void;
    /** Closes every client connection with `amqp:connection:forced`, as a service restart does. */
    dropConnections(): void;
    clear(): void;
  };
  stats(): EventHubsStandInStats;
  close(): Promise<void>;
}

interface StoredRecord {
  readonly sequenceNumber: number;
  readonly offset: number;
  readonly enqueuedTime: Date;
  readonly partitionKey?: string;
  readonly message: rhea.Message;
}

interface Partition {
  readonly id: string;
  readonly records: StoredRecord[];
  nextOffset: number;
  readonly subscribers: Set<Subscriber>;
}

interface Hub {
  readonly name: string;
  readonly createdAt: Date;
  readonly partitions: Partition[];
  readonly consumerGroups: Set<string>;
  roundRobin: number;
}

interface Subscriber {
  readonly sender: rhea.Sender;
  readonly partition: Partition;
  readonly consumerGroup: string;
  readonly ownerLevel?: number;
  readonly runtimeMetric: boolean;
  next: number;
}

interface Claim {
  /** Lower-case entity path the claim covers ('' for the whole namespace). */
  readonly path: string;
  readonly rights: readonly AccessRight[];
  readonly expiresAtMs: number;
}

const batchFormat = 0x80013700;
const selectorFilter = 'apache.org:selector-filter:string';
const runtimeMetricCapability = 'com.microsoft:enable-receiver-runtime-metric';
const epochProperty = 'com.microsoft:epoch';
/** Receivers without an owner level one partition of one consumer group allows at once. */
const maxReceiversWithoutOwnerLevel = 5;

/** rhea's own typings disagree on whether a decoded message has a body (it always has one here). */
const decode = (buffer: Buffer): rhea.Message => rhea.message.decode(buffer) as unknown as rhea.Message;

class LinkRefusal extends Error {
  constructor(
    readonly condition: string,
    description: string,
  ) {
    super(description);
  }
}

export async function startEventHubsStandIn(options: EventHubsStandInOptions = {}): Promise<EventHubsStandIn> {
  const now = options.now ?? (() => new Date());
  const namespace = options.namespace ?? 'smt-lab.servicebus.windows.net';
  const policies = options.policies ?? [{ name: 'RootManageSharedAccessKey', key: randomBytes(32).toString('base64'), rights: ['Send', 'Listen', 'Manage'] }];
  const firstPolicy = policies[0];
  if (firstPolicy === undefined) throw new Error('the stand-in needs at least one shared access policy');
  const maxMessageSize = options.maxMessageSizeBytes ?? 1024 * 1024;

  const hubs = new Map<string, Hub>();
  const claims = new Map<rhea.Connection, Claim[]>();
  const sockets = new Set<Socket>();
  let refusal: (SendRefusal & { left: number }) | undefined;
  const counters = {
    connectionsOpened: 0,
    tokensAccepted: 0,
    tokensRefused: 0,
    managementRequests: 0,
    linksRefused: 0,
    sendsAccepted: 0,
    sendsRefused: 0,
    eventsAccepted: 0,
    eventsDelivered: 0,
  };

  const container = rhea.create_container({ id: `event-hubs-stand-in-${randomBytes(4).toString('hex')}`, autoaccept: false });

  function createEventHub(name: string, definition: EventHubDefinition): void {
    if (hubs.has(name.toLowerCase())) throw new Error(`event hub '${name}' exists`);
    if (!Number.isInteger(definition.partitionCount) || definition.partitionCount < 1 || definition.partitionCount > 32) {
      throw new Error(`partitionCount must be 1 to 32, not ${definition.partitionCount}`);
    }
    hubs.set(name.toLowerCase(), {
      name,
      createdAt: now(),
      partitions: Array.from({ length: definition.partitionCount }, (_, index) => ({ id: String(index), records: [], nextOffset: 0, subscribers: new Set() })),
      consumerGroups: new Set(['$default', ...(definition.consumerGroups ?? []).map((group) => group.toLowerCase())]),
      roundRobin: 0,
    });
  }
  for (const [name, definition] of Object.entries(options.eventHubs ?? {})) createEventHub(name, definition);

  const hubNamed = (name: string): Hub => {
    const hub = hubs.get(name.toLowerCase());
    if (hub === undefined) throw new LinkRefusal('amqp:not-found', `The messaging entity '${namespace}/${name}' could not be found.`);
    return hub;
  };
  const partitionOf = (hub: Hub, partitionId: string): Partition => {
    const partition = /^\d+$/.test(partitionId) ? hub.partitions[Number(partitionId)] : undefined;
    if (partition === undefined) {
      throw new LinkRefusal('com.microsoft:argument-out-of-range', `The partition '${partitionId}' of '${hub.name}' does not exist (partitions 0 to ${hub.partitions.length - 1}).`);
    }
    return partition;
  };

  /** The entity path an audience names, when it is this namespace's (the loopback endpoint or the namespace name). */
  function entityPathOf(audience: string): string | undefined {
    const match = /^(?:sb|amqps?):\/\/([^/]+)\/?(.*)$/i.exec(audience.trim());
    if (match === null) return undefined;
    const host = (match[1] as string).toLowerCase();
    if (host !== namespace.toLowerCase() && host !== `127.0.0.1:${port}` && host !== `localhost:${port}`) return undefined;
    return (match[2] as string).replace(/\/+$/, '').toLowerCase();
  }

  function authorize(connection: rhea.Connection, entityPath: string, right: AccessRight): void {
    const path = entityPath.toLowerCase();
    const nowMs = now().getTime();
    const held = (claims.get(connection) ?? []).some(
      (claim) => claim.expiresAtMs > nowMs && claim.rights.includes(right) && (claim.path === '' || path === claim.path || path.startsWith(`${claim.path}/`)),
    );
    if (!held) throw new LinkRefusal('amqp:unauthorized-access', `Unauthorized access. '${right}' claim(s) are required to perform this operation. Resource: 'sb://${namespace}/${entityPath}'.`);
  }

  function store(partition: Partition, message: rhea.Message, partitionKey: string | undefined): StoredRecord {
    const record: StoredRecord = {
      sequenceNumber: partition.records.length,
      offset: partition.nextOffset,
      enqueuedTime: now(),
      ...(partitionKey === undefined ? {} : { partitionKey }),
      message,
    };
    partition.nextOffset += rhea.message.encode(message).length;
    partition.records.push(record);
    counters.eventsAccepted += 1;
    return record;
  }

  function targetPartition(hub: Hub, partitionId: string | undefined, partitionKey: string | undefined): Partition {
    if (partitionId !== undefined) return partitionOf(hub, partitionId);
    if (partitionKey !== undefined) return hub.partitions[partitionIndexForKey(partitionKey, hub.partitions.length)] as Partition;
    const partition = hub.partitions[hub.roundRobin % hub.partitions.length] as Partition;
    hub.roundRobin += 1;
    return partition;
  }

  function pump(subscriber: Subscriber): void {
    const { sender, partition } = subscriber;
    while (sender.is_open() && sender.sendable() && subscriber.next < partition.records.length) {
      const record = partition.records[subscriber.next] as StoredRecord;
      subscriber.next += 1;
      const last = partition.records[partition.records.length - 1] as StoredRecord;
      sender.send({
        ...record.message,
        message_annotations: {
          ...(record.message.message_annotations ?? {}),
          'x-opt-sequence-number': rhea.types.wrap_long(record.sequenceNumber),
          'x-opt-offset': String(record.offset),
          'x-opt-enqueued-time': record.enqueuedTime,
          ...(record.partitionKey === undefined ? {} : { 'x-opt-partition-key': record.partitionKey }),
        },
        ...(subscriber.runtimeMetric
          ? {
              delivery_annotations: {
                last_enqueued_sequence_number: rhea.types.wrap_long(last.sequenceNumber),
                last_enqueued_offset: String(last.offset),
                last_enqueued_time_utc: last.enqueuedTime,
                runtime_info_retrieval_time_utc: now(),
              },
            }
          : {}),
      });
      counters.eventsDelivered += 1;
    }
  }
  const deliver = (partition: Partition) => {
    for (const subscriber of partition.subscribers) pump(subscriber);
  };

  function reply(connection: rhea.Connection, request: rhea.Message, status: number, description: string, body?: unknown, condition?: string): void {
    const replyTo = request.reply_to;
    const link = connection.find_sender((candidate: rhea.Sender) => candidate.name === replyTo || candidate.target?.address === replyTo);
    if (link === undefined) return;
    link.send({
      ...(replyTo === undefined ? {} : { to: replyTo }),
      ...(request.message_id === undefined ? {} : { correlation_id: request.message_id }),
      application_properties: {
        'status-code': rhea.types.wrap_int(status),
        'status-description': description,
        ...(condition === undefined ? {} : { 'error-condition': condition }),
      },
      body: body ?? null,
    });
  }

  function onPutToken(connection: rhea.Connection, request: rhea.Message): void {
    const properties = request.application_properties ?? {};
    const audience = String(properties['name'] ?? '');
    const fail = (status: number, description: string) => {
      counters.tokensRefused += 1;
      reply(connection, request, status, description);
    };
    if (properties['operation'] !== 'put-token') return fail(400, `unknown $cbs operation '${String(properties['operation'])}'`);
    if (properties['type'] !== 'servicebus.windows.net:sastoken') return fail(401, `token type '${String(properties['type'])}' is not accepted here: only shared access signatures`);
    const path = entityPathOf(audience);
    if (path === undefined) return fail(401, `the audience '${audience}' is not this namespace`);
    const check = checkSharedAccessSignature(String(request.body ?? ''), policies, now().getTime());
    if (!check.ok) return fail(check.status, check.reason);
    if (entityPathOf(check.audience) !== path) return fail(401, `the token is for '${check.audience}', not '${audience}'`);
    claims.set(connection, [...(claims.get(connection) ?? []), { path, rights: check.policy.rights, expiresAtMs: check.expiresAtMs }]);
    counters.tokensAccepted += 1;
    reply(connection, request, 202, 'Accepted');
  }

  function onManagement(connection: rhea.Connection, request: rhea.Message): void {
    counters.managementRequests += 1;
    const properties = request.application_properties ?? {};
    const name = String(properties['name'] ?? '');
    try {
      if (properties['operation'] !== 'READ') throw new LinkRefusal('amqp:not-implemented', `operation '${String(properties['operation'])}' is not supported`);
      const hub = hubNamed(name);
      authorizeManagement(connection, hub, properties['security_token']);
      if (properties['type'] === 'com.microsoft:eventhub') {
        return reply(connection, request, 200, 'OK', {
          name: hub.name,
          type: 'com.microsoft:eventhub',
          created_at: hub.createdAt,
          partition_count: rhea.types.wrap_int(hub.partitions.length),
          partition_ids: hub.partitions.map((partition) => partition.id),
        });
      }
      if (properties['type'] === 'com.microsoft:partition') {
        const partition = partitionOf(hub, String(properties['partition'] ?? ''));
        const last = partition.records[partition.records.length - 1];
        return reply(connection, request, 200, 'OK', {
          name: hub.name,
          type: 'com.microsoft:partition',
          partition: partition.id,
          begin_sequence_number: rhea.types.wrap_long(0),
          last_enqueued_sequence_number: rhea.types.wrap_long(last === undefined ? -1 : last.sequenceNumber),
          last_enqueued_offset: last === undefined ? '-1' : String(last.offset),
          last_enqueued_time_utc: last === undefined ? new Date(0) : last.enqueuedTime,
          is_partition_empty: last === undefined,
        });
      }
      throw new LinkRefusal('amqp:not-implemented', `type '${String(properties['type'])}' is not supported`);
    } catch (error) {
      if (!(error instanceof LinkRefusal)) throw error;
      const status = error.condition === 'amqp:not-found' ? 404 : error.condition === 'amqp:unauthorized-access' ? 401 : 400;
      reply(connection, request, status, error.message, undefined, error.condition);
    }
  }

  /** A management read is allowed by any claim on the hub (producers read partition ids too), or by the token it carries. */
  function authorizeManagement(connection: rhea.Connection, hub: Hub, token: unknown): void {
    const path = hub.name.toLowerCase();
    const covers = (claimPath: string) => claimPath === '' || path === claimPath || path.startsWith(`${claimPath}/`) || claimPath.startsWith(`${path}/`);
    const nowMs = now().getTime();
    if ((claims.get(connection) ?? []).some((claim) => claim.expiresAtMs > nowMs && covers(claim.path))) return;
    const check = typeof token === 'string' ? checkSharedAccessSignature(token, policies, nowMs) : undefined;
    const tokenPath = check?.ok === true ? entityPathOf(check.audience) : undefined;
    if (tokenPath === undefined || !covers(tokenPath)) throw new LinkRefusal('amqp:unauthorized-access', `Unauthorized access to the management of '${hub.name}'.`);
  }

  function onSend(context: rhea.EventContext, address: string): void {
    const delivery = context.delivery as rhea.Delivery;
    const raw = context.message as unknown;
    const [hubName, , partitionId] = address.split('/') as [string, string?, string?];
    const refuse = (condition: string, description: string) => {
      counters.sendsRefused += 1;
      delivery.reject({ condition, description });
    };
    const hub = hubs.get(hubName.toLowerCase());
    if (hub === undefined) return refuse('amqp:not-found', `The messaging entity '${hubName}' could not be found.`);
    if (refusal !== undefined && (refusal.eventHub === undefined || refusal.eventHub.toLowerCase() === hub.name.toLowerCase())) {
      const { condition = 'com.microsoft:server-busy', description = 'The server is busy. Please try again later.' } = refusal;
      refusal.left -= 1;
      if (refusal.left <= 0) refusal = undefined;
      return refuse(condition, description);
    }
    let envelope: rhea.Message;
    let messages: rhea.Message[];
    if (Buffer.isBuffer(raw)) {
      if (raw.length > maxMessageSize) return refuse('amqp:link:message-size-exceeded', `The received message (${raw.length} bytes) exceeds the limit (${maxMessageSize} bytes).`);
      envelope = decode(raw);
      if ((context as { format?: number }).format === batchFormat) {
        const body = envelope.body as { multiple?: boolean; content: Buffer | Buffer[] };
        messages = (body.multiple === true ? (body.content as Buffer[]) : [body.content as Buffer]).map(decode);
      } else {
        messages = [envelope];
      }
    } else {
      envelope = raw as rhea.Message;
      messages = [envelope];
    }
    const partitionKey = (envelope.message_annotations?.['x-opt-partition-key'] ?? messages[0]?.message_annotations?.['x-opt-partition-key']) as string | undefined;
    let partition: Partition;
    try {
      partition = targetPartition(hub, partitionId, partitionKey);
    } catch (error) {
      if (error instanceof LinkRefusal) return refuse(error.condition, error.message);
      throw error;
    }
    for (const message of messages) store(partition, message, partitionKey);
    counters.sendsAccepted += 1;
    delivery.accept();
    deliver(partition);
  }

  container.on('connection_open', (context: rhea.EventContext) => {
    counters.connectionsOpened += 1;
    claims.set(context.connection, []);
  });
  const forget = (context: rhea.EventContext) => {
    claims.delete(context.connection);
    for (const hub of hubs.values()) {
      for (const partition of hub.partitions) {
        for (const subscriber of partition.subscribers) if (subscriber.sender.connection === context.connection) partition.subscribers.delete(subscriber);
      }
    }
  };
  container.on('connection_close', forget);
  container.on('disconnected', forget);

  // A client's sender attaches: our receiver, for $cbs, $management, a hub or one of its partitions.
  container.on('receiver_open', (context: rhea.EventContext) => {
    const receiver = context.receiver as rhea.Receiver;
    const address = receiver.target?.address ?? '';
    receiver.set_target({ address });
    receiver.set_source({ address: receiver.source?.address });
    if (address === '$cbs' || address === '$management') return;
    try {
      const match = /^([^/]+)(?:\/Partitions\/([^/]+))?$/i.exec(address);
      if (match === null) throw new LinkRefusal('amqp:not-found', `'${address}' is not an event hub or one of its partitions`);
      const hub = hubNamed(match[1] as string);
      if (match[2] !== undefined) partitionOf(hub, match[2]);
      authorize(context.connection, address, 'Send');
      (receiver as unknown as { local: { attach: { max_message_size: number } } }).local.attach.max_message_size = maxMessageSize;
      receiver.add_credit(1000);
    } catch (error) {
      refuseLink(receiver, error);
    }
  });

  // A client's receiver attaches: our sender, for a reply link or a partition of a consumer group.
  container.on('sender_open', (context: rhea.EventContext) => {
    const sender = context.sender as rhea.Sender;
    const address = sender.source?.address ?? '';
    sender.set_source({ address });
    sender.set_target({ address: sender.target?.address });
    if (address === '$cbs' || address === '$management') return;
    try {
      const match = /^([^/]+)\/ConsumerGroups\/([^/]+)\/Partitions\/([^/]+)$/i.exec(address);
      if (match === null) throw new LinkRefusal('amqp:not-found', `'${address}' is not a partition of a consumer group`);
      const hub = hubNamed(match[1] as string);
      const consumerGroup = (match[2] as string).toLowerCase();
      if (!hub.consumerGroups.has(consumerGroup)) throw new LinkRefusal('amqp:not-found', `The consumer group '${match[2]}' of '${hub.name}' does not exist.`);
      const partition = partitionOf(hub, match[3] as string);
      authorize(context.connection, address, 'Listen');
      const epoch = sender.properties?.[epochProperty] as unknown;
      const ownerLevel = typeof epoch === 'number' ? epoch : undefined;
      claimPartition(partition, consumerGroup, ownerLevel);
      const desired = [sender.desired_capabilities ?? []].flat();
      const runtimeMetric = desired.includes(runtimeMetricCapability);
      if (runtimeMetric) (sender as unknown as { local: { attach: { offered_capabilities: string[] } } }).local.attach.offered_capabilities = [runtimeMetricCapability];
      const subscriber: Subscriber = {
        sender,
        partition,
        consumerGroup,
        ...(ownerLevel === undefined ? {} : { ownerLevel }),
        runtimeMetric,
        next: startIndex(partition, sender.source?.filter?.[selectorFilter]),
      };
      partition.subscribers.add(subscriber);
      sender.on('sendable', () => pump(subscriber));
      sender.on('sender_close', () => partition.subscribers.delete(subscriber));
      pump(subscriber);
    } catch (error) {
      refuseLink(sender, error);
    }
  });

  /** Owner levels: a receiver with a level takes the partition from those with a lower (or no) level. */
  function claimPartition(partition: Partition, consumerGroup: string, ownerLevel: number | undefined): void {
    const same = [...partition.subscribers].filter((subscriber) => subscriber.consumerGroup === consumerGroup);
    const highest = Math.max(-1, ...same.map((subscriber) => subscriber.ownerLevel ?? -1));
    if (ownerLevel === undefined) {
      if (highest >= 0) throw new LinkRefusal('amqp:link:stolen', `A receiver with owner level ${highest} holds partition ${partition.id} of consumer group '${consumerGroup}'.`);
      if (same.length >= maxReceiversWithoutOwnerLevel) {
        throw new LinkRefusal('com.microsoft:quota-exceeded', `At most ${maxReceiversWithoutOwnerLevel} receivers per partition and consumer group.`);
      }
      return;
    }
    if (highest > ownerLevel) throw new LinkRefusal('amqp:link:stolen', `A receiver with the higher owner level ${highest} holds partition ${partition.id}.`);
    for (const subscriber of same) {
      partition.subscribers.delete(subscriber);
      subscriber.sender.close({
        condition: 'amqp:link:stolen',
        description: `New receiver with owner level ${ownerLevel} was created for partition ${partition.id} of consumer group '${consumerGroup}'.`,
      });
    }
  }

  /** Where a receiver starts, from its selector filter (the SDK's event positions). */
  function startIndex(partition: Partition, filter: unknown): number {
    const expression = String((filter as { value?: unknown } | undefined)?.value ?? filter ?? '');
    if (expression === '') return 0;
    const match = /^amqp\.annotation\.(x-opt-offset|x-opt-sequence-number|x-opt-enqueued-time)\s*(>=|>)\s*'([^']*)'$/.exec(expression.trim());
    if (match === null) throw new LinkRefusal('amqp:invalid-field', `The selector filter '${expression}' is not supported.`);
    const [, annotation, operator, value] = match as unknown as [string, string, string, string];
    if (annotation === 'x-opt-offset' && value === '@latest') return partition.records.length;
    const bound = Number(value);
    if (!Number.isFinite(bound)) throw new LinkRefusal('amqp:invalid-field', `'${value}' is not a position`);
    const key = (record: StoredRecord) =>
      annotation === 'x-opt-offset' ? record.offset : annotation === 'x-opt-sequence-number' ? record.sequenceNumber : record.enqueuedTime.getTime();
    const index = partition.records.findIndex((record) => (operator === '>' ? key(record) > bound : key(record) >= bound));
    return index === -1 ? partition.records.length : index;
  }

  function refuseLink(link: rhea.Sender | rhea.Receiver, error: unknown): void {
    if (!(error instanceof LinkRefusal)) throw error;
    counters.linksRefused += 1;
    link.close({ condition: error.condition, description: error.message });
  }

  container.on('message', (context: rhea.EventContext) => {
    const receiver = context.receiver as rhea.Receiver;
    const address = receiver.target?.address ?? '';
    const delivery = context.delivery as rhea.Delivery;
    if (address === '$cbs' || address === '$management') {
      delivery.accept();
      const request = context.message as rhea.Message;
      if (address === '$cbs') onPutToken(context.connection, request);
      else onManagement(context.connection, request);
      return;
    }
    onSend(context, address);
  });

  // Errors on one client's connection belong to that client; the stand-in keeps serving the others.
  container.on('error', () => undefined);

  const server: Server = container.listen({ port: options.port ?? 0, host: '127.0.0.1' });
  server.on('connection', (socket: Socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
  });
  await new Promise<void>((resolve, reject) => {
    server.once('listening', resolve);
    server.once('error', reject);
  });
  const port = (server.address() as AddressInfo).port;
  const endpoint = `sb://127.0.0.1:${port}`;

  const connectionStringFor = (policyName: string, eventHubName?: string): string => {
    const policy = policies.find((candidate) => candidate.name === policyName);
    if (policy === undefined) throw new Error(`no policy named '${policyName}'`);
    return `Endpoint=${endpoint};SharedAccessKeyName=${policy.name};SharedAccessKey=${policy.key};UseDevelopmentEmulator=true${eventHubName === undefined ? '' : `;EntityPath=${eventHubName}`}`;
  };

  const view = (partition: Partition, record: StoredRecord): StoredEvent => {
    const { message } = record;
    const section = message.body as { typecode?: number; content?: unknown } | undefined;
    let body: unknown = section?.typecode === undefined ? message.body : section.content;
    if (section?.typecode === 0x75 && Buffer.isBuffer(section.content)) {
      try {
        body = JSON.parse(section.content.toString('utf8')) as unknown;
      } catch {
        body = section.content;
      }
    }
    return {
      partitionId: partition.id,
      sequenceNumber: record.sequenceNumber,
      offset: String(record.offset),
      enqueuedTime: record.enqueuedTime,
      ...(record.partitionKey === undefined ? {} : { partitionKey: record.partitionKey }),
      body,
      properties: { ...(message.application_properties ?? {}) },
      messageAnnotations: { ...(message.message_annotations ?? {}) },
      ...(message.content_type === undefined ? {} : { contentType: String(message.content_type) }),
      ...(message.message_id === undefined ? {} : { messageId: String(message.message_id) }),
      ...(message.correlation_id === undefined ? {} : { correlationId: String(message.correlation_id) }),
    };
  };

  const programmaticHub = (name: string): Hub => {
    const hub = hubs.get(name.toLowerCase());
    if (hub === undefined) throw new Error(`no event hub named '${name}'`);
    return hub;
  };

  return {
    port,
    endpoint,
    connectionString: connectionStringFor(firstPolicy.name),
    fullyQualifiedNamespace: namespace,
    connectionStringFor,
    createEventHub,
    createConsumerGroup(eventHubName, consumerGroup) {
      programmaticHub(eventHubName).consumerGroups.add(consumerGroup.toLowerCase());
    },
    events(eventHubName, partitionId) {
      const hub = programmaticHub(eventHubName);
      const partition = hub.partitions[Number(partitionId)];
      if (partition === undefined) throw new Error(`'${eventHubName}' has no partition ${partitionId}`);
      return partition.records.map((record) => view(partition, record));
    },
    publish(eventHubName, events) {
      const hub = programmaticHub(eventHubName);
      const stored: StoredEvent[] = [];
      const touched = new Set<Partition>();
      for (const event of events) {
        const partition = targetPartition(hub, event.partitionId, event.partitionKey);
        const content = Buffer.isBuffer(event.body) ? event.body : Buffer.from(JSON.stringify(event.body ?? null), 'utf8');
        const message: rhea.Message = {
          body: rhea.message.data_section(content),
          ...(event.properties === undefined ? {} : { application_properties: { ...event.properties } }),
          ...(event.messageAnnotations === undefined ? {} : { message_annotations: { ...event.messageAnnotations } }),
          ...(event.contentType === undefined ? {} : { content_type: event.contentType }),
          ...(event.messageId === undefined ? {} : { message_id: event.messageId }),
        };
        stored.push(view(partition, store(partition, message, event.partitionKey)));
        touched.add(partition);
      }
      for (const partition of touched) deliver(partition);
      return stored;
    },
    partitionIdForKey(eventHubName, partitionKey) {
      const hub = programmaticHub(eventHubName);
      return String(partitionIndexForKey(partitionKey, hub.partitions.length));
    },
    faults: {
      refuseSends(next = {}) {
        refusal = { ...next, left: next.count ?? Number.POSITIVE_INFINITY };
      },
      dropConnections() {
        for (const connection of [...claims.keys()]) connection.close({ condition: 'amqp:connection:forced', description: 'The connection was closed by the stand-in (fault injection).' });
      },
      clear() {
        refusal = undefined;
      },
    },
    stats() {
      return {
        ...counters,
        connectionsOpen: claims.size,
        receiversOpen: [...hubs.values()].reduce((sum, hub) => sum + hub.partitions.reduce((inHub, partition) => inHub + partition.subscribers.size, 0), 0),
        eventsPerPartition: Object.fromEntries([...hubs.values()].map((hub) => [hub.name, hub.partitions.map((partition) => partition.records.length)])),
      };
    },
    async close() {
      for (const connection of [...claims.keys()]) connection.close();
      await new Promise<void>((resolve) => {
        server.close(() => resolve());
        for (const socket of sockets) socket.destroy();
      });
    },
  };
}
