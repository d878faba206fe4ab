/**
 * The column mapping of CSV replay (`ingest.csv` in tapewatch.yaml): which column holds
 * which event field, fixed values for fields a file does not have, the unit of the
 * timestamp column and how a venue spells sides and kinds.
 *
 * @module
 */
import { z } from 'zod';
import { EVENT_KINDS, SideSchema } from '../../core/events';

/** Every event field a CSV column can feed. */
export const CSV_EVENT_FIELDS = [
  'kind',
  'ts',
  'venue',
  'instrument',
  'seq',
  'orderId',
  'account',
  'side',
  'price',
  'qty',
  'type',
  'tradeId',
  'aggressor',
  'buyAccount',
  'sellAccount',
  'buyOrderId',
  'sellOrderId',
  'txHash',
  'block',
  'logIndex',
  'bid',
  'bidQty',
  'ask',
  'askQty',
] as const;

/** A field name of {@link CSV_EVENT_FIELDS}. */
export type CsvEventField = (typeof CSV_EVENT_FIELDS)[number];

/** Fields whose cells are numbers. */
export const CSV_NUMERIC_FIELDS: ReadonlySet<CsvEventField> = new Set([
  'seq',
  'price',
  'qty',
  'block',
  'logIndex',
  'bid',
  'bidQty',
  'ask',
  'askQty',
]);

const fieldName = z.enum(CSV_EVENT_FIELDS);
/** A column by header name, or by 1-based position when the file has no header. */
const columnRef = z.union([z.string().min(1), z.number().int().positive()]);

/**
 * Schema of `ingest.csv`. Every key is optional; the defaults read a file whose header
 * names the event fields themselves (`kind,ts,venue,instrument,orderId,…`) with
 * microsecond timestamps.
 */
export const CsvMappingSchema = z
  .strictObject({
    /** Field separator: one character. */
    delimiter: z.string().length(1).default(','),
    /** The first record names the columns. Without a header, `columns` must give positions. */
    header: z.boolean().default(true),
    /**
     * Event field → column (header name, or 1-based position). Fields not listed are read
     * from the column of the same name when the header has one.
     */
    columns: z.partialRecord(fieldName, columnRef).default({}),
    /** Event field → a value used for every row (`venue: binance`, `kind: trade`). A column wins over a constant. */
    constants: z.partialRecord(fieldName, z.union([z.string(), z.number()])).default({}),
    /**
     * Unit of the `ts` column: `us` (epoch microseconds, tapewatch's own), `ms`, `s` (may
     * carry decimals), `ns` (integer) or `iso` (ISO 8601 with an offset or `Z`, up to
     * microsecond digits).
     */
    timestamp: z.enum(['us', 'ms', 's', 'ns', 'iso']).default('us'),
    /** How the file spells sides (`B: buy`, `S: sell`), for `side` and `aggressor`; matched case-insensitively. */
    sides: z.record(z.string().min(1), SideSchema).default({}),
    /** How the file spells event kinds (`T: trade`, `N: order_new`); matched case-insensitively. */
    kinds: z.record(z.string().min(1), z.enum(EVENT_KINDS)).default({}),
    /** How the file spells order types (`LMT: limit`, `MKT: market`); matched case-insensitively. */
    orderTypes: z.record(z.string().min(1), z.enum(['limit', 'market'])).default({}),
  })
  .superRefine((mapping, ctx) => {
    if (mapping.header) return;
    for (const [field, column] of Object.entries(mapping.columns)) {
      if (typeof column === 'string') {
        ctx.addIssue({
          code: 'custom',
          path: ['columns', field],
          message: `column '${column}' is a name, but header is false: give a 1-based column position`,
        });
      }
    }
  });

/** A validated CSV column mapping, defaults filled in. */
export type CsvMapping = z.output<typeof CsvMappingSchema>;

/** Input form of {@link CsvMapping} (every key optional). */
export type CsvMappingInput = z.input<typeof CsvMappingSchema>;
