/**
 * Seeded fuzzing of the whole read path (FrameReader -> decodeCommand / PublishReader), in
 * the spirit of nats-server's parser_fuzz_test: random mutations of valid frames, random
 * chunking, and plain garbage. The only acceptable failures are StreamProtocolError
 * subclasses; never a RangeError, a TypeError, a hang, or a view outside the frame.
 * A failure prints its case number; the seed makes it reproduce.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { CommandKey } from '../../../src/stream/protocol/constants.js';
import { decodeCommand } from '../../../src/stream/protocol/decode.js';
import { StreamProtocolError } from '../../../src/stream/protocol/errors.js';
import { FrameReader } from '../../../src/stream/protocol/frame-reader.js';
import { PublishReader } from '../../../src/stream/protocol/publish-reader.js';
import { prng } from './builder.js';
import { publishFrame, samples } from './client-samples.js';

const SEED = 0x5552;
const CASES = 4000;

const corpus: Buffer[] = [
  ...samples.map((s) => s.frame),
  publishFrame(1, [
    { publishingId: 1, body: Buffer.from('hello') },
    { publishingId: 2, body: Buffer.alloc(40, 1), subBatch: { compression: 1, records: 3, uncompressedSize: 90 } },
  ]),
  publishFrame(2, [
    { publishingId: 5, filterValue: 'emea', body: Buffer.from('x') },
    { publishingId: 6, filterValue: null, body: Buffer.from('yz') },
  ]),
];

type Rand = () => number;

function int(rand: Rand, n: number): number {
  return Math.floor(rand() * n);
}

/** Values that break length and count fields most often. */
const NASTY = [0, 1, 2, 3, 4, 0x7f, 0x80, 0xff, 0x7fff, 0x8000, 0xfffe, 0xffff, 0x7fffffff, 0x80000000, 0xffffffff];

function mutate(rand: Rand, frame: Buffer): Buffer {
  let f = Buffer.from(frame);
  for (let n = 1 + int(rand, 3); n > 0; n--) {
    const at = 4 + int(rand, Math.max(1, f.length - 4)); // leave the size field to the fix-up below
    switch (int(rand, 6)) {
      case 0: // flip a byte
        if (at < f.length) f[at] = int(rand, 256);
        break;
      case 1: {
        // a nasty 16- or 32-bit value where a length or count may be
        const v = NASTY[int(rand, NASTY.length)]!;
        if (rand() < 0.5 && at + 2 <= f.length) f.writeUInt16BE(v & 0xffff, at);
        else if (at + 4 <= f.length) f.writeUInt32BE(v >>> 0, at);
        break;
      }
      case 2: // truncate
        f = f.subarray(0, Math.max(8, at));
        break;
      case 3: // append garbage
        f = Buffer.concat([f, Buffer.from(Array.from({ length: 1 + int(rand, 16) }, () => int(rand, 256)))]);
        break;
      case 4: // delete a byte
        f = Buffer.concat([f.subarray(0, at), f.subarray(at + 1)]);
        break;
      default: // another version
        if (f.length >= 8) f.writeUInt16BE(int(rand, 4), 6);
    }
  }
  // Mostly keep the size field honest, so the mutation reaches the decoders; sometimes not.
  if (f.length >= 4 && rand() < 0.85) f.writeUInt32BE(f.length - 4, 0);
  return f;
}

/** Feeds bytes in random chunks and decodes each frame the way a server would. */
function run(rand: Rand, bytes: Buffer, publishes: PublishReader): void {
  const reader = new FrameReader(
    {
      onFrame(key, version, buf, start, end) {
        assert.ok(start >= 0 && start <= end && end <= buf.length);
        if (key === CommandKey.Publish) {
          publishes.reset(version, buf, start, end);
          let n = 0;
          while (publishes.next()) {
            n++;
            for (const [s, e] of [
              [publishes.entryStart, publishes.entryEnd],
              [publishes.messageStart, publishes.messageEnd],
            ]) {
              assert.ok(start <= s! && s! <= e! && e! <= end, 'a message view lies inside its frame');
            }
            void publishes.filterValue;
          }
          assert.equal(n, publishes.messageCount);
        } else {
          decodeCommand(key, version, buf, start, end);
        }
      },
    },
    rand() < 0.5 ? 4096 : 0,
  );
  for (let off = 0; off < bytes.length; ) {
    const n = 1 + int(rand, 64);
    try {
      reader.push(bytes.subarray(off, off + n));
    } catch (err) {
      if (!(err instanceof StreamProtocolError)) throw err;
    }
    off += n;
  }
}

describe('stream parser fuzz (seeded)', () => {
  it(`survives ${CASES} mutated frames and garbage streams`, () => {
    const rand = prng(SEED);
    const publishes = new PublishReader();
    const started = Date.now();
    for (let i = 0; i < CASES; i++) {
      let bytes: Buffer;
      if (i % 10 === 9) {
        bytes = Buffer.from(Array.from({ length: int(rand, 200) }, () => int(rand, 256)));
      } else {
        const parts: Buffer[] = [];
        for (let n = 1 + int(rand, 4); n > 0; n--) {
          const base = corpus[int(rand, corpus.length)]!;
          parts.push(rand() < 0.8 ? mutate(rand, base) : base);
        }
        bytes = Buffer.concat(parts);
      }
      try {
        run(rand, bytes, publishes);
      } catch (err) {
        assert.fail(`case ${i} (seed ${SEED}): ${String(err)}\n${bytes.toString('hex')}`);
      }
    }
    assert.ok(Date.now() - started < 10_000, 'fast enough to run with every test');
  });

  it('decodes every unmutated corpus frame (the fuzz starts from valid input)', () => {
    const publishes = new PublishReader();
    run(prng(1), Buffer.concat(corpus), publishes);
  });
});
