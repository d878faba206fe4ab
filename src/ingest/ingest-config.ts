/**
 * The `ingest:` section of tapewatch.yaml: how each kind of source is read.
 *
 * @module
 */
import { z } from 'zod';
import { CexFeedConfigSchema } from './cex/cex-feed';
import { DexConfigSchema } from './dex/dex-config';
import { CsvMappingSchema } from './files/csv-mapping';
import { FixConfigSchema } from './fix/fix-config';

/** Schema of the `ingest:` section. */
export const IngestConfigSchema = z.strictObject({
  /** Column mapping used by `tapewatch replay FILE.csv`. */
  csv: CsvMappingSchema.prefault({}),
  /** The FIX 4.4 drop-copy acceptor (`tapewatch serve --fix-port`) and FIX log replay. */
  fix: FixConfigSchema.prefault({}),
  /** Uniswap v2/v3 pools and the optional poller of the user's own node (`tapewatch serve` starts it when `rpc` is set). */
  dex: DexConfigSchema.prefault({}),
  /** Public websocket feeds of centralised venues; `tapewatch serve` connects every one listed. */
  cex: z.array(CexFeedConfigSchema).default([]),
});

/** A validated `ingest:` section. */
export type IngestConfig = z.output<typeof IngestConfigSchema>;
