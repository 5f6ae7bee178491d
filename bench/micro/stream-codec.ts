/**
 * Micro-benchmarks of the stream protocol codec's hot paths: Publish in (frame reader +
 * PublishReader over every message) and Deliver out (FrameWriter). A quick check that a
 * change did not slow the codec down, not a load test.
 *
 *   npm run build && node dist/bench/micro/stream-codec.js
 */
import { CHUNK_HEADER_SIZE, CommandKey } from '../../src/stream/protocol/constants.js';
import { FrameReader, type FrameHandler } from '../../src/stream/protocol/frame-reader.js';
import { FrameWriter } from '../../src/stream/protocol/frame-writer.js';
import { PublishReader } from '../../src/stream/protocol/publish-reader.js';

function bench(name: string, unit: string, opsPerRun: number, run: () => void): void {
  for (let i = 0; i < 20; i++) run(); // warm up: let V8 optimise
  let runs = 0;
  const t0 = process.hrtime.bigint();
  let elapsed = 0;
  while (elapsed < 1.5e9) {
    run();
    runs++;
    elapsed = Number(process.hrtime.bigint() - t0);
  }
  const rate = (runs * opsPerRun) / (elapsed / 1e9);
  const ns = 1e9 / rate;
  console.log(`${name.padEnd(62)} ${(rate / 1e3).toFixed(1).padStart(8)} k ${unit}/s  ${ns.toFixed(0).padStart(6)} ns each`);
}

/** A Publish frame as clients send it: v1 or v2 (filter value per message), `count` messages of `size` bytes. */
function publishFrame(version: 1 | 2, count: number, size: number): Buffer {
  const perMessage = 8 + (version === 2 ? 2 + 4 : 0) + 4 + size;
  const f = Buffer.alloc(4 + 4 + 5 + count * perMessage, 0x61);
  let p = f.writeUInt32BE(f.length - 4, 0);
  p = f.writeUInt16BE(CommandKey.Publish, p);
  p = f.writeUInt16BE(version, p);
  p = f.writeUInt8(1, p);
  p = f.writeUInt32BE(count, p);
  for (let i = 0; i < count; i++) {
    p = f.writeBigUInt64BE(BigInt(i + 1), p);
    if (version === 2) {
      p = f.writeUInt16BE(4, p);
      p = f.write('emea', p) + p;
    }
    p = f.writeUInt32BE(size, p);
    p += size;
  }
  return f;
}

/** What a server does per message: read the id, take the entry view's bounds (here: sum their sizes). */
class Appending implements FrameHandler {
  readonly publishes = new PublishReader();
  messages = 0;
  bytes = 0;
  onFrame(key: number, version: number, buf: Buffer, start: number, end: number): void {
    if (key !== CommandKey.Publish) return;
    const p = this.publishes.reset(version, buf, start, end);
    while (p.next()) {
      this.messages++;
      this.bytes += p.entryEnd - p.entryStart;
    }
  }
}

/** The same stream as a socket would hand it over: 64 KiB chunks, most 100 KiB frames split across two or three. */
function chunked(frame: Buffer, frames: number): Buffer[] {
  const stream = Buffer.concat(Array.from({ length: frames }, () => frame));
  const chunks: Buffer[] = [];
  for (let off = 0; off < stream.length; off += 65536) chunks.push(stream.subarray(off, off + 65536));
  return chunks;
}

const FRAMES = 50;
for (const version of [1, 2] as const) {
  const frame = publishFrame(version, 100, 1024);
  const handler = new Appending();

  // Each frame is its own chunk: the zero-copy path.
  bench(`Publish v${version} 100 x 1 KiB, whole frames: reader + iterator`, 'frames', FRAMES, () => {
    const r = new FrameReader(handler, 0);
    for (let i = 0; i < FRAMES; i++) r.push(frame);
  });

  const chunks = chunked(frame, FRAMES);
  bench(`Publish v${version} 100 x 1 KiB, in 64 KiB chunks (split frames copied)`, 'frames', FRAMES, () => {
    const r = new FrameReader(handler, 0);
    for (const c of chunks) r.push(c);
  });
  if (handler.messages === 0) throw new Error('no messages read');
}

// Iterator alone: no framing, the validation pass included.
{
  const frame = publishFrame(1, 100, 1024);
  const fields = frame.subarray(8);
  const p = new PublishReader();
  let sink = 0;
  bench('PublishReader alone (reset + next x 100), v1 100 x 1 KiB', 'frames', 1000, () => {
    for (let i = 0; i < 1000; i++) {
      p.reset(1, fields, 0, fields.length);
      while (p.next()) sink += p.messageEnd;
    }
  });
  if (sink === -1) console.log(sink);
}

// Deliver out: a chunk held in memory as a 48-byte header view and a data view.
for (const dataSize of [1024, 100 * 1024]) {
  const chunk = Buffer.alloc(CHUNK_HEADER_SIZE + dataSize, 0x62);
  const header = chunk.subarray(0, CHUNK_HEADER_SIZE);
  const data = chunk.subarray(CHUNK_HEADER_SIZE);
  const w = new FrameWriter();
  const n = 10_000;
  bench(`FrameWriter.deliver v2, ${dataSize / 1024} KiB chunk data, take() per 100`, 'frames', n, () => {
    for (let i = 0; i < n; i++) {
      w.deliver(1, i, header, data);
      if (i % 100 === 99) w.take();
    }
    w.take();
  });
}

{
  const w = new FrameWriter();
  const ids = Array.from({ length: 100 }, (_, i) => i + 1);
  bench('FrameWriter.publishConfirm, 100 ids, take() per 100', 'frames', 10_000, () => {
    for (let i = 0; i < 10_000; i++) {
      w.publishConfirm(1, ids);
      if (i % 100 === 99) w.take();
    }
    w.take();
  });
}
