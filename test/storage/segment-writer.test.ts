import assert from 'node:assert/strict';
import { closeSync, openSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { recordSize, shortstrBytes, type MessageRecord } from '../../src/storage/record.js';
import { Segment } from '../../src/storage/segment.js';
import { SEGMENT_HEADER_SIZE } from '../../src/storage/segment-file.js';
import { SegmentWriter, SLAB_SIZE } from '../../src/storage/segment-writer.js';
import { message, tempDir } from './helpers.js';

function append(w: SegmentWriter, r: MessageRecord): void {
  const e = shortstrBytes(r.exchange, 'e');
  const k = shortstrBytes(r.routingKey, 'k');
  w.appendRecord(r, recordSize(r, e, k), e, k);
}

/** What a writer that never failed puts in its file for these records. */
function reference(t: Parameters<typeof tempDir>[0], records: MessageRecord[]): Buffer {
  const file = join(tempDir(t), 'ref.seg');
  const w = new SegmentWriter(new Segment(1, file, SEGMENT_HEADER_SIZE), openSync(file, 'w+'), 0, null, null);
  w.appendFileHeader();
  for (const r of records) append(w, r);
  w.writeNow();
  closeSync(w.fd);
  return readFileSync(file);
}

describe('SegmentWriter', () => {
  it('keeps everything queued, in order, while writes fail (ENOSPC), and writes it at the right offsets later', (t) => {
    // Enough to fill the slab several times over, with bodies by reference mixed in.
    const records = Array.from({ length: 400 }, (_, i) => message(i + 1, i % 10 === 0 ? 40_000 : 9_000));
    const expected = reference(t, records);
    assert.ok(expected.length > 3 * SLAB_SIZE);

    const file = join(tempDir(t), 'real.seg');
    const full = openSync('/dev/full', 'w');
    const w = new SegmentWriter(new Segment(1, file, SEGMENT_HEADER_SIZE), full, 0, null, null);
    w.appendFileHeader();
    for (const r of records) append(w, r); // full slabs try to write, fail, and move on to fresh slabs
    assert.equal(w.pendingBytes, expected.length);
    assert.throws(() => w.writeNow(), (e: NodeJS.ErrnoException) => e.code === 'ENOSPC');
    assert.equal(w.pendingBytes, expected.length, 'nothing dropped');
    assert.equal(w.written, 0);

    // The disk has room again.
    closeSync(full);
    w.fd = openSync(file, 'w+');
    w.writeNow();
    assert.equal(w.pendingBytes, 0);
    assert.equal(w.written, expected.length);
    assert.ok(readFileSync(file).equals(expected));
    // And the slab is reused from its start afterwards.
    append(w, message(401));
    w.writeNow();
    assert.ok(readFileSync(file).subarray(0, expected.length).equals(expected));
    closeSync(w.fd);
  });
});
