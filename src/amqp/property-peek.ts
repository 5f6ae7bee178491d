/**
 * Reads single basic properties straight from a raw content-header payload without
 * decoding the rest: the hot path needs only delivery-mode (is it persistent?) and
 * whether a rarely used property is present at all.
 *
 * Payload layout: class-id u16, weight u16, body-size u64, property-flags u16, values.
 * Property bits (first property = bit 15): content-type 15, content-encoding 14,
 * headers 13, delivery-mode 12, priority 11, correlation-id 10, reply-to 9,
 * expiration 8, message-id 7, timestamp 6, type 5, user-id 4, app-id 3, cluster-id 2.
 */
export const PropertyFlag = {
  ContentType: 0x8000,
  ContentEncoding: 0x4000,
  Headers: 0x2000,
  DeliveryMode: 0x1000,
  Priority: 0x0800,
  CorrelationId: 0x0400,
  ReplyTo: 0x0200,
  Expiration: 0x0100,
  MessageId: 0x0080,
  Timestamp: 0x0040,
  Type: 0x0020,
  UserId: 0x0010,
  AppId: 0x0008,
  ClusterId: 0x0004,
} as const;

const FLAGS_OFFSET = 12;
const VALUES_OFFSET = 14;

export function propertyFlags(header: Buffer): number {
  return header.length >= VALUES_OFFSET ? header.readUInt16BE(FLAGS_OFFSET) : 0;
}

/** Delivery mode (2 = persistent), or 0 when absent. Throws RangeError on a truncated header. */
export function peekDeliveryMode(header: Buffer): number {
  const flags = propertyFlags(header);
  if ((flags & PropertyFlag.DeliveryMode) === 0) return 0;
  let pos = VALUES_OFFSET;
  if (flags & PropertyFlag.ContentType) pos += 1 + header[pos];
  if (flags & PropertyFlag.ContentEncoding) pos += 1 + header[pos];
  if (flags & PropertyFlag.Headers) pos += 4 + header.readUInt32BE(pos);
  if (pos >= header.length) throw new RangeError('content header truncated before delivery-mode');
  return header[pos];
}
