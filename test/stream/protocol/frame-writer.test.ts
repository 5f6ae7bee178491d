import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { CHUNK_HEADER_SIZE, CommandKey, OffsetType, ResponseCode, SERVER_COMMAND_VERSIONS } from '../../../src/stream/protocol/constants.js';
import { DATA_COPY_THRESHOLD, FrameWriter, SLAB_SIZE } from '../../../src/stream/protocol/frame-writer.js';
import { parseFrames, type ParsedFrame } from './server-frames.js';

function written(w: FrameWriter): Buffer {
  const out = w.take();
  return out === null ? Buffer.alloc(0) : Buffer.concat(out);
}

function only(w: FrameWriter): ParsedFrame {
  const frames = parseFrames(written(w));
  assert.equal(frames.length, 1);
  return frames[0]!;
}

/** key, version, correlation id, response code: what every response starts with. */
function response(f: ParsedFrame, key: number): { correlationId: number; code: number } {
  assert.equal(f.key, key | 0x8000);
  assert.equal(f.version, 1);
  return { correlationId: f.c.u32(), code: f.c.u16() };
}

function chunkHeader(entries: number, dataLength: number): Buffer {
  const h = Buffer.alloc(CHUNK_HEADER_SIZE);
  h[0] = 0x50;
  h[1] = 0;
  h.writeUInt16BE(entries, 2);
  h.writeUInt32BE(entries, 4);
  h.writeBigInt64BE(1_700_000_000_000n, 8);
  h.writeBigUInt64BE(1n, 16);
  h.writeBigUInt64BE(100n, 24);
  h.writeUInt32BE(0xdeadbeef, 32);
  h.writeUInt32BE(dataLength, 36);
  return h;
}

describe('FrameWriter: encodings', () => {
  it('Tune: request key, no correlation id (hand-built bytes)', () => {
    const w = new FrameWriter();
    w.tune(1_048_576, 60);
    assert.equal(written(w).toString('hex'), '0000000c' + '0014' + '0001' + '00100000' + '0000003c');
  });

  it('Heartbeat (hand-built bytes)', () => {
    const w = new FrameWriter();
    w.heartbeat();
    assert.equal(written(w).toString('hex'), '00000004' + '0017' + '0001');
  });

  it('plain responses', () => {
    for (const key of [CommandKey.DeclarePublisher, CommandKey.Subscribe, CommandKey.Close, CommandKey.DeleteSuperStream, CommandKey.SaslAuthenticate]) {
      const w = new FrameWriter();
      w.response(key, 0xfffffffe, ResponseCode.STREAM_DOES_NOT_EXIST);
      const f = only(w);
      assert.deepEqual(response(f, key), { correlationId: 0xfffffffe, code: 2 });
      assert.equal(f.c.left, 0);
    }
  });

  it('PeerPropertiesResponse, SaslHandshakeResponse', () => {
    const w = new FrameWriter();
    w.peerPropertiesResponse(1, ResponseCode.OK, { product: 'Warren', version: '0.1.0', 'é': 'ü' });
    w.saslHandshakeResponse(2, ResponseCode.OK, ['PLAIN', 'AMQPLAIN']);
    const [a, b] = parseFrames(written(w));
    assert.deepEqual(response(a!, CommandKey.PeerProperties), { correlationId: 1, code: 1 });
    assert.deepEqual(a!.c.map(), { product: 'Warren', version: '0.1.0', 'é': 'ü' });
    assert.deepEqual(response(b!, CommandKey.SaslHandshake), { correlationId: 2, code: 1 });
    assert.deepEqual(b!.c.strings(), ['PLAIN', 'AMQPLAIN']);
    assert.equal(a!.c.left + b!.c.left, 0);
  });

  it('SaslAuthenticateResponse: the challenge as bytes, left out when empty', () => {
    const w = new FrameWriter();
    w.saslAuthenticateResponse(1, ResponseCode.OK);
    w.saslAuthenticateResponse(2, ResponseCode.SASL_CHALLENGE, Buffer.from('nonce'));
    const [a, b] = parseFrames(written(w));
    response(a!, CommandKey.SaslAuthenticate);
    assert.equal(a!.c.left, 0);
    assert.deepEqual(response(b!, CommandKey.SaslAuthenticate), { correlationId: 2, code: 10 });
    assert.equal(b!.c.u32(), 5);
    assert.equal(b!.c.raw(5).toString(), 'nonce');
  });

  it('OpenResponse: properties on success, none when null, a count of 0 when empty (the JS client reads it)', () => {
    const w = new FrameWriter();
    w.openResponse(1, ResponseCode.OK, { advertised_host: 'localhost', advertised_port: '5552' });
    w.openResponse(2, ResponseCode.VHOST_ACCESS_FAILURE, null);
    w.openResponse(3, ResponseCode.OK, {});
    const [a, b, c] = parseFrames(written(w));
    response(a!, CommandKey.Open);
    assert.deepEqual(a!.c.map(), { advertised_host: 'localhost', advertised_port: '5552' });
    assert.deepEqual(response(b!, CommandKey.Open), { correlationId: 2, code: 12 });
    assert.equal(b!.c.left, 0);
    response(c!, CommandKey.Open);
    assert.deepEqual(c!.c.map(), {});
    assert.equal(c!.c.left, 0);
  });

  it('Close from the server', () => {
    const w = new FrameWriter();
    w.close(1, ResponseCode.FRAME_TOO_LARGE, 'frame too large');
    const f = only(w);
    assert.deepEqual([f.key, f.version, f.c.u32(), f.c.u16(), f.c.str(), f.c.left], [CommandKey.Close, 1, 1, 14, 'frame too large', 0]);
  });

  it('PublishConfirm and PublishError, numbers and bigints', () => {
    const w = new FrameWriter();
    w.publishConfirm(3, [1, 2, 2 ** 53 - 1, 2n ** 64n - 1n]);
    w.publishError(4, [7, 8n], ResponseCode.PUBLISHER_DOES_NOT_EXIST);
    w.publishError(5, [9], [ResponseCode.PRECONDITION_FAILED]);
    const [a, b, c] = parseFrames(written(w));
    assert.deepEqual([a!.key, a!.c.u8(), a!.c.u32()], [CommandKey.PublishConfirm, 3, 4]);
    assert.deepEqual([a!.c.u64(), a!.c.u64(), a!.c.u64(), a!.c.u64(), a!.c.left], [1n, 2n, 2n ** 53n - 1n, 2n ** 64n - 1n, 0]);
    assert.deepEqual([b!.key, b!.c.u8(), b!.c.u32(), b!.c.u64(), b!.c.u16(), b!.c.u64(), b!.c.u16(), b!.c.left], [4, 4, 2, 7n, 18, 8n, 18, 0]);
    assert.deepEqual([c!.c.u8(), c!.c.u32(), c!.c.u64(), c!.c.u16()], [5, 1, 9n, 17]);
  });

  it('responses with a number: QueryPublisherSequence, QueryOffset, ResolveOffsetSpec', () => {
    const w = new FrameWriter();
    w.queryPublisherSequenceResponse(1, ResponseCode.OK, 41);
    w.queryOffsetResponse(2, ResponseCode.NO_OFFSET, 0);
    w.resolveOffsetSpecResponse(3, ResponseCode.OK, OffsetType.Offset, 2n ** 60n);
    const [a, b, c] = parseFrames(written(w));
    assert.deepEqual([response(a!, CommandKey.QueryPublisherSequence).code, a!.c.u64()], [1, 41n]);
    assert.deepEqual([response(b!, CommandKey.QueryOffset).code, b!.c.u64()], [19, 0n]);
    assert.deepEqual([response(c!, CommandKey.ResolveOffsetSpec).code, c!.c.u16(), c!.c.u64(), c!.c.left], [1, 4, 2n ** 60n, 0]);
  });

  it('MetadataResponse and MetadataUpdate', () => {
    const w = new FrameWriter();
    w.metadataResponse(
      9,
      [
        { reference: 0, host: 'node-a', port: 5552 },
        { reference: 1, host: 'node-b', port: 5553 },
      ],
      [
        { stream: 'invoices', responseCode: ResponseCode.OK, leaderReference: 0, replicaReferences: [1] },
        { stream: 'gone', responseCode: ResponseCode.STREAM_DOES_NOT_EXIST, leaderReference: -1, replicaReferences: [] },
      ],
    );
    w.metadataUpdate(ResponseCode.STREAM_NOT_AVAILABLE, 'invoices');
    const [a, b] = parseFrames(written(w));
    const c = a!.c;
    assert.deepEqual([a!.key, c.u32(), c.u32()], [0x800f, 9, 2]);
    assert.deepEqual([c.u16(), c.str(), c.u32(), c.u16(), c.str(), c.u32()], [0, 'node-a', 5552, 1, 'node-b', 5553]);
    assert.equal(c.u32(), 2);
    assert.deepEqual([c.str(), c.u16(), c.u16(), c.u32(), c.u16()], ['invoices', 1, 0, 1, 1]);
    assert.deepEqual([c.str(), c.u16(), c.u16(), c.u32(), c.left], ['gone', 2, 0xffff, 0, 0]);
    assert.deepEqual([b!.key, b!.c.u16(), b!.c.str(), b!.c.left], [CommandKey.MetadataUpdate, 6, 'invoices', 0]);
  });

  it('CreditResponse: no correlation id', () => {
    const w = new FrameWriter();
    w.creditResponse(ResponseCode.SUBSCRIPTION_ID_DOES_NOT_EXIST, 7);
    assert.equal(written(w).toString('hex'), '00000007' + '8009' + '0001' + '0004' + '07');
  });

  it('RouteResponse, PartitionsResponse', () => {
    const w = new FrameWriter();
    w.routeResponse(1, ResponseCode.OK, ['orders-1']);
    w.partitionsResponse(2, ResponseCode.OK, ['orders-0', 'orders-1', 'orders-2']);
    const [a, b] = parseFrames(written(w));
    assert.deepEqual([response(a!, CommandKey.Route).correlationId, a!.c.strings()], [1, ['orders-1']]);
    assert.deepEqual([response(b!, CommandKey.Partitions).correlationId, b!.c.strings()], [2, ['orders-0', 'orders-1', 'orders-2']]);
  });

  it('ExchangeCommandVersionsResponse with RabbitMQ\'s list', () => {
    const w = new FrameWriter();
    w.exchangeCommandVersionsResponse(1, ResponseCode.OK, SERVER_COMMAND_VERSIONS);
    const f = only(w);
    response(f, CommandKey.ExchangeCommandVersions);
    const n = f.c.u32();
    const got = Array.from({ length: n }, () => ({ key: f.c.u16(), minVersion: f.c.u16(), maxVersion: f.c.u16() }));
    assert.deepEqual(got, SERVER_COMMAND_VERSIONS);
    assert.deepEqual(
      got.find((v) => v.key === CommandKey.Publish),
      { key: CommandKey.Publish, minVersion: 1, maxVersion: 2 },
    );
  });

  it('StreamStatsResponse: int64 values', () => {
    const w = new FrameWriter();
    w.streamStatsResponse(1, ResponseCode.OK, { first_chunk_id: 0, committed_chunk_id: -1, last_chunk_id: 2n ** 62n });
    const f = only(w);
    response(f, CommandKey.StreamStats);
    assert.equal(f.c.u32(), 3);
    assert.deepEqual(
      [f.c.str(), f.c.i64(), f.c.str(), f.c.i64(), f.c.str(), f.c.i64()],
      ['first_chunk_id', 0n, 'committed_chunk_id', -1n, 'last_chunk_id', 2n ** 62n],
    );
  });

  it('ConsumerUpdate (the server\'s request)', () => {
    const w = new FrameWriter();
    w.consumerUpdate(77, 3, true);
    w.consumerUpdate(78, 3, false);
    assert.equal(written(w).toString('hex'), '0000000a001a00010000004d0301' + '0000000a001a00010000004e0300');
  });
});

describe('FrameWriter: Deliver', () => {
  it('v1: size, key, version, subscription id, then the chunk', () => {
    const w = new FrameWriter();
    const data = Buffer.alloc(100, 0xab);
    const header = chunkHeader(3, data.length);
    w.deliver(5, null, header, data);
    const f = only(w);
    assert.deepEqual([f.key, f.version, f.c.u8()], [CommandKey.Deliver, 1, 5]);
    assert.deepEqual(f.c.raw(CHUNK_HEADER_SIZE), header);
    assert.deepEqual(f.c.raw(f.c.left), data);
  });

  it('v2: the committed chunk id after the subscription id', () => {
    const w = new FrameWriter();
    const data = Buffer.alloc(10, 1);
    w.deliver(6, 2n ** 63n, chunkHeader(1, 10), data);
    const f = only(w);
    assert.deepEqual([f.key, f.version, f.c.u8(), f.c.u64()], [CommandKey.Deliver, 2, 6, 2n ** 63n]);
    assert.equal(f.c.left, CHUNK_HEADER_SIZE + 10);
  });

  it('queues big chunk data by reference, copies small data into the slab', () => {
    const w = new FrameWriter();
    const big = Buffer.alloc(DATA_COPY_THRESHOLD, 2);
    const small = Buffer.alloc(DATA_COPY_THRESHOLD - 1, 3);
    w.deliver(1, null, chunkHeader(1, big.length), big);
    w.deliver(1, 5, chunkHeader(1, small.length), small);
    w.heartbeat();
    const out = w.take()!;
    assert.equal(out.length, 3, 'prefix+header | data by reference | next deliver, heartbeat in one slab region');
    assert.equal(out[1], big, 'the very buffer, not a copy');
    const frames = parseFrames(Buffer.concat(out));
    assert.deepEqual(
      frames.map((f) => [f.key, f.version]),
      [
        [8, 1],
        [8, 2],
        [0x17, 1],
      ],
    );
  });

  it('refuses a header that is not 48 bytes (a bug on our side), queuing nothing', () => {
    const w = new FrameWriter();
    assert.throws(() => w.deliver(1, null, Buffer.alloc(56), Buffer.alloc(1)), RangeError);
    assert.equal(w.take(), null);
  });
});

describe('FrameWriter: batching', () => {
  it('many small frames come out as one buffer', () => {
    const w = new FrameWriter();
    for (let i = 0; i < 100; i++) w.publishConfirm(1, [i]);
    const out = w.take()!;
    assert.equal(out.length, 1);
    assert.equal(parseFrames(out[0]!).length, 100);
    assert.equal(w.pendingBytes, 0);
    assert.equal(w.take(), null);
  });

  it('writers sharing the slab keep their frames apart and in order', () => {
    const a = new FrameWriter();
    const b = new FrameWriter();
    for (let i = 0; i < 50; i++) {
      a.publishConfirm(1, [i]);
      b.publishConfirm(2, [i]);
      if (i % 7 === 0) b.heartbeat();
    }
    const fa = parseFrames(written(a));
    const fb = parseFrames(written(b));
    assert.deepEqual(
      fa.map((f) => [f.c.u8(), f.c.u32(), Number(f.c.u64())]),
      Array.from({ length: 50 }, (_, i) => [1, 1, i]),
    );
    assert.equal(fb.filter((f) => f.key === CommandKey.PublishConfirm).length, 50);
    assert.equal(fb.filter((f) => f.key === CommandKey.Heartbeat).length, 8);
  });

  it('buffers from take() stay valid while later frames fill and replace the slab', () => {
    const w = new FrameWriter();
    w.publishConfirm(9, [123]);
    const first = w.take()!;
    const copy = Buffer.concat(first);
    for (let i = 0; i < (3 * SLAB_SIZE) / 20; i++) w.publishConfirm(1, [i]);
    w.take();
    assert.deepEqual(Buffer.concat(first), copy);
  });

  it('a frame bigger than the slab gets a slab of its own', () => {
    const w = new FrameWriter();
    const streams = Array.from({ length: 5000 }, (_, i) => `stream-${i}-${'x'.repeat(10)}`);
    w.partitionsResponse(1, ResponseCode.OK, streams);
    const f = only(w);
    response(f, CommandKey.Partitions);
    assert.deepEqual(f.c.strings(), streams);
  });

  it('an encoding error (a bug on our side) is a RangeError and queues nothing', () => {
    const w = new FrameWriter();
    assert.throws(() => w.close(1, 1, 'x'.repeat(40_000)), RangeError);
    assert.throws(() => w.publishConfirm(1, [-1]), RangeError);
    assert.throws(() => w.publishConfirm(1, [2n ** 64n]), RangeError);
    assert.throws(() => w.publishError(1, [1, 2], [1]), RangeError);
    assert.equal(w.take(), null);
    w.heartbeat();
    assert.equal(parseFrames(written(w)).length, 1);
  });
});
