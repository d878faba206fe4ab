/**
 * The `ingest.fix` section of tapewatch.yaml: the drop-copy acceptor.
 *
 * @module
 */
import { z } from 'zod';
import { DEFAULT_ACCOUNT_PARTY_ROLES } from './fix-mapper';

const compId = z
  .string()
  .min(1)
  .max(64)
  .regex(/^[\x21-\x7e]+$/, 'printable ASCII without spaces');

/** Schema of `ingest.fix`. */
export const FixConfigSchema = z.strictObject({
  /** Interface to bind. Loopback by default: a drop copy is usually tunnelled or on a private link. */
  host: z.string().min(1).default('127.0.0.1'),
  /** TCP port (`tapewatch serve --fix-port` overrides; 0 picks a free one). */
  port: z.number().int().min(0).max(65535).default(9878),
  /** Our CompID: the peer's TargetCompID (56). */
  senderCompId: compId.default('TAPEWATCH'),
  /** The peer's CompID: its SenderCompID (49). Logons from any other CompID are refused. */
  targetCompId: compId.default('VENUE'),
  /** `venue` of every event from this session. */
  venue: z.string().min(1).default('fix'),
  /**
   * Heartbeat interval we ask for, seconds. At least 30: during a burst of executions a
   * short interval makes either side send test requests and take a busy peer for a dead one.
   */
  heartBtIntSecs: z.number().int().min(30).max(3600).default(30),
  /** Directory of the durable session store (sequence numbers and open gaps). */
  storeDir: z.string().min(1).default('.tapewatch/fix'),
  /** Group commit: the longest an update to the session store waits before it is fsynced, ms. */
  syncIntervalMs: z.number().int().min(1).max(10_000).default(20),
  /** Data dictionary: a jspurefix dictionary name (`qf44` = QuickFIX's FIX44.xml) or a path. */
  dictionary: z.string().min(1).default('qf44'),
  /** PartyRole (452) values whose PartyID (448) is taken as the account when Account (1) is absent, in order. */
  accountPartyRoles: z
    .array(z.number().int().nonnegative())
    .min(1)
    .default([...DEFAULT_ACCOUNT_PARTY_ROLES]),
  /** How many recent ExecIDs are remembered to drop resent duplicates. */
  dedupCapacity: z.number().int().min(1000).max(50_000_000).default(1_000_000),
  /** Append every message in and out to this file (one message per line, `|` for SOH); replay it with `tapewatch replay FILE.fixlog`. */
  logFile: z.string().min(1).optional(),
});

/** A validated `ingest.fix` section. */
export type FixConfig = z.output<typeof FixConfigSchema>;
/** Input form of {@link FixConfig}. */
export type FixConfigInput = z.input<typeof FixConfigSchema>;

/** True when `file` looks like a FIX log by its name (`.fixlog`, `.fix`). */
export function isFixLogFile(file: string): boolean {
  const lower = file.toLowerCase();
  return lower.endsWith('.fixlog') || lower.endsWith('.fix');
}
