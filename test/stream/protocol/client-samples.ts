/**
 * Test-only: one or more frames of every command a client sends, built from
 * PROTOCOL.adoc's layouts with FrameBuilder, each with what decodeCommand must return.
 */
import { CommandKey, OffsetType } from '../../../src/stream/protocol/constants.js';
import { ResponseKey, type ClientCommand, type StringMap } from '../../../src/stream/protocol/decode.js';
import { FrameBuilder } from './builder.js';

export interface Sample {
  name: string;
  frame: Buffer;
  expected: ClientCommand;
  /** A shorter frame can decode too (an optional tail such as Subscribe's properties). */
  optionalTail?: boolean;
}

/** Decoded maps have no prototype: build expectations the same way. */
export function map(fields: Record<string, string>): StringMap {
  return Object.assign(Object.create(null) as StringMap, fields);
}

const b = () => new FrameBuilder();

export const samples: Sample[] = [
  {
    name: 'PeerProperties',
    frame: b().u32(1).map({ product: 'RabbitMQ Stream', version: '0.1', 'connection_name': 'conn-é' }).frame(CommandKey.PeerProperties),
    expected: {
      key: CommandKey.PeerProperties,
      version: 1,
      correlationId: 1,
      properties: map({ product: 'RabbitMQ Stream', version: '0.1', connection_name: 'conn-é' }),
    },
  },
  {
    name: 'PeerProperties, empty',
    frame: b().u32(0xffffffff).map({}).frame(CommandKey.PeerProperties),
    expected: { key: CommandKey.PeerProperties, version: 1, correlationId: 0xffffffff, properties: map({}) },
  },
  {
    name: 'SaslHandshake',
    frame: b().u32(2).frame(CommandKey.SaslHandshake),
    expected: { key: CommandKey.SaslHandshake, version: 1, correlationId: 2 },
  },
  {
    name: 'SaslAuthenticate PLAIN',
    frame: b().u32(3).str('PLAIN').bytes(Buffer.from('\0guest\0guest')).frame(CommandKey.SaslAuthenticate),
    expected: { key: CommandKey.SaslAuthenticate, version: 1, correlationId: 3, mechanism: 'PLAIN', saslData: Buffer.from('\0guest\0guest') },
  },
  {
    name: 'SaslAuthenticate, null data',
    frame: b().u32(3).str('ANONYMOUS').bytes(null).frame(CommandKey.SaslAuthenticate),
    expected: { key: CommandKey.SaslAuthenticate, version: 1, correlationId: 3, mechanism: 'ANONYMOUS', saslData: null },
  },
  {
    name: 'Tune (client reply, request key as the JS client sends it)',
    frame: b().u32(1048576).u32(60).frame(CommandKey.Tune),
    expected: { key: CommandKey.Tune, version: 1, frameMax: 1048576, heartbeat: 60 },
  },
  {
    name: 'Tune (client reply, response key)',
    frame: b().u32(0).u32(0).frame(ResponseKey.Tune),
    expected: { key: CommandKey.Tune, version: 1, frameMax: 0, heartbeat: 0 },
  },
  {
    name: 'Open',
    frame: b().u32(4).str('/').frame(CommandKey.Open),
    expected: { key: CommandKey.Open, version: 1, correlationId: 4, virtualHost: '/' },
  },
  {
    name: 'Close',
    frame: b().u32(5).u16(1).str('OK').frame(CommandKey.Close),
    expected: { key: CommandKey.Close, version: 1, correlationId: 5, closingCode: 1, closingReason: 'OK' },
  },
  {
    name: 'CloseResponse',
    frame: b().u32(6).u16(1).frame(ResponseKey.Close),
    expected: { key: ResponseKey.Close, version: 1, correlationId: 6, responseCode: 1 },
  },
  {
    name: 'Heartbeat',
    frame: b().frame(CommandKey.Heartbeat),
    expected: { key: CommandKey.Heartbeat, version: 1 },
  },
  {
    name: 'DeclarePublisher',
    frame: b().u32(7).u8(255).str('my-app').str('invoices').frame(CommandKey.DeclarePublisher),
    expected: { key: CommandKey.DeclarePublisher, version: 1, correlationId: 7, publisherId: 255, reference: 'my-app', stream: 'invoices' },
  },
  {
    name: 'DeclarePublisher, null reference',
    frame: b().u32(7).u8(0).str(null).str('invoices').frame(CommandKey.DeclarePublisher),
    expected: { key: CommandKey.DeclarePublisher, version: 1, correlationId: 7, publisherId: 0, reference: null, stream: 'invoices' },
  },
  {
    name: 'QueryPublisherSequence',
    frame: b().u32(8).str('my-app').str('invoices').frame(CommandKey.QueryPublisherSequence),
    expected: { key: CommandKey.QueryPublisherSequence, version: 1, correlationId: 8, reference: 'my-app', stream: 'invoices' },
  },
  {
    name: 'DeletePublisher',
    frame: b().u32(9).u8(3).frame(CommandKey.DeletePublisher),
    expected: { key: CommandKey.DeletePublisher, version: 1, correlationId: 9, publisherId: 3 },
  },
  {
    name: 'Subscribe first, with properties',
    frame: b()
      .u32(10)
      .u8(1)
      .str('invoices')
      .u16(OffsetType.First)
      .u16(10)
      .map({ 'single-active-consumer': 'true', name: 'app-1', 'filter.0': 'emea' })
      .frame(CommandKey.Subscribe),
    expected: {
      key: CommandKey.Subscribe,
      version: 1,
      correlationId: 10,
      subscriptionId: 1,
      stream: 'invoices',
      offset: { type: OffsetType.First },
      credit: 10,
      properties: map({ 'single-active-consumer': 'true', name: 'app-1', 'filter.0': 'emea' }),
    },
    optionalTail: true,
  },
  {
    name: 'Subscribe offset, no properties',
    frame: b().u32(11).u8(2).str('s').u16(OffsetType.Offset).u64(2n ** 53n + 1n).u16(65535).frame(CommandKey.Subscribe),
    expected: {
      key: CommandKey.Subscribe,
      version: 1,
      correlationId: 11,
      subscriptionId: 2,
      stream: 's',
      offset: { type: OffsetType.Offset, offset: 2n ** 53n + 1n },
      credit: 65535,
      properties: map({}),
    },
  },
  {
    name: 'Subscribe timestamp, empty properties',
    frame: b().u32(12).u8(3).str('s').u16(OffsetType.Timestamp).i64(1_700_000_000_000).u16(1).map({}).frame(CommandKey.Subscribe),
    expected: {
      key: CommandKey.Subscribe,
      version: 1,
      correlationId: 12,
      subscriptionId: 3,
      stream: 's',
      offset: { type: OffsetType.Timestamp, timestamp: 1_700_000_000_000 },
      credit: 1,
      properties: map({}),
    },
    optionalTail: true,
  },
  {
    name: 'Subscribe next / last',
    frame: b().u32(13).u8(4).str('s').u16(OffsetType.Next).u16(2).frame(CommandKey.Subscribe),
    expected: {
      key: CommandKey.Subscribe,
      version: 1,
      correlationId: 13,
      subscriptionId: 4,
      stream: 's',
      offset: { type: OffsetType.Next },
      credit: 2,
      properties: map({}),
    },
  },
  {
    name: 'Credit',
    frame: b().u8(1).u16(40000).frame(CommandKey.Credit),
    expected: { key: CommandKey.Credit, version: 1, subscriptionId: 1, credit: 40000 },
  },
  {
    name: 'Unsubscribe',
    frame: b().u32(14).u8(1).frame(CommandKey.Unsubscribe),
    expected: { key: CommandKey.Unsubscribe, version: 1, correlationId: 14, subscriptionId: 1 },
  },
  {
    name: 'StoreOffset',
    frame: b().str('app-1').str('invoices').u64(12345).frame(CommandKey.StoreOffset),
    expected: { key: CommandKey.StoreOffset, version: 1, reference: 'app-1', stream: 'invoices', offset: 12345 },
  },
  {
    name: 'QueryOffset',
    frame: b().u32(15).str('app-1').str('invoices').frame(CommandKey.QueryOffset),
    expected: { key: CommandKey.QueryOffset, version: 1, correlationId: 15, reference: 'app-1', stream: 'invoices' },
  },
  {
    name: 'Create',
    frame: b().u32(16).str('invoices').map({ 'max-length-bytes': '1000000', 'queue-leader-locator': 'least-leaders' }).frame(CommandKey.Create),
    expected: {
      key: CommandKey.Create,
      version: 1,
      correlationId: 16,
      stream: 'invoices',
      arguments: map({ 'max-length-bytes': '1000000', 'queue-leader-locator': 'least-leaders' }),
    },
  },
  {
    name: 'Delete',
    frame: b().u32(17).str('invoices').frame(CommandKey.Delete),
    expected: { key: CommandKey.Delete, version: 1, correlationId: 17, stream: 'invoices' },
  },
  {
    name: 'Metadata',
    frame: b().u32(18).strings(['a', 'b', 'ünïcode']).frame(CommandKey.Metadata),
    expected: { key: CommandKey.Metadata, version: 1, correlationId: 18, streams: ['a', 'b', 'ünïcode'] },
  },
  {
    name: 'Route',
    frame: b().u32(19).str('eu.orders').str('orders').frame(CommandKey.Route),
    expected: { key: CommandKey.Route, version: 1, correlationId: 19, routingKey: 'eu.orders', superStream: 'orders' },
  },
  {
    name: 'Partitions',
    frame: b().u32(20).str('orders').frame(CommandKey.Partitions),
    expected: { key: CommandKey.Partitions, version: 1, correlationId: 20, superStream: 'orders' },
  },
  {
    name: 'ExchangeCommandVersions',
    frame: b().u32(21).u32(2).u16(3).u16(1).u16(1).u16(8).u16(1).u16(2).frame(CommandKey.ExchangeCommandVersions),
    expected: {
      key: CommandKey.ExchangeCommandVersions,
      version: 1,
      correlationId: 21,
      commands: [
        { key: CommandKey.PublishConfirm, minVersion: 1, maxVersion: 1 },
        { key: CommandKey.Deliver, minVersion: 1, maxVersion: 2 },
      ],
    },
  },
  {
    name: 'StreamStats',
    frame: b().u32(22).str('invoices').frame(CommandKey.StreamStats),
    expected: { key: CommandKey.StreamStats, version: 1, correlationId: 22, stream: 'invoices' },
  },
  {
    name: 'CreateSuperStream',
    frame: b().u32(23).str('orders').strings(['orders-0', 'orders-1']).strings(['0', '1']).map({ 'max-age': '1h' }).frame(CommandKey.CreateSuperStream),
    expected: {
      key: CommandKey.CreateSuperStream,
      version: 1,
      correlationId: 23,
      name: 'orders',
      partitions: ['orders-0', 'orders-1'],
      bindingKeys: ['0', '1'],
      arguments: map({ 'max-age': '1h' }),
    },
  },
  {
    name: 'DeleteSuperStream',
    frame: b().u32(24).str('orders').frame(CommandKey.DeleteSuperStream),
    expected: { key: CommandKey.DeleteSuperStream, version: 1, correlationId: 24, name: 'orders' },
  },
  {
    name: 'ConsumerUpdateResponse with offset',
    frame: b().u32(25).u16(1).u16(OffsetType.Offset).u64(42).frame(ResponseKey.ConsumerUpdate),
    expected: { key: ResponseKey.ConsumerUpdate, version: 1, correlationId: 25, responseCode: 1, offset: { type: OffsetType.Offset, offset: 42 } },
    optionalTail: true,
  },
  {
    name: 'ConsumerUpdateResponse none',
    frame: b().u32(26).u16(1).u16(OffsetType.None).frame(ResponseKey.ConsumerUpdate),
    expected: { key: ResponseKey.ConsumerUpdate, version: 1, correlationId: 26, responseCode: 1, offset: { type: OffsetType.None } },
    optionalTail: true,
  },
  {
    name: 'ConsumerUpdateResponse, no offset specification',
    frame: b().u32(27).u16(1).frame(ResponseKey.ConsumerUpdate),
    expected: { key: ResponseKey.ConsumerUpdate, version: 1, correlationId: 27, responseCode: 1, offset: null },
  },
  {
    name: 'ResolveOffsetSpec',
    frame: b().u32(28).str('invoices').u16(OffsetType.Timestamp).i64(-5).map({ 'filter.0': 'emea', 'match-unfiltered': 'true' }).frame(CommandKey.ResolveOffsetSpec),
    expected: {
      key: CommandKey.ResolveOffsetSpec,
      version: 1,
      correlationId: 28,
      stream: 'invoices',
      offset: { type: OffsetType.Timestamp, timestamp: -5 },
      properties: map({ 'filter.0': 'emea', 'match-unfiltered': 'true' }),
    },
    optionalTail: true,
  },
  {
    name: 'ResolveOffsetSpec, no properties',
    frame: b().u32(29).str('invoices').u16(OffsetType.Last).frame(CommandKey.ResolveOffsetSpec),
    expected: { key: CommandKey.ResolveOffsetSpec, version: 1, correlationId: 29, stream: 'invoices', offset: { type: OffsetType.Last }, properties: map({}) },
  },
];

export interface PublishedMessage {
  publishingId: number | bigint;
  /** v2 only; undefined in v1. */
  filterValue?: string | null;
  body: Buffer;
  /** A v1 sub-entry batch: body is the (compressed) batch. */
  subBatch?: { compression: number; records: number; uncompressedSize: number };
}

/** A Publish frame, v2 when any message has a filterValue field. */
export function publishFrame(publisherId: number, messages: readonly PublishedMessage[], version?: number): Buffer {
  const v = version ?? (messages.some((m) => m.filterValue !== undefined) ? 2 : 1);
  const f = new FrameBuilder().u8(publisherId).u32(messages.length);
  for (const m of messages) {
    f.u64(m.publishingId);
    if (v === 2) f.str(m.filterValue ?? null);
    if (m.subBatch) {
      f.u8(0x80 | (m.subBatch.compression << 4)).u16(m.subBatch.records).u32(m.subBatch.uncompressedSize).u32(m.body.length).raw(m.body);
    } else {
      f.u32(m.body.length).raw(m.body);
    }
  }
  return f.frame(CommandKey.Publish, v);
}
