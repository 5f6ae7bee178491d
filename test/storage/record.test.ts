import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { crc32 } from 'node:zlib';
import { crc32Of, crc32Range } from '../../src/storage/crc32.js';
import {
  checkRecordHead,
  decodeRecord,
  headerStart,
  MAX_SEGMENT_ID,
  offsetOf,
  positionOf,
  RECORD_FIXED_SIZE,
  recordCrc,
  recordCrcMatches,
  recordSize,
  segmentOf,
  shortstrBytes,
  writeRecordHead,
  type MessageRecord,
} from '../../src/storage/record.js';
import { message } from './helpers.js';

/** Encodes a record into a fresh buffer the way the segment writer does (body copied). */
function encode(r: MessageRecord, at = 0): Buffer {
  const e = shortstrBytes(r.exchange, 'exchange');
  const k = shortstrBytes(r.routingKey, 'routing key');
  const size = recordSize(r, e, k);
  const buf = Buffer.alloc(at + size + 7, 0xee);
  const headEnd = writeRecordHead(buf, at, r, size, e, k);
  r.body.copy(buf, headEnd);
  buf.writeUInt32LE(recordCrc(buf, at, headEnd, r.header, r.body), at + 4);
  return buf;
}

function decode(buf: Buffer, at: number, position: number) {
  const size = buf.readUInt32LE(at);
  const h = headerStart(buf, at);
  const blob = Buffer.from(buf.subarray(at + h, at + size));
  return decodeRecord(buf, at, position, blob);
}

describe('record codec', () => {
  it('round-trips every field, from inside a larger buffer', () => {
    const cases: MessageRecord[] = [
      message(1),
      message(2 ** 53 - 1, 0, { expiresAt: 2 ** 52 + 17, flags: 0 }),
      message(7, 3000, { exchange: '', routingKey: '' }),
      message(8, 5, { exchange: 'é'.repeat(127), routingKey: 'k'.repeat(255), header: Buffer.alloc(0) }),
      message(9, 1, { exchange: '交換', routingKey: '🐇.🐇' }),
      message(10, 2, { priority: 255 }),
    ];
    for (const r of cases) {
      const buf = encode(r, 13);
      const size = buf.readUInt32LE(13);
      assert.equal(checkRecordHead(buf, 13, size), null);
      assert.ok(recordCrcMatches(buf, 13, size));
      assert.deepEqual(decode(buf, 13, 42), { ...r, priority: r.priority ?? 0, position: 42 });
    }
  });

  it('makes the fixed part exactly 32 bytes, so records start 32 bytes apart at least', () => {
    const r = message(1, 0, { exchange: '', routingKey: '', header: Buffer.alloc(0) });
    assert.equal(RECORD_FIXED_SIZE, 32);
    assert.equal(recordSize(r, 0, 0), 32);
    const buf = encode(r);
    assert.equal(checkRecordHead(buf, 0, 32), null);
  });

  it('detects a flipped byte anywhere after the CRC field', () => {
    const r = message(5, 40);
    const clean = encode(r);
    const size = clean.readUInt32LE(0);
    for (let i = 8; i < size; i++) {
      const buf = Buffer.from(clean);
      buf[i] ^= 0x01;
      const head = checkRecordHead(buf, 0, size);
      assert.ok(head !== null || !recordCrcMatches(buf, 0, size), `flip at ${i} went unnoticed`);
    }
  });

  it('refuses what cannot be a record', () => {
    const buf = encode(message(1));
    const size = buf.readUInt32LE(0);
    assert.match(checkRecordHead(Buffer.alloc(32), 0, 100)!, /zeroed/);
    assert.match(checkRecordHead(buf, 0, size - 1)!, /runs past the end/);
    const bad = Buffer.from(buf);
    bad.writeUInt32LE(31, 0);
    assert.match(checkRecordHead(bad, 0, size)!, /invalid record length/);
    const fields = Buffer.from(buf);
    fields.writeUInt32LE(size, 12); // header length alone exceeds the record
    assert.match(checkRecordHead(fields, 0, size)!, /shorter than its fields/);
  });

  it('refuses fields the format cannot hold, before writing anything', () => {
    assert.throws(() => shortstrBytes('x'.repeat(256), 'exchange name'), RangeError);
    assert.throws(() => shortstrBytes('é'.repeat(128), 'routing key'), /longer than 255 bytes/);
    assert.equal(shortstrBytes('é'.repeat(127), 'x'), 254);
    assert.throws(() => recordSize(message(-1), 0, 0), /seq/);
    assert.throws(() => recordSize(message(1.5), 0, 0), /seq/);
    assert.throws(() => recordSize(message(1, 0, { expiresAt: -5 }), 0, 0), /expiresAt/);
  });
});

describe('positions', () => {
  it('packs segment id and offset into one safe integer', () => {
    const cases: [number, number][] = [
      [0, 0],
      [1, 8],
      [1, 2 ** 32 - 1],
      [123456, 8 * 1024 * 1024],
      [MAX_SEGMENT_ID, 2 ** 32 - 1],
    ];
    for (const [s, o] of cases) {
      const p = positionOf(s, o);
      assert.ok(Number.isSafeInteger(p), `${s}/${o}`);
      assert.equal(segmentOf(p), s);
      assert.equal(offsetOf(p), o);
    }
  });

  it('orders like (segment, offset)', () => {
    assert.ok(positionOf(2, 8) > positionOf(1, 2 ** 32 - 1));
    assert.ok(positionOf(2, 9) > positionOf(2, 8));
  });
});

describe('crc32', () => {
  it('matches zlib on ranges of every length around the native threshold, and chains', () => {
    const data = Buffer.alloc(300);
    for (let i = 0; i < data.length; i++) data[i] = (i * 7 + 3) & 0xff;
    for (let len = 0; len <= 200; len++) {
      assert.equal(crc32Range(data, 50, 50 + len), crc32(data.subarray(50, 50 + len)), `length ${len}`);
    }
    const a = data.subarray(0, 10);
    const b = data.subarray(10, 250);
    assert.equal(crc32Of(b, crc32Range(data, 0, 10)), crc32(data.subarray(0, 250)));
    assert.equal(crc32Range(data, 10, 250, crc32Of(a)), crc32(data.subarray(0, 250)));
  });
});
