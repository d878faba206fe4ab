/**
 * Tolerant decoding of ingest batches. The generated decoder throws on the first bad byte
 * (a truncated message, a timestamp beyond 2^53), and gRPC would then end the whole
 * stream. Here the batch envelope is read field by field and each event decoded on its
 * own, so one bad event becomes one rejected event and the stream stays up.
 *
 * @module
 */
import { BinaryReader, WireType } from '@bufbuild/protobuf/wire';
import { Event, EventBatch } from './gen/tapewatch/v1/events';

/** An event that could not be decoded at all. */
export interface UndecodableEvent {
  undecodable: string;
}

/** A batch as far as it could be decoded. */
export interface DecodedBatch {
  source: string;
  sequence: number;
  events: (Event | UndecodableEvent)[];
  /** Set when the envelope itself is broken; `events` then holds what came before the break. */
  error?: string;
}

/**
 * Protobuf strings must be UTF-8. The default reader would quietly turn bad bytes into
 * U+FFFD and let a mangled instrument name through; this one refuses them.
 */
const strictUtf8Decoder = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true });
function strictUtf8(bytes: Uint8Array): string {
  try {
    return strictUtf8Decoder.decode(bytes);
  } catch {
    throw new Error('a string field is not valid UTF-8');
  }
}

const FIELD_SOURCE = 1;
const FIELD_SEQUENCE = 2;
const FIELD_EVENTS = 3;

/** Decodes an `EventBatch`, never throwing. */
export function decodeEventBatch(bytes: Uint8Array): DecodedBatch {
  const batch: DecodedBatch = { source: '', sequence: 0, events: [] };
  const reader = new BinaryReader(bytes, strictUtf8);
  try {
    while (reader.pos < reader.len) {
      const [field, wireType] = reader.tag();
      if (field === FIELD_SOURCE && wireType === WireType.LengthDelimited) {
        batch.source = reader.string();
      } else if (field === FIELD_SEQUENCE && wireType === WireType.Varint) {
        const sequence = Number(reader.uint64());
        if (!Number.isSafeInteger(sequence)) {
          batch.error = `sequence ${sequence} is beyond the largest safe integer`;
          return batch;
        }
        batch.sequence = sequence;
      } else if (field === FIELD_EVENTS && wireType === WireType.LengthDelimited) {
        const eventBytes = reader.bytes();
        try {
          batch.events.push(Event.decode(new BinaryReader(eventBytes, strictUtf8)));
        } catch (error) {
          batch.events.push({ undecodable: (error as Error).message });
        }
      } else {
        reader.skip(wireType, field);
      }
    }
  } catch (error) {
    batch.error = `malformed batch: ${(error as Error).message}`;
  }
  return batch;
}

/** Encodes a batch (the client side uses the generated encoder directly). */
export function encodeEventBatch(batch: EventBatch): Uint8Array {
  return EventBatch.encode(batch).finish();
}

/** True for the placeholder of an event that could not be decoded. */
export function isUndecodable(e: Event | UndecodableEvent): e is UndecodableEvent {
  return (e as UndecodableEvent).undecodable !== undefined;
}
