import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ByteReader } from '../../src/amqp/byte-reader.js';
import { decodeContentHeader, encodeContentHeader } from '../../src/amqp/content.js';
import { FrameReader, type FrameHandler } from '../../src/amqp/frame-reader.js';
import { BODY_COPY_THRESHOLD, FrameWriter, SLAB_SIZE } from '../../src/amqp/frame-writer.js';
import { decodeMethod, MethodId, PROTOCOL_HEADER, type BasicProperties, type Method } from '../../src/amqp/spec.generated.js';
import { hex, prng, table } from './helpers.js';

interface Parsed {
  type: 'method' | 'header' | 'body' | 'heartbeat';
  channel: number;
  payload: Buffer;
}

/** Parses what a writer produced back into frames with the real FrameReader. */
function parse(chunks: Buffer[] | null, frameMax: number): Parsed[] {
  const out: Parsed[] = [];
  const push = (type: Parsed['type']) => (channel: number, buf: Buffer, start: number, end: number) =>
    out.push({ type, channel, payload: Buffer.from(buf.subarray(start, end)) });
  const handler: FrameHandler = {
    onProtocolHeader: () => {},
    onMethod: push('method'),
    onHeader: push('header'),
    onBody: push('body'),
    onHeartbeat: (channel) => out.push({ type: 'heartbeat', channel, payload: Buffer.alloc(0) }),
  };
  // No slack when checking our own output: we must respect frame-max exactly.
  const reader = new FrameReader(handler, frameMax - 8);
  reader.push(PROTOCOL_HEADER);
  // One buffer, so that every frame arrives whole (a split body frame would come in pieces).
  reader.push(Buffer.concat(chunks ?? []));
  return out;
}

const deliver: Method = {
  id: MethodId.BasicDeliver,
  consumerTag: 'amq.ctag-1',
  deliveryTag: 42,
  redelivered: false,
  exchange: 'amq.direct',
  routingKey: 'orders',
};

function randomBytes(n: number, seed: number): Buffer {
  const rand = prng(seed);
  return Buffer.from(Array.from({ length: n }, () => Math.floor(rand() * 256)));
}

describe('FrameWriter', () => {
  it('writes method, header and body frames that parse back', () => {
    const w = new FrameWriter(4096);
    const props: BasicProperties = { contentType: 'text/plain', headers: table({ a: 1 }), deliveryMode: 2 };
    w.method(3, deliver);
    w.contentHeader(3, 60, 5, props);
    w.body(3, Buffer.from('hello'), 5);
    w.heartbeat();
    const frames = parse(w.take(), 4096);
    assert.deepEqual(
      frames.map((f) => [f.type, f.channel]),
      [
        ['method', 3],
        ['header', 3],
        ['body', 3],
        ['heartbeat', 0],
      ],
    );
    assert.deepStrictEqual(decodeMethod(new ByteReader(frames[0]!.payload, 0, frames[0]!.payload.length)), deliver);
    assert.deepStrictEqual(decodeContentHeader(frames[1]!.payload, 0, frames[1]!.payload.length), { classId: 60, bodySize: 5, properties: props });
    assert.equal(frames[2]!.payload.toString(), 'hello');
  });

  it('writes exact bytes for a heartbeat and a small method', () => {
    const w = new FrameWriter(4096);
    w.heartbeat();
    w.method(1, { id: MethodId.BasicAck, deliveryTag: 1, multiple: true });
    const out = w.take()!;
    assert.equal(out.length, 1, 'consecutive slab writes come out as one buffer');
    assert.deepEqual(out[0], hex('08 0000 00000000 ce   01 0001 0000000d 003c0050 0000000000000001 01 ce'));
  });

  it('forwards a raw content header payload unchanged', () => {
    const payload = encodeContentHeader(60, 3, { messageId: 'm', priority: 4 });
    for (const p of [payload, Buffer.concat([payload.subarray(0, 12), Buffer.from([0, 0]), Buffer.alloc(BODY_COPY_THRESHOLD)])]) {
      const w = new FrameWriter(131072);
      w.contentHeaderRaw(7, p);
      const [frame] = parse(w.take(), 131072);
      assert.equal(frame!.type, 'header');
      assert.equal(frame!.channel, 7);
      assert.deepEqual(frame!.payload, p);
    }
  });

  const FRAME_MAX = 4096;
  const MAX_PAYLOAD = FRAME_MAX - 8;
  const cases: [string, number, number[]][] = [
    ['empty', 0, []],
    ['one byte', 1, [1]],
    ['exactly frameMax - 8', MAX_PAYLOAD, [MAX_PAYLOAD]],
    ['frameMax - 8 + 1', MAX_PAYLOAD + 1, [MAX_PAYLOAD, 1]],
    ['three full frames', 3 * MAX_PAYLOAD, [MAX_PAYLOAD, MAX_PAYLOAD, MAX_PAYLOAD]],
    ['large', 10 * MAX_PAYLOAD + 17, [...Array<number>(10).fill(MAX_PAYLOAD), 17]],
  ];
  for (const [name, size, frameSizes] of cases) {
    it(`splits a body into frames of at most frameMax - 8: ${name}`, () => {
      const body = randomBytes(size, size);
      const w = new FrameWriter(FRAME_MAX);
      w.body(1, body, size);
      const frames = parse(w.take(), FRAME_MAX);
      assert.deepEqual(
        frames.map((f) => f.payload.length),
        frameSizes,
      );
      assert.ok(frames.every((f) => f.type === 'body' && f.channel === 1));
      assert.deepEqual(Buffer.concat(frames.map((f) => f.payload)), body);
    });
  }

  it('splits multi-buffer bodies with frames spanning buffers', () => {
    const rand = prng(3);
    for (let round = 0; round < 200; round++) {
      const parts: Buffer[] = [];
      const n = 1 + Math.floor(rand() * 6);
      for (let i = 0; i < n; i++) parts.push(randomBytes(Math.floor(rand() * (rand() < 0.3 ? 9000 : 300)), round * 10 + i));
      const body = Buffer.concat(parts);
      const frameMax = rand() < 0.5 ? 4096 : 4096 + Math.floor(rand() * 5000);
      const w = new FrameWriter(frameMax);
      w.body(2, parts, body.length);
      const frames = parse(w.take(), frameMax);
      const max = frameMax - 8;
      const expected = body.length === 0 ? [] : [...Array<number>(Math.floor((body.length - 1) / max)).fill(max), ((body.length - 1) % max) + 1];
      assert.deepEqual(
        frames.map((f) => f.payload.length),
        expected,
        `round ${round}`,
      );
      assert.deepEqual(Buffer.concat(frames.map((f) => f.payload)), body);
    }
  });

  it('refuses a body whose size does not match bodySize, before queuing anything', () => {
    const w = new FrameWriter(4096);
    assert.throws(() => w.body(1, Buffer.alloc(3), 4), RangeError);
    assert.throws(() => w.body(1, [Buffer.alloc(3), Buffer.alloc(3)], 5), RangeError);
    assert.throws(() => w.body(1, [Buffer.alloc(3)], 4), RangeError);
    assert.equal(w.take(), null);
  });

  it('passes large body slices by reference and copies small ones', () => {
    const w = new FrameWriter(131072);
    const big = Buffer.alloc(BODY_COPY_THRESHOLD, 1);
    const small = Buffer.alloc(BODY_COPY_THRESHOLD - 1, 2);
    w.body(1, big, big.length);
    w.body(1, small, small.length);
    const out = w.take()!;
    // [frame header] [big, by reference] [end + next header + small copy + end]
    assert.equal(out.length, 3);
    assert.equal(out[1], big);
    assert.ok(!out.some((b) => b.buffer === small.buffer), 'the small body was copied');
  });

  it('hands out regions that later writes never touch', () => {
    const w = new FrameWriter(131072);
    w.method(1, deliver);
    w.body(1, Buffer.from('first'), 5);
    const first = w.take()!;
    const snapshot = first.map((b) => Buffer.from(b));
    // Write more than a slab's worth, of every kind, then check the first batch.
    for (let i = 0; i < 3000; i++) {
      w.method(1, { ...deliver, deliveryTag: i } as Method);
      w.contentHeader(1, 60, 20, { messageId: `m${i}` });
      w.body(1, randomBytes(20, i), 20);
      w.heartbeat();
      if (i % 500 === 0) w.take();
    }
    w.body(1, Buffer.alloc(SLAB_SIZE * 2), SLAB_SIZE * 2);
    const rest = w.take()!;
    assert.deepEqual(first, snapshot);
    // No two handed-out buffers share bytes.
    const all = [...first, ...rest];
    const ranges = all
      .map((b) => ({ ab: b.buffer, from: b.byteOffset, to: b.byteOffset + b.length }))
      .sort((a, b) => a.from - b.from);
    for (let i = 0; i < ranges.length; i++)
      for (let j = i + 1; j < ranges.length; j++)
        if (ranges[i]!.ab === ranges[j]!.ab) assert.ok(ranges[i]!.to <= ranges[j]!.from || ranges[j]!.to <= ranges[i]!.from, 'regions overlap');
  });

  it('refuses a method with a shortstr over 255 bytes and queues nothing of it', () => {
    const w = new FrameWriter(4096);
    w.heartbeat();
    assert.throws(() => w.method(1, { ...deliver, routingKey: 'é'.repeat(200) } as Method), RangeError);
    assert.throws(() => w.method(1, { ...deliver, routingKey: 'x'.repeat(256) } as Method), RangeError);
    w.method(1, { ...deliver, routingKey: 'é'.repeat(127) } as Method); // 254 bytes: fine
    const frames = parse(w.take(), 4096);
    assert.deepEqual(
      frames.map((f) => f.type),
      ['heartbeat', 'method'],
    );
  });

  it('tracks pendingBytes and returns null when nothing is queued', () => {
    const w = new FrameWriter(4096);
    assert.equal(w.take(), null);
    assert.equal(w.pendingBytes, 0);
    w.heartbeat();
    w.raw(PROTOCOL_HEADER);
    const big = Buffer.alloc(10_000);
    w.body(1, big, big.length);
    assert.equal(w.pendingBytes, 8 + 8 + 10_000 + 3 * 8);
    const out = w.take()!;
    assert.equal(out.reduce((n, b) => n + b.length, 0), 8 + 8 + 10_000 + 3 * 8);
    assert.equal(w.pendingBytes, 0);
    assert.equal(w.take(), null);
  });

  it('keeps frames in order across slabs, by-reference buffers and takes', () => {
    const w = new FrameWriter(4096);
    const expected: Parsed[] = [];
    const rand = prng(11);
    let all: Buffer[] = [];
    for (let i = 0; i < 2000; i++) {
      const r = rand();
      if (r < 0.4) {
        const m = { ...deliver, deliveryTag: i } as Method;
        w.method(i % 5, m);
        expected.push({ type: 'method', channel: i % 5, payload: Buffer.alloc(0) });
      } else if (r < 0.9) {
        const body = randomBytes(Math.floor(rand() * 6000), i);
        w.body(i % 5, body, body.length);
        for (let off = 0; off < body.length; off += 4088)
          expected.push({ type: 'body', channel: i % 5, payload: body.subarray(off, Math.min(body.length, off + 4088)) });
      } else {
        w.heartbeat();
        expected.push({ type: 'heartbeat', channel: 0, payload: Buffer.alloc(0) });
      }
      if (rand() < 0.1) all = all.concat(w.take() ?? []);
    }
    all = all.concat(w.take() ?? []);
    const frames = parse(all, 4096);
    assert.equal(frames.length, expected.length);
    frames.forEach((f, i) => {
      assert.equal(f.type, expected[i]!.type);
      assert.equal(f.channel, expected[i]!.channel);
      if (f.type === 'body') assert.deepEqual(f.payload, expected[i]!.payload);
    });
  });
});

describe('FrameWriter writers sharing the slab', () => {
  it('interleaved writers each get back exactly their own frames, in order, across slab turnovers', () => {
    const rand = prng(99);
    const writers = [new FrameWriter(131072), new FrameWriter(131072), new FrameWriter(131072)];
    const expected: Buffer[][] = writers.map(() => []);
    const copies: Buffer[][] = writers.map(() => []);
    const live: Buffer[][] = writers.map(() => []);
    for (let step = 0; step < 5000; step++) {
      const w = Math.floor(rand() * writers.length);
      const body = randomBytes(1 + Math.floor(rand() * 3000), step);
      writers[w]!.method(1, { ...deliver, deliveryTag: step });
      writers[w]!.body(1, body, body.length);
      expected[w]!.push(body);
      if (rand() < 0.1) {
        // A take() hands out regions that later writes (by anyone) must never touch.
        const taken = writers[w]!.take() ?? [];
        copies[w]!.push(...taken.map((b) => Buffer.from(b)));
        live[w]!.push(...taken); // kept by reference too: checked below
      }
    }
    writers.forEach((writer, w) => {
      const rest = writer.take() ?? [];
      // Buffers handed out earlier still hold what they held when taken.
      assert.deepEqual(live[w], copies[w]);
      const frames = parse([...copies[w]!, ...rest], 131072);
      assert.deepEqual(
        frames.filter((f) => f.type === 'body').map((f) => f.payload),
        expected[w],
      );
    });
  });

  it('an idle writer holds no slab of its own', () => {
    const before = process.memoryUsage().arrayBuffers;
    const idle = Array.from({ length: 2000 }, () => new FrameWriter(131072));
    const grown = process.memoryUsage().arrayBuffers - before;
    assert.ok(grown < 2000 * 1024, `2,000 idle writers took ${grown} bytes of buffers`);
    assert.equal(idle.length, 2000);
  });
});
