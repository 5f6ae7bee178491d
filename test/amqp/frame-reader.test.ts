import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { AmqpError } from '../../src/amqp/errors.js';
import { FrameReader, type FrameHandler } from '../../src/amqp/frame-reader.js';
import { encodedMethodSize, encodeMethod, MethodId, PROTOCOL_HEADER, ReplyCode } from '../../src/amqp/spec.generated.js';
import { prng } from './helpers.js';

type Event =
  | { kind: 'protocol'; bytes: Buffer }
  | { kind: 'method' | 'header' | 'body'; channel: number; payload: Buffer }
  | { kind: 'heartbeat'; channel: number };

/** Records every callback, copying payloads (they may view a chunk the test reuses). */
class Recorder implements FrameHandler {
  events: Event[] = [];
  /** Raw callback arguments of the last payload frame, to check zero-copy. */
  lastBuf: Buffer | null = null;
  onProtocolHeader(header: Buffer): void {
    this.events.push({ kind: 'protocol', bytes: Buffer.from(header) });
  }
  onMethod(channel: number, buf: Buffer, start: number, end: number): void {
    this.record('method', channel, buf, start, end);
  }
  onHeader(channel: number, buf: Buffer, start: number, end: number): void {
    this.record('header', channel, buf, start, end);
  }
  onBody(channel: number, buf: Buffer, start: number, end: number): void {
    this.record('body', channel, buf, start, end);
  }
  onHeartbeat(channel: number): void {
    this.events.push({ kind: 'heartbeat', channel });
  }
  private record(kind: 'method' | 'header' | 'body', channel: number, buf: Buffer, start: number, end: number): void {
    assert.ok(start >= 0 && start <= end && end <= buf.length, 'payload bounds lie inside the buffer');
    this.lastBuf = buf;
    this.events.push({ kind, channel, payload: Buffer.from(buf.subarray(start, end)) });
  }
}

function frame(type: number, channel: number, payload: Buffer, end = 0xce): Buffer {
  const f = Buffer.alloc(payload.length + 8);
  f[0] = type;
  f.writeUInt16BE(channel, 1);
  f.writeUInt32BE(payload.length, 3);
  payload.copy(f, 7);
  f[f.length - 1] = end;
  return f;
}

const FRAME_MAX = 4096;

function publishPayload(): Buffer {
  const m = { id: MethodId.BasicPublish, ticket: 0, exchange: 'amq.direct', routingKey: 'rk', mandatory: false, immediate: false } as const;
  const buf = Buffer.alloc(encodedMethodSize(m));
  encodeMethod(buf, 0, m);
  return buf;
}

/** A realistic stream: header, publishes with small and frame-max-sized bodies, heartbeats, several channels. */
function sampleStream(): { bytes: Buffer; expected: Event[] } {
  const expected: Event[] = [{ kind: 'protocol', bytes: Buffer.from(PROTOCOL_HEADER) }];
  const frames: Buffer[] = [Buffer.from(PROTOCOL_HEADER)];
  const add = (type: number, channel: number, payload: Buffer) => {
    frames.push(frame(type, channel, payload));
    if (type === 8) expected.push({ kind: 'heartbeat', channel });
    else expected.push({ kind: (['', 'method', 'header', 'body'] as const)[type] as 'method', channel, payload });
  };
  const rand = prng(7);
  const bytes = (n: number) => Buffer.from(Array.from({ length: n }, () => Math.floor(rand() * 256)));
  add(1, 1, publishPayload());
  add(2, 1, Buffer.from('003c0000000000000000000510000102', 'hex'));
  add(3, 1, bytes(5));
  add(8, 0, Buffer.alloc(0));
  add(1, 2, publishPayload());
  add(2, 2, bytes(20));
  add(3, 2, bytes(FRAME_MAX - 8)); // the largest frame a correct peer sends
  add(3, 2, bytes(FRAME_MAX - 9));
  add(3, 2, bytes(1));
  add(3, 3, Buffer.alloc(0)); // an empty body frame is legal framing
  add(1, 65535, publishPayload());
  add(8, 0, Buffer.alloc(0));
  return { bytes: Buffer.concat(frames), expected };
}

function feed(chunks: Buffer[], frameMax = FRAME_MAX): Recorder {
  const rec = new Recorder();
  const reader = new FrameReader(rec, frameMax);
  for (const c of chunks) reader.push(c);
  return rec;
}

/**
 * Split body frames come in pieces, so frame-by-frame comparisons join consecutive body
 * payloads of a channel: what must match is each content's bytes, in order.
 */
function joinBodies(events: Event[]): Event[] {
  const joined: Event[] = [];
  for (const event of events) {
    const last = joined[joined.length - 1];
    if (event.kind === 'body' && last?.kind === 'body' && last.channel === event.channel) {
      joined[joined.length - 1] = { ...last, payload: Buffer.concat([last.payload, event.payload]) };
    } else joined.push(event);
  }
  return joined;
}

const isFrameError = (e: unknown) => e instanceof AmqpError && e.code === 501 && e.isConnectionError;

describe('FrameReader', () => {
  const { bytes, expected } = sampleStream();

  it('parses a whole stream in one chunk, without copying payloads', () => {
    const rec = new Recorder();
    const reader = new FrameReader(rec, FRAME_MAX);
    reader.push(bytes);
    assert.deepStrictEqual(rec.events, expected);
    assert.equal(rec.lastBuf, bytes, 'payload handed over as (chunk, start, end)');
  });

  it('gives the same frames for the stream split in two at every offset', () => {
    for (let i = 0; i <= bytes.length; i++) {
      const rec = feed([bytes.subarray(0, i), bytes.subarray(i)]);
      assert.deepStrictEqual(joinBodies(rec.events), joinBodies(expected), `split at ${i}`);
    }
  });

  it('gives the same frames fed one byte at a time', () => {
    const chunks: Buffer[] = [];
    for (let i = 0; i < bytes.length; i++) chunks.push(bytes.subarray(i, i + 1));
    assert.deepStrictEqual(joinBodies(feed(chunks).events), joinBodies(expected));
  });

  it('gives the same frames for random splits into many chunks (seeded)', () => {
    const rand = prng(1234);
    for (let round = 0; round < 200; round++) {
      const chunks: Buffer[] = [];
      for (let pos = 0; pos < bytes.length; ) {
        const n = Math.min(bytes.length - pos, Math.floor(rand() * (rand() < 0.5 ? 16 : 3000)));
        chunks.push(bytes.subarray(pos, pos + n)); // zero-length chunks included
        pos += n;
      }
      assert.deepStrictEqual(joinBodies(feed(chunks).events), joinBodies(expected), `round ${round}`);
    }
  });

  it('hands a body frame split across chunks over piece by piece, straight from the chunks', () => {
    const payload = Buffer.from(Array.from({ length: 3000 }, (_, i) => i & 0xff));
    const body = frame(3, 5, payload);
    const chunks = [Buffer.concat([PROTOCOL_HEADER, body.subarray(0, 1000)]), body.subarray(1000, 2500), body.subarray(2500)];
    const rec = new Recorder();
    const reader = new FrameReader(rec, FRAME_MAX);
    const views: Buffer[] = [];
    const onBody = rec.onBody.bind(rec);
    rec.onBody = (channel, buf, start, end) => {
      views.push(buf);
      onBody(channel, buf, start, end);
    };
    for (const chunk of chunks) reader.push(chunk);
    assert.deepStrictEqual(
      rec.events.slice(1).map((e) => (e.kind === 'body' ? [e.channel, e.payload.length] : e.kind)),
      [[5, 993], [5, 1500], [5, 507]],
    );
    assert.deepStrictEqual(joinBodies(rec.events)[1], { kind: 'body', channel: 5, payload });
    assert.deepStrictEqual(views, chunks, 'each piece is a view of the chunk it came in, not a copy');
  });

  it('rejects a split body frame whose frame-end octet is wrong, also when it comes alone', () => {
    const bad = frame(3, 1, Buffer.alloc(2000), 0x00);
    for (const cut of [1000, bad.length - 1]) {
      const rec = new Recorder();
      const reader = new FrameReader(rec, FRAME_MAX);
      reader.push(Buffer.concat([PROTOCOL_HEADER, bad.subarray(0, cut)]));
      assert.throws(() => reader.push(bad.subarray(cut)), isFrameError, `cut at ${cut}`);
      assert.ok(reader.isStopped);
    }
  });

  it('delivers the protocol header whatever it is, even split', () => {
    const rec = feed([Buffer.from('HT'), Buffer.from('TP/1.1 200')]);
    assert.deepStrictEqual(rec.events, [{ kind: 'protocol', bytes: Buffer.from('HTTP/1.1') }]);
  });

  it('refuses an oversized frame from its 7-byte header alone', () => {
    const rec = new Recorder();
    const reader = new FrameReader(rec, FRAME_MAX);
    reader.push(PROTOCOL_HEADER);
    const header = frame(3, 1, Buffer.alloc(0)).subarray(0, 7);
    header.writeUInt32BE(FRAME_MAX + 1, 3); // payload beyond frame-max (even with RabbitMQ's 8-byte slack)
    assert.throws(() => reader.push(header), isFrameError);
    assert.ok(reader.isStopped);
    reader.push(Buffer.alloc(100)); // ignored, no throw
  });

  it("allows RabbitMQ's 8-byte slack over frame-max, and no more", () => {
    // RabbitMQ accepts payload <= frame_max (not frame_max - 8): many clients are off by 8.
    assert.equal(feed([PROTOCOL_HEADER, frame(3, 1, Buffer.alloc(FRAME_MAX))]).events.length, 2);
    assert.throws(() => feed([PROTOCOL_HEADER, frame(3, 1, Buffer.alloc(FRAME_MAX + 1))]), isFrameError);
    // frameMax 0: no limit
    assert.equal(feed([PROTOCOL_HEADER, frame(3, 1, Buffer.alloc(100_000))], 0).events.length, 2);
  });

  it('follows frameMax changes (after tune-ok)', () => {
    const rec = new Recorder();
    const reader = new FrameReader(rec, 131072);
    reader.push(PROTOCOL_HEADER);
    reader.push(frame(3, 1, Buffer.alloc(10000)));
    reader.frameMax = FRAME_MAX;
    assert.throws(() => reader.push(frame(3, 1, Buffer.alloc(10000))), isFrameError);
  });

  it('rejects a bad frame-end octet, in place and when split', () => {
    const good = frame(1, 1, publishPayload());
    const bad = frame(1, 1, publishPayload(), 0xcd);
    const stream = Buffer.concat([PROTOCOL_HEADER, good, bad]);
    assert.throws(() => feed([stream]), isFrameError);
    // Cut anywhere inside the bad frame: the error comes with the chunk holding its end octet.
    for (let i = 0; i < bad.length; i++) {
      const rec = new Recorder();
      const reader = new FrameReader(rec, FRAME_MAX);
      const cut = PROTOCOL_HEADER.length + good.length + i;
      reader.push(stream.subarray(0, cut));
      assert.throws(() => reader.push(stream.subarray(cut)), isFrameError, `cut at ${i}`);
      assert.equal(rec.events.length, 2, 'the frame before the bad one was delivered');
    }
  });

  it('rejects an unknown frame type and a heartbeat off channel 0 (505, as RabbitMQ) or with a payload', () => {
    assert.throws(() => feed([PROTOCOL_HEADER, frame(4, 0, Buffer.alloc(0))]), (e: unknown) => isFrameError(e) && /type 4, channel 0: unknown_frame/.test((e as Error).message));
    assert.throws(
      () => feed([PROTOCOL_HEADER, frame(8, 1, Buffer.alloc(0))]),
      (e: unknown) => e instanceof AmqpError && e.code === ReplyCode.UNEXPECTED_FRAME,
    );
    assert.throws(() => feed([PROTOCOL_HEADER, frame(8, 0, Buffer.alloc(1))]), isFrameError);
    // refused from the header, before the payload arrives
    assert.throws(() => feed([PROTOCOL_HEADER, frame(9, 0, Buffer.alloc(50)).subarray(0, 7)]), isFrameError);
  });

  it('stops at once when a callback calls stop()', () => {
    const rec = new Recorder();
    const reader = new FrameReader(
      {
        onProtocolHeader: (h) => rec.onProtocolHeader(h),
        onMethod: (c, b, s, e) => {
          rec.onMethod(c, b, s, e);
          reader.stop();
        },
        onHeader: (c, b, s, e) => rec.onHeader(c, b, s, e),
        onBody: (c, b, s, e) => rec.onBody(c, b, s, e),
        onHeartbeat: (c) => rec.onHeartbeat(c),
      },
      FRAME_MAX,
    );
    reader.push(bytes);
    assert.deepStrictEqual(rec.events, expected.slice(0, 2));
    reader.push(bytes.subarray(8));
    assert.equal(rec.events.length, 2);

    // stop() from onProtocolHeader, e.g. on a wrong protocol version
    const reader2: FrameReader = new FrameReader(
      {
        onProtocolHeader: () => reader2.stop(),
        onMethod: () => assert.fail('read past stop()'),
        onHeader: () => assert.fail('read past stop()'),
        onBody: () => assert.fail('read past stop()'),
        onHeartbeat: () => assert.fail('read past stop()'),
      },
      FRAME_MAX,
    );
    reader2.push(bytes);
    assert.ok(reader2.isStopped);
  });

  it('stops when a handler throws, and rethrows', () => {
    const reader = new FrameReader(
      {
        onProtocolHeader: () => {},
        onMethod: () => {
          throw new Error('handler failed');
        },
        onHeader: () => assert.fail('read past a throwing handler'),
        onBody: () => {},
        onHeartbeat: () => {},
      },
      FRAME_MAX,
    );
    assert.throws(() => reader.push(bytes), /handler failed/);
    assert.ok(reader.isStopped);
    reader.push(bytes);
  });

  it('throws nothing but AmqpError on random garbage after a valid header (seeded)', () => {
    const rand = prng(99);
    let errors = 0;
    for (let i = 0; i < 3000; i++) {
      const len = Math.floor(rand() * 300);
      const garbage = Buffer.from(Array.from({ length: len }, () => Math.floor(rand() * 256)));
      // Bias towards plausible headers so the deeper paths get exercised too.
      if (len > 7 && rand() < 0.5) {
        garbage[0] = [1, 2, 3, 8][Math.floor(rand() * 4)]!;
        garbage.writeUInt32BE(Math.floor(rand() * (len + 20)), 3);
      }
      const reader = new FrameReader(new Recorder(), rand() < 0.5 ? FRAME_MAX : 131072);
      reader.push(PROTOCOL_HEADER);
      try {
        for (let pos = 0; pos < garbage.length; ) {
          const n = 1 + Math.floor(rand() * 64);
          reader.push(garbage.subarray(pos, pos + n));
          pos += n;
        }
      } catch (e) {
        assert.ok(e instanceof AmqpError, `only AmqpError, got ${String(e)}`);
        // 505 only for a heartbeat on a non-zero channel, as RabbitMQ answers.
        assert.ok(e.code === 501 || e.code === 505, `code ${e.code}`);
        errors++;
      }
    }
    assert.ok(errors > 1000, `most garbage is refused (${errors})`);
  });

  it('survives a valid stream with random bytes flipped (seeded)', () => {
    const rand = prng(5);
    for (let i = 0; i < 2000; i++) {
      const mutated = Buffer.from(bytes);
      for (let k = 1 + Math.floor(rand() * 3); k > 0; k--) mutated[8 + Math.floor(rand() * (mutated.length - 8))] = Math.floor(rand() * 256);
      try {
        feed([mutated.subarray(0, 1000), mutated.subarray(1000)]);
      } catch (e) {
        assert.ok(e instanceof AmqpError, `only AmqpError, got ${String(e)}`);
      }
    }
  });
});
