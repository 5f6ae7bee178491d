import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { CommandKey, CompressionType } from '../../../src/stream/protocol/constants.js';
import { decodeCommand } from '../../../src/stream/protocol/decode.js';
import { CommandDecodeError } from '../../../src/stream/protocol/errors.js';
import { PublishReader } from '../../../src/stream/protocol/publish-reader.js';
import { FrameBuilder, splitFrame } from './builder.js';
import { publishFrame, type PublishedMessage } from './client-samples.js';

interface Seen {
  publishingId: number | bigint;
  filterValue: string | null;
  body: Buffer;
  entry: Buffer;
  isSubBatch: boolean;
  compression: number;
  recordCount: number;
  uncompressedSize: number;
}

function read(frame: Buffer): { reader: PublishReader; seen: Seen[] } {
  const { version, fields } = splitFrame(frame);
  const reader = new PublishReader().reset(version, fields, 0, fields.length);
  const seen: Seen[] = [];
  while (reader.next()) {
    seen.push({
      publishingId: reader.publishingId,
      filterValue: reader.filterValue,
      body: reader.message,
      entry: reader.entry,
      isSubBatch: reader.isSubBatch,
      compression: reader.compression,
      recordCount: reader.recordCount,
      uncompressedSize: reader.uncompressedSize,
    });
  }
  return { reader, seen };
}

const body = (n: number, fill: number) => Buffer.alloc(n, fill);

describe('PublishReader', () => {
  it('walks v1 messages as views of the frame, each entry an osiris simple entry', () => {
    const messages: PublishedMessage[] = [
      { publishingId: 1, body: body(10, 0x61) },
      { publishingId: 2, body: Buffer.alloc(0) },
      { publishingId: 2n ** 53n, body: body(300, 0x62) },
    ];
    const frame = publishFrame(7, messages);
    const { reader, seen } = read(frame);
    assert.equal(reader.version, 1);
    assert.equal(reader.publisherId, 7);
    assert.equal(reader.messageCount, 3);
    assert.deepEqual(
      seen.map((s) => [s.publishingId, s.filterValue, s.body.toString('hex'), s.isSubBatch]),
      messages.map((m) => [m.publishingId, null, m.body.toString('hex'), false]),
    );
    for (const s of seen) {
      assert.equal(s.body.buffer, frame.buffer, 'message is a view, not a copy');
      assert.equal(s.entry.readUInt32BE(0), s.body.length, 'entry = 0:1 size:31 + message');
      assert.deepEqual(s.entry.subarray(4), s.body);
    }
    assert.equal(reader.next(), false, 'stays at the end');
  });

  it('walks v2 messages with their filter values, null and empty included', () => {
    const messages: PublishedMessage[] = [
      { publishingId: 10, filterValue: 'emea', body: body(5, 1) },
      { publishingId: 11, filterValue: null, body: body(6, 2) },
      { publishingId: 12, filterValue: '', body: body(7, 3) },
      { publishingId: 13, filterValue: 'ünï', body: body(8, 4) },
    ];
    const { reader, seen } = read(publishFrame(1, messages));
    assert.equal(reader.version, 2);
    assert.deepEqual(
      seen.map((s) => [s.publishingId, s.filterValue, s.body.length]),
      messages.map((m) => [m.publishingId, m.filterValue, m.body.length]),
    );
  });

  it('hands a v1 sub-entry batch over whole, with its header fields', () => {
    const batch = body(50, 9);
    const messages: PublishedMessage[] = [
      { publishingId: 1, body: body(3, 1) },
      { publishingId: 2, body: batch, subBatch: { compression: CompressionType.Gzip, records: 12, uncompressedSize: 999 } },
      { publishingId: 3, body: body(4, 1) },
    ];
    const { seen } = read(publishFrame(1, messages));
    const s = seen[1]!;
    assert.deepEqual([s.isSubBatch, s.compression, s.recordCount, s.uncompressedSize], [true, CompressionType.Gzip, 12, 999]);
    assert.deepEqual(s.body, batch);
    assert.equal(s.entry.length, 11 + 50);
    assert.equal(s.entry[0], 0x80 | (CompressionType.Gzip << 4));
    assert.deepEqual([seen[0]!.isSubBatch, seen[0]!.recordCount, seen[2]!.isSubBatch], [false, 0, false]);
  });

  it('takes an empty Publish', () => {
    const { reader, seen } = read(publishFrame(1, []));
    assert.equal(reader.messageCount, 0);
    assert.equal(seen.length, 0);
  });

  it('decodeCommand validates a Publish and returns its header and view', () => {
    const frame = publishFrame(4, [{ publishingId: 1, body: body(3, 1) }]);
    const { key, version, fields } = splitFrame(frame);
    const cmd = decodeCommand(key, version, fields, 0, fields.length);
    assert.equal(cmd.key, CommandKey.Publish);
    if (cmd.key !== CommandKey.Publish) return;
    assert.deepEqual([cmd.version, cmd.publisherId, cmd.messageCount, cmd.buf, cmd.start, cmd.end], [1, 4, 1, fields, 0, fields.length]);
  });

  it('refuses the whole frame when any message is malformed, before the first next()', () => {
    const good: PublishedMessage[] = [
      { publishingId: 1, body: body(3, 1) },
      { publishingId: 2, filterValue: 'f', body: body(3, 1) },
    ];
    const cases: [string, Buffer, RegExp][] = [];
    for (const v of [1, 2]) {
      const frame = publishFrame(1, good, v);
      const { fields } = splitFrame(frame);
      for (let n = 0; n < fields.length; n++) {
        cases.push([`v${v} cut at ${n}`, new FrameBuilder().raw(fields.subarray(0, n)).frame(CommandKey.Publish, v), /^Publish v\d: /]);
      }
      cases.push([`v${v} trailing byte`, new FrameBuilder().raw(fields).u8(0).frame(CommandKey.Publish, v), /1 bytes after the 2 messages/]);
      const moreCount = Buffer.from(fields);
      moreCount.writeUInt32BE(3, 1);
      cases.push([`v${v} count too high`, new FrameBuilder().raw(moreCount).frame(CommandKey.Publish, v), /message 3 of 3: truncated at its publishing id/]);
      const negCount = Buffer.from(fields);
      negCount.writeInt32BE(-1, 1);
      cases.push([`v${v} negative count`, new FrameBuilder().raw(negCount).frame(CommandKey.Publish, v), /message count -1/]);
    }
    cases.push([
      'v2 sub-entry batch',
      publishFrame(1, [{ publishingId: 1, filterValue: null, body: body(3, 1), subBatch: { compression: 0, records: 1, uncompressedSize: 3 } }], 2),
      /sub-entry batch in Publish v2/,
    ]);
    cases.push([
      'v2 filter length -2',
      new FrameBuilder().u8(1).u32(1).u64(1).i16(-2).u32(0).frame(CommandKey.Publish, 2),
      /filter value length -2/,
    ]);
    cases.push(['message size past the frame', new FrameBuilder().u8(1).u32(1).u64(1).u32(0x7fffffff).frame(CommandKey.Publish, 1), /truncated at its message$/]);
    cases.push(['huge count', new FrameBuilder().u8(1).u32(0x7fffffff).frame(CommandKey.Publish, 1), /message 1 of 2147483647/]);
    for (const [name, frame, text] of cases) {
      const { version, fields } = splitFrame(frame);
      assert.throws(
        () => new PublishReader().reset(version, fields, 0, fields.length),
        (err: unknown) => err instanceof CommandDecodeError && err.problem === 'malformed' && text.test(err.message),
        name,
      );
    }
  });

  it('is reusable: reset() re-aims it at another frame', () => {
    const reader = new PublishReader();
    const a = splitFrame(publishFrame(1, [{ publishingId: 1, body: body(3, 1) }, { publishingId: 2, body: body(3, 1) }]));
    const b = splitFrame(publishFrame(2, [{ publishingId: 9, filterValue: 'x', body: body(1, 1) }]));
    reader.reset(a.version, a.fields, 0, a.fields.length);
    assert.ok(reader.next());
    reader.reset(b.version, b.fields, 0, b.fields.length);
    assert.ok(reader.next());
    assert.deepEqual([reader.publisherId, reader.publishingId, reader.filterValue], [2, 9, 'x']);
    assert.equal(reader.next(), false);
    reader.reset(a.version, a.fields, 0, a.fields.length);
    assert.ok(reader.next());
    assert.equal(reader.filterValue, null, 'a v1 frame after a v2 one has no filter value');
  });
});
