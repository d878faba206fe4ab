/**
 * Partition checkpoints in JetStream KV: the engine's snapshot plus the last stream
 * sequence it covers. A snapshot can be larger than a NATS message, so it is written as
 * chunks of one generation, then a small manifest naming the generation, its chunk count
 * and the SHA-256 of the whole; a reader trusts only a manifest whose chunks hash to it.
 * Writing the manifest last makes the switch to a new checkpoint atomic: a worker killed
 * mid-write leaves the previous manifest, whose chunks are still there.
 *
 * @module
 */
import { createHash } from 'node:crypto';
import type { KV } from '@nats-io/kv';
import type { EngineSnapshot } from '../../engine/engine';

/** What a partition worker saves. */
export interface PartitionCheckpoint {
  format: 'tapewatch.partition-checkpoint';
  version: 1;
  partition: number;
  partitions: number;
  /** Last stream sequence of the partition's subject whose effects the snapshot holds. */
  streamSeq: number;
  engine: EngineSnapshot;
  /** Counters carried across restarts. */
  counters: { messages: number; undecodable: number; invalidEvents: number };
}

/** A stored checkpoint failed its integrity check or does not belong to this partition. */
export class CheckpointError extends Error {
  constructor(
    readonly key: string,
    readonly reason: string,
  ) {
    super(`checkpoint ${key}: ${reason}`);
    this.name = 'CheckpointError';
  }
}

interface Manifest {
  generation: number;
  chunks: number;
  bytes: number;
  sha256: string;
  streamSeq: number;
}

/** Default chunk size: well under the server's default 1 MiB max payload. */
export const DEFAULT_CHECKPOINT_CHUNK_BYTES = 512 * 1024;

/**
 * Saves and loads partition checkpoints in a KV bucket.
 *
 * @example
 * ```ts
 * const kv = await new Kvm(nc).create('tw-checkpoints');
 * const store = new KvCheckpointStore(kv, 'events');
 * await store.save(checkpoint);
 * const last = await store.load(0);
 * ```
 */
export class KvCheckpointStore {
  constructor(
    private readonly kv: KV,
    /** Key prefix, so several streams can share a bucket. */
    private readonly prefix: string,
    private readonly chunkBytes = DEFAULT_CHECKPOINT_CHUNK_BYTES,
  ) {
    if (!/^[-_=a-zA-Z0-9]+$/.test(prefix)) {
      throw new RangeError(
        `checkpoint key prefix '${prefix}' may only hold letters, digits, '-', '_' and '='`,
      );
    }
  }

  private manifestKey(partition: number): string {
    return `${this.prefix}.p${partition}.manifest`;
  }

  private chunkKey(partition: number, generation: number, index: number): string {
    return `${this.prefix}.p${partition}.g${generation}.c${index}`;
  }

  /** Writes a checkpoint: chunks first, then the manifest; then drops the previous generation's chunks. */
  async save(checkpoint: PartitionCheckpoint): Promise<void> {
    const partition = checkpoint.partition;
    const previous = await this.readManifest(partition);
    const generation = (previous?.generation ?? 0) + 1;
    const body = Buffer.from(JSON.stringify(checkpoint), 'utf8');
    const chunks = Math.max(1, Math.ceil(body.length / this.chunkBytes));
    for (let i = 0; i < chunks; i++) {
      const chunk = body.subarray(i * this.chunkBytes, (i + 1) * this.chunkBytes);
      await this.kv.put(this.chunkKey(partition, generation, i), chunk);
    }
    const manifest: Manifest = {
      generation,
      chunks,
      bytes: body.length,
      sha256: createHash('sha256').update(body).digest('hex'),
      streamSeq: checkpoint.streamSeq,
    };
    await this.kv.put(this.manifestKey(partition), JSON.stringify(manifest));
    if (previous !== undefined) {
      for (let i = 0; i < previous.chunks; i++) {
        await this.kv.purge(this.chunkKey(partition, previous.generation, i));
      }
    }
  }

  /**
   * The latest checkpoint of `partition`, or undefined when none was written.
   *
   * @throws {@link CheckpointError} when chunks are missing or do not hash to the manifest
   */
  async load(partition: number): Promise<PartitionCheckpoint | undefined> {
    const manifest = await this.readManifest(partition);
    if (manifest === undefined) return undefined;
    const key = this.manifestKey(partition);
    const parts: Uint8Array[] = [];
    for (let i = 0; i < manifest.chunks; i++) {
      const entry = await this.kv.get(this.chunkKey(partition, manifest.generation, i));
      if (entry === null || entry.operation !== 'PUT') {
        throw new CheckpointError(key, `chunk ${i} of generation ${manifest.generation} is missing`);
      }
      parts.push(entry.value);
    }
    const body = Buffer.concat(parts);
    const sha256 = createHash('sha256').update(body).digest('hex');
    if (body.length !== manifest.bytes || sha256 !== manifest.sha256) {
      throw new CheckpointError(
        key,
        `integrity check failed: ${body.length} bytes hashing to ${sha256.slice(0, 12)}…, ` +
          `manifest says ${manifest.bytes} bytes hashing to ${manifest.sha256.slice(0, 12)}…`,
      );
    }
    const checkpoint = JSON.parse(body.toString('utf8')) as PartitionCheckpoint;
    if (checkpoint.format !== 'tapewatch.partition-checkpoint' || checkpoint.version !== 1) {
      throw new CheckpointError(key, 'not a partition checkpoint of version 1');
    }
    if (checkpoint.partition !== partition) {
      throw new CheckpointError(key, `holds partition ${checkpoint.partition}, expected ${partition}`);
    }
    return checkpoint;
  }

  /** The last stream sequence covered by `partition`'s checkpoint (0 when none). */
  async coveredSeq(partition: number): Promise<number> {
    return (await this.readManifest(partition))?.streamSeq ?? 0;
  }

  private async readManifest(partition: number): Promise<Manifest | undefined> {
    const entry = await this.kv.get(this.manifestKey(partition));
    if (entry === null || entry.operation !== 'PUT') return undefined;
    try {
      return JSON.parse(new TextDecoder().decode(entry.value)) as Manifest;
    } catch (error) {
      throw new CheckpointError(
        this.manifestKey(partition),
        `manifest is not JSON (${(error as Error).message})`,
      );
    }
  }
}
