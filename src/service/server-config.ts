/**
 * The `server:` section of tapewatch.yaml: where `tapewatch serve` listens and who may
 * call it.
 *
 * @module
 */
import { z } from 'zod';
import { ROLES } from './auth';

/** One bearer token and its role. The token comes from the file or, better, from an environment variable. */
export const TokenConfigSchema = z
  .strictObject({
    /** Shown in logs and audit entries instead of the token. */
    name: z.string().min(1),
    role: z.enum(ROLES),
    /** The token itself (prefer `tokenEnv`: files get committed). */
    token: z.string().min(16).optional(),
    /** Name of an environment variable holding the token. */
    tokenEnv: z.string().min(1).optional(),
  })
  .refine((t) => (t.token === undefined) !== (t.tokenEnv === undefined), {
    message: 'give exactly one of token or tokenEnv',
  });

/** The `server:` section. */
export const ServerConfigSchema = z.strictObject({
  /** Interface to bind. Loopback by default: exposing the service is a decision. */
  host: z.string().min(1).default('127.0.0.1'),
  /** gRPC port (`tapewatch serve`), 50051 as is customary for gRPC. */
  grpcPort: z.number().int().min(0).max(65535).default(50051),
  /** HTTP port of the gateway and viewer. */
  httpPort: z.number().int().min(0).max(65535).default(8080),
  /** Messages buffered per subscriber before the oldest are dropped; 10k ≈ several seconds of a busy stream. */
  subscriberBufferSize: z.number().int().positive().default(10_000),
  /** Largest ingest batch, in events; larger ones are rejected whole. */
  maxBatchEvents: z.number().int().positive().default(100_000),
  /** Events stamped further ahead of the wall clock than this (ms) are rejected: a broken clock would poison the watermark. */
  maxFutureSkewMs: z.number().positive().default(86_400_000),
  /** Calls per caller (token name): unary calls, stream opens and HTTP requests, not events. */
  rateLimit: z
    .strictObject({
      /** Sustained calls per second per caller. */
      perSecond: z.number().positive().default(200),
      /** Calls at once after being idle. */
      burst: z.number().int().positive().default(400),
    })
    .prefault({}),
  /** TLS for gRPC and HTTP: PEM key and certificate paths. Plaintext when absent. */
  tls: z.strictObject({ keyPath: z.string().min(1), certPath: z.string().min(1) }).optional(),
  /** Bearer tokens. With none, every caller is admin — only allowed on a loopback host. */
  auth: z.strictObject({ tokens: z.array(TokenConfigSchema).default([]) }).prefault({}),
});

/** A validated `server:` section. */
export type ServerConfig = z.output<typeof ServerConfigSchema>;
