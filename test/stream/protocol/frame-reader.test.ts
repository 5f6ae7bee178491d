import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { INITIAL_FRAME_MAX, ResponseCode } from '../../../src/stream/protocol/constants.js';
import { FrameSizeError } from '../../../src/stream/protocol/errors.js';
import { FrameReader, type FrameHandler } from '../../../src/stream/protocol/frame-reader.js';
import { FrameBuilder, prng } from './builder.js';
import { publishFrame } from './client-samples.js';
import { samples } from './client-samples.js';

interface Frame {
  key: number;
  version: number;
  fields: Buffer;
}

/** Records every frame, copying its fields (they may view a chunk the test reuses). */
class Recorder implements FrameHandler {
  frames: Frame[] = [];
  lastBuf: Buffer | null = null;
  onFrame(key: number, version: number, buf: Buffer, start: number, end: number): void {
    assert.ok(start >= 0 && start <= end && end <= buf.length, 'bounds lie inside the buffer');
    this.lastBuf = buf;
    this.frames.push({ key, version, fields: Buffer.from(buf.subarray(start, end)) });
  }
}

function feed(chunks: Buffer[], frameMax = 0): Recorder {
  const rec = new Recorder();
  const reader = new FrameReader(rec, frameMax);
  for (const c of chunks) reader.push(c);
  assert.equal(reader.bufferedBytes, 0, 'nothing left over');
  return rec;
}

/** Every sample command, a big publish and a frame of exactly 4 bytes (a heartbeat). */
function sampleStream(): { bytes: Buffer; expected: Frame[] } {
  const frames = samples.map((s) => s.frame);
  frames.push(publishFrame(1, [{ publishingId: 1, body: Buffer.alloc(3000, 7) }, { publishingId: 2, body: Buffer.alloc(10, 8) }]));
  frames.push(new FrameBuilder().frame(0x0017));
  const expected = frames.map((f) => ({ key: f.readUInt16BE(4), version: f.readUInt16BE(6), fields: f.subarray(8) }));
  return { bytes: Buffer.concat(frames), expected };
}

const isSizeError = (code: number) => (e: unknown) => e instanceof FrameSizeError && e.code === code;

describe('FrameReader', () => {
  const { bytes, expected } = sampleStream();

  it('hands frames in one chunk over as views of that chunk', () => {
    const rec = feed([bytes]);
    assert.deepStrictEqual(rec.frames, expected);
    assert.equal(rec.lastBuf, bytes, 'no copy');
  });

  it('gives the same frames for the stream split in two at every offset', () => {
    for (let cut = 0; cut <= bytes.length; cut++) {
      const rec = feed([bytes.subarray(0, cut), bytes.subarray(cut)]);
      assert.deepStrictEqual(rec.frames, expected, `cut at ${cut}`);
    }
  });

  it('gives the same frames fed one byte at a time', () => {
    const chunks: Buffer[] = [];
    for (let i = 0; i < bytes.length; i++) chunks.push(bytes.subarray(i, i + 1));
    assert.deepStrictEqual(feed(chunks).frames, expected);
  });

  it('gives the same frames for random splits into many chunks (seeded)', () => {
    const rand = prng(42);
    for (let round = 0; round < 200; round++) {
      const chunks: Buffer[] = [];
      for (let off = 0; off < bytes.length; ) {
        const n = Math.min(bytes.length - off, 1 + Math.floor(rand() * (rand() < 0.5 ? 8 : 600)));
        chunks.push(bytes.subarray(off, off + n));
        off += n;
      }
      assert.deepStrictEqual(feed(chunks).frames, expected, `round ${round}`);
    }
  });

  it('copies only a frame split across chunks; the frames after it are views again', () => {
    const a = new FrameBuilder().u32(1).frame(0x0012);
    const b = new FrameBuilder().u32(2).frame(0x0012);
    const c = new FrameBuilder().u32(3).frame(0x0012);
    const first = Buffer.concat([a, b.subarray(0, 5)]);
    const second = Buffer.concat([b.subarray(5), c]);
    const seen: Buffer[] = [];
    const reader = new FrameReader({ onFrame: (_k, _v, buf) => void seen.push(buf) }, 0);
    reader.push(first);
    reader.push(second);
    assert.equal(seen.length, 3);
    assert.equal(seen[0], first);
    assert.notEqual(seen[1], first);
    assert.notEqual(seen[1], second);
    assert.equal(seen[2], second);
  });

  it('starts at RabbitMQ\'s pre-Open ceiling and accepts a frame of exactly frameMax', () => {
    const rec = new Recorder();
    const reader = new FrameReader(rec);
    assert.equal(reader.frameMax, INITIAL_FRAME_MAX);
    const exact = new FrameBuilder().raw(Buffer.alloc(INITIAL_FRAME_MAX - 4)).frame(0x0011);
    reader.push(exact);
    assert.equal(rec.frames.length, 1);
    assert.throws(() => reader.push(new FrameBuilder().raw(Buffer.alloc(INITIAL_FRAME_MAX - 3)).frame(0x0011)), isSizeError(ResponseCode.FRAME_TOO_LARGE));
  });

  it('refuses a too-large frame from its size field alone, before buffering any of it', () => {
    const reader = new FrameReader(new Recorder(), 1_048_576);
    const size = Buffer.alloc(4);
    size.writeUInt32BE(1_048_577);
    let err: unknown;
    try {
      reader.push(size.subarray(0, 2));
      reader.push(size.subarray(2)); // the rest of the size field: refused here, with no payload sent
    } catch (e) {
      err = e;
    }
    assert.ok(err instanceof FrameSizeError);
    assert.equal(err.code, ResponseCode.FRAME_TOO_LARGE);
    assert.deepEqual([err.size, err.max], [1_048_577, 1_048_576]);
    assert.match(err.message, /frame too large: 1048577 bytes, frame_max is 1048576/);
    assert.ok(reader.isStopped);
    assert.equal(reader.bufferedBytes, 0);
  });

  it('refuses a size too small for key and version as an unknown frame', () => {
    for (let size = 0; size < 4; size++) {
      const b = Buffer.alloc(8);
      b.writeUInt32BE(size);
      assert.throws(() => new FrameReader(new Recorder(), 0).push(b), isSizeError(ResponseCode.UNKNOWN_FRAME), `size ${size}`);
    }
  });

  it('delivers the frames before a bad one, then ignores everything', () => {
    const rec = new Recorder();
    const reader = new FrameReader(rec, 100);
    const good = new FrameBuilder().u32(1).frame(0x0012);
    const bad = new FrameBuilder().raw(Buffer.alloc(200)).frame(0x0011);
    assert.throws(() => reader.push(Buffer.concat([good, bad])), FrameSizeError);
    assert.equal(rec.frames.length, 1);
    reader.push(good);
    assert.equal(rec.frames.length, 1);
  });

  it('stops at once when the handler calls stop()', () => {
    const frame = new FrameBuilder().u32(1).frame(0x0012);
    let n = 0;
    const reader: FrameReader = new FrameReader(
      {
        onFrame: () => {
          n++;
          reader.stop();
        },
      },
      0,
    );
    reader.push(Buffer.concat([frame, frame, frame]));
    assert.equal(n, 1);
  });

  it('stops when the handler throws, and rethrows', () => {
    const frame = new FrameBuilder().u32(1).frame(0x0012);
    const reader = new FrameReader(
      {
        onFrame: () => {
          throw new Error('boom');
        },
      },
      0,
    );
    assert.throws(() => reader.push(frame), /boom/);
    assert.ok(reader.isStopped);
  });

  it('takes a raised frameMax from the next frame on (after Open)', () => {
    const rec = new Recorder();
    const reader = new FrameReader(rec);
    const big = new FrameBuilder().raw(Buffer.alloc(20_000)).frame(0x0011);
    reader.frameMax = 1_048_576;
    reader.push(big);
    assert.equal(rec.frames.length, 1);
    reader.frameMax = 0; // no limit
    reader.push(big);
    assert.equal(rec.frames.length, 2);
  });
});
