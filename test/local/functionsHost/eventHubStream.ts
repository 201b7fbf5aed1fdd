// An Event Hub feeding an Event Hubs-triggered function, as the lab needs it: a partitioned log (events keep
// their order within a partition, the partition is chosen by the partition key), and the trigger's event
// processor per partition — it reads from its checkpoint, hands batches to the host (which applies the
// function's cardinality and retry policy) and checkpoints after each batch, whether the function succeeded
// or not. A processor that dies before it checkpoints (`crashBeforeNextCheckpoint`) is followed by one that
// starts again from the last checkpoint, so those events are delivered twice, as after a real restart.
import { createHash } from 'node:crypto';
import type { EventHubDeliveryResult } from './eventHubDelivery';
import type { HostLogEntry, HostLogger } from './hostLogger';
import type { EventHubMessage } from './triggerInput';

export interface EventHubStreamTarget {
  deliverEventHubBatch(functionName: string, messages: readonly EventHubMessage[], options: { partitionId: string; maxEventBatchSize: number }): Promise<EventHubDeliveryResult>;
}

export interface EventHubStreamOptions {
  readonly host: EventHubStreamTarget;
  readonly functionName: string;
  /** 4 by default, as a new Event Hub. */
  readonly partitionCount?: number;
  /** host.json extensions.eventHubs.maxEventBatchSize (100 by default). */
  readonly maxEventBatchSize?: number;
  readonly logger?: HostLogger;
}

export interface PublishedEvent {
  readonly body: unknown;
  readonly properties?: Readonly<Record<string, unknown>>;
  readonly systemProperties?: Readonly<Record<string, unknown>>;
  readonly partitionKey?: string;
}

export interface EventHubStreamStats {
  readonly published: number;
  /** Batches handed to the function. */
  readonly batches: number;
  /** Events handed over again after a processor died before checkpointing them. */
  readonly redelivered: number;
}

interface Partition {
  readonly id: string;
  readonly events: EventHubMessage[];
  /** Sequence number of the last event checkpointed; -1 before the first. */
  checkpoint: number;
  pumping: Promise<void> | undefined;
}

export class EventHubStream {
  readonly #options: Required<Omit<EventHubStreamOptions, 'logger'>> & { logger?: HostLogger };
  readonly #partitions: Partition[];
  #published = 0;
  #batches = 0;
  #redelivered = 0;
  #crashPending = false;
  #closed = false;

  constructor(options: EventHubStreamOptions) {
    this.#options = { partitionCount: 4, maxEventBatchSize: 100, ...options };
    this.#partitions = Array.from({ length: this.#options.partitionCount }, (_, index) => ({ id: String(index), events: [], checkpoint: -1, pumping: undefined }));
  }

  publish(event: PublishedEvent): void {
    if (this.#closed) return;
    const partition = this.#partitions[partitionFor(event.partitionKey, this.#partitions.length)] as Partition;
    const sequenceNumber = partition.events.length;
    partition.events.push({
      body: event.body,
      ...(event.properties === undefined ? {} : { properties: event.properties }),
      ...(event.systemProperties === undefined ? {} : { systemProperties: event.systemProperties }),
      ...(event.partitionKey === undefined ? {} : { partitionKey: event.partitionKey }),
      sequenceNumber,
      offset: String(sequenceNumber * 512),
      enqueuedTimeUtc: new Date().toISOString(),
    });
    this.#published++;
    this.#pump(partition);
  }

  /** The next processor to finish a batch dies before checkpointing it: its events are delivered again. */
  crashBeforeNextCheckpoint(): void {
    this.#crashPending = true;
  }

  /** Resolves when every partition has checkpointed everything published so far. */
  async drain(): Promise<void> {
    for (;;) {
      const busy = this.#partitions.map((partition) => partition.pumping).filter((pumping): pumping is Promise<void> => pumping !== undefined);
      if (busy.length === 0) return;
      await Promise.all(busy);
    }
  }

  stats(): EventHubStreamStats {
    return { published: this.#published, batches: this.#batches, redelivered: this.#redelivered };
  }

  async close(): Promise<void> {
    this.#closed = true;
    await this.drain();
  }

  #pump(partition: Partition): void {
    if (partition.pumping !== undefined) return;
    partition.pumping = this.#run(partition).finally(() => {
      partition.pumping = undefined;
      // Events published while the last batch was finishing start the next run.
      if (!this.#closed && partition.checkpoint < partition.events.length - 1) this.#pump(partition);
    });
  }

  async #run(partition: Partition): Promise<void> {
    let delivered = partition.checkpoint;
    while (!this.#closed && partition.checkpoint < partition.events.length - 1) {
      const batch = partition.events.slice(partition.checkpoint + 1, partition.checkpoint + 1 + this.#options.maxEventBatchSize);
      const last = batch[batch.length - 1] as EventHubMessage;
      this.#redelivered += Math.max(0, Math.min(delivered, last.sequenceNumber) - partition.checkpoint);
      this.#batches++;
      try {
        await this.#options.host.deliverEventHubBatch(this.#options.functionName, batch, { partitionId: partition.id, maxEventBatchSize: this.#options.maxEventBatchSize });
      } catch (error) {
        this.#log('error', `Event Hub partition ${partition.id}: delivery to ${this.#options.functionName} failed: ${String(error)}`);
      }
      delivered = Math.max(delivered, last.sequenceNumber);
      if (this.#crashPending) {
        this.#crashPending = false;
        this.#log('warning', `Event Hub partition ${partition.id}: the processor stopped before checkpointing sequence numbers ${batch[0]?.sequenceNumber}..${last.sequenceNumber}; a new one resumes from ${partition.checkpoint}`);
        continue;
      }
      partition.checkpoint = last.sequenceNumber;
    }
  }

  #log(level: HostLogEntry['level'], message: string): void {
    this.#options.logger?.log({ timestamp: new Date().toISOString(), level, category: 'host', message });
  }
}

/** A stable hash of the partition key (Event Hubs hashes it too; which hash does not matter here, stability does). */
function partitionFor(partitionKey: string | undefined, partitionCount: number): number {
  if (partitionKey === undefined) return 0;
  return createHash('sha1').update(partitionKey).digest().readUInt32BE(0) % partitionCount;
}
