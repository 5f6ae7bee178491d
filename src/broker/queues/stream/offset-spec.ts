import type { FieldTable, FieldValue } from '../../../amqp/field-table.js';
import { kindOf } from '../arguments.js';
import { maxAgeMs } from './max-age.js';
import type { StreamStore } from './stream-store.js';

/**
 * Where a reader starts in a stream, as x-stream-offset (AMQP 0-9-1) or the stream
 * protocol's offset specification names it.
 */
export type OffsetSpec =
  | { readonly kind: 'first' }
  /** The start of the last chunk of messages. */
  | { readonly kind: 'last' }
  /** What is published from now on (the default). */
  | { readonly kind: 'next' }
  | { readonly kind: 'offset'; readonly offset: number }
  /** The first chunk written at or after `ms` (epoch ms). */
  | { readonly kind: 'timestamp'; readonly ms: number }
  /** Beyond RabbitMQ: a negative x-stream-offset, the last `count` records. */
  | { readonly kind: 'lastRecords'; readonly count: number };

export const NEXT: OffsetSpec = { kind: 'next' };

/**
 * x-stream-offset as RabbitMQ reads it (rabbit_stream_queue:parse_offset_arg): "first",
 * "last", "next", an integer offset, an AMQP timestamp (seconds), or an interval string
 * ("1h": from an hour ago). Returns the spec, or RabbitMQ's error term for anything else;
 * where RabbitMQ would take a boolean or a float and crash the channel later, this says so.
 */
export function parseStreamOffset(args: FieldTable, now = Date.now()): OffsetSpec | { problem: string } {
  const value: FieldValue | undefined = args['x-stream-offset'];
  if (value === undefined) return NEXT;
  if (value === 'first' || value === 'last' || value === 'next') return { kind: value };
  if (value instanceof Date) return { kind: 'timestamp', ms: value.getTime() };
  if (typeof value === 'string') {
    const ms = maxAgeMs(value);
    return ms === undefined ? { problem: `{invalid_stream_offset_arg,{longstr,<<"${value}">>}}` } : { kind: 'timestamp', ms: now - ms };
  }
  if ((typeof value === 'number' && Number.isInteger(value)) || typeof value === 'bigint') {
    const offset = Number(value);
    return offset < 0 ? { kind: 'lastRecords', count: -offset } : { kind: 'offset', offset };
  }
  const kind = kindOf(value, args, 'x-stream-offset');
  return { problem: `{invalid_stream_offset_arg,{${kind},${String(value)}}}` };
}

/** The offset a spec stands for in this stream now (a cursor clamps it into the stream). */
export function resolveOffset(spec: OffsetSpec, store: StreamStore): number {
  switch (spec.kind) {
    case 'first':
      return store.firstOffset;
    case 'last':
      return store.lastUserChunkId >= 0 ? store.lastUserChunkId : store.committedOffset;
    case 'next':
      return store.committedOffset;
    case 'offset':
      return spec.offset;
    case 'timestamp':
      return store.offsetAtTimestamp(spec.ms);
    case 'lastRecords':
      return Math.max(store.firstOffset, store.committedOffset - spec.count);
  }
}
