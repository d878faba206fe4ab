/**
 * Names on the broker: streams, subjects and the checkpoint bucket, with one prefix so
 * several deployments (or tests) can share a server.
 *
 * @module
 */
import type { JetStreamManager } from '@nats-io/jetstream';

/** Where a deployment's data lives on the broker. */
export interface NatsTopology {
  /** Subject prefix: events on `<prefix>.ev.<k>`, signals on `<prefix>.sig.<k>`, narrative on `<prefix>.nar.<k>`. Default `tw`. */
  prefix: string;
  /** Stream holding the event partitions. Default `TW_EVENTS`. */
  eventStream: string;
  /** Stream holding signals and narrative lines. Default `TW_SIGNALS`. */
  signalStream: string;
  /** KV bucket holding checkpoints. Default `tw-checkpoints`. */
  checkpointBucket: string;
  /**
   * Duplicate window of both streams, ms (default 10 min): a resent batch or a signal
   * re-emitted by a replaying worker within this window is dropped by the server.
   */
  duplicateWindowMs: number;
}

/** The default topology, with overrides. */
export function topology(overrides: Partial<NatsTopology> = {}): NatsTopology {
  const t: NatsTopology = {
    prefix: 'tw',
    eventStream: 'TW_EVENTS',
    signalStream: 'TW_SIGNALS',
    checkpointBucket: 'tw-checkpoints',
    duplicateWindowMs: 600_000,
    ...overrides,
  };
  if (!/^[-_a-zA-Z0-9]+$/.test(t.prefix)) {
    throw new RangeError(`subject prefix '${t.prefix}' may only hold letters, digits, '-' and '_'`);
  }
  return t;
}

/** Subject of partition `k`'s events. */
export function eventSubject(t: NatsTopology, partition: number): string {
  return `${t.prefix}.ev.${partition}`;
}

/** Subject of signals emitted by partition `k`. */
export function signalSubject(t: NatsTopology, partition: number): string {
  return `${t.prefix}.sig.${partition}`;
}

/** Subject of narrative lines about partition `k`'s instruments. */
export function narrativeSubject(t: NatsTopology, partition: number): string {
  return `${t.prefix}.nar.${partition}`;
}

/** Creates the event and signal streams when missing (existing ones are left as they are). */
export async function ensureStreams(jsm: JetStreamManager, t: NatsTopology): Promise<void> {
  const duplicate_window = t.duplicateWindowMs * 1_000_000;
  const wanted = [
    { name: t.eventStream, subjects: [`${t.prefix}.ev.*`] },
    { name: t.signalStream, subjects: [`${t.prefix}.sig.*`, `${t.prefix}.nar.*`] },
  ];
  for (const s of wanted) {
    try {
      await jsm.streams.info(s.name);
    } catch (error) {
      if (!isNotFound(error)) throw error;
      await jsm.streams.add({ ...s, duplicate_window });
    }
  }
}

/** True for JetStream's "stream/consumer not found" errors. */
export function isNotFound(error: unknown): boolean {
  const message = error instanceof Error ? error.message : String(error);
  return /not found/i.test(message);
}

/**
 * A whole topology named after one prefix: `<prefix>.ev.*`, streams `<PREFIX>_EVENTS` and
 * `<PREFIX>_SIGNALS`, bucket `<prefix>-checkpoints`. The CLI's `--prefix`.
 */
export function topologyForPrefix(prefix: string, overrides: Partial<NatsTopology> = {}): NatsTopology {
  const upper = prefix.toUpperCase().replace(/-/g, '_');
  return topology({
    prefix,
    eventStream: `${upper}_EVENTS`,
    signalStream: `${upper}_SIGNALS`,
    checkpointBucket: `${prefix}-checkpoints`,
    ...overrides,
  });
}
