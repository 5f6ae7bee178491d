/**
 * Micro-benchmarks of the wire layer's hot paths. Not a substitute for the shared load
 * generator; a quick check that a change did not slow the codec down.
 *
 *   npm run build && node dist/bench/micro/amqp-codec.js
 */
import { ByteReader } from '../../src/amqp/byte-reader.js';
import { contentHeaderBodySize, encodeContentHeader } from '../../src/amqp/content.js';
import { FrameReader, type FrameHandler } from '../../src/amqp/frame-reader.js';
import { FrameWriter } from '../../src/amqp/frame-writer.js';
import {
  decodeMethod,
  encodedMethodSize,
  encodeMethod,
  MethodId,
  PROTOCOL_HEADER,
  type BasicDeliver,
  type BasicPublish,
} from '../../src/amqp/spec.generated.js';

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
  console.log(`${name.padEnd(58)} ${(rate / 1e6).toFixed(2).padStart(6)} M ${unit}/s  ${ns.toFixed(0).padStart(5)} ns each`);
}

const publish: BasicPublish = {
  id: MethodId.BasicPublish,
  ticket: 0,
  exchange: 'amq.direct',
  routingKey: 'orders.created',
  mandatory: false,
  immediate: false,
};
const header = encodeContentHeader(60, 16, { deliveryMode: 2, contentType: 'application/json' });
const body = Buffer.alloc(16, 0x61);

// One publish = method + header + body frames, as a client sends it.
const w = new FrameWriter(131072);
w.raw(PROTOCOL_HEADER);
const MESSAGES = 2000;
for (let i = 0; i < MESSAGES; i++) {
  w.method(1, publish);
  w.contentHeaderRaw(1, header);
  w.body(1, body, body.length);
}
const stream = Buffer.concat(w.take()!);
const chunks: Buffer[] = [];
for (let off = 0; off < stream.length; off += 65536) chunks.push(stream.subarray(off, off + 65536));
console.log(`publish stream: ${MESSAGES} messages, ${stream.length} bytes, ${chunks.length} chunks of 64 KiB`);

class Counting implements FrameHandler {
  frames = 0;
  bytes = 0;
  onProtocolHeader(): void {}
  onMethod(_c: number, _b: Buffer, s: number, e: number): void {
    this.frames++;
    this.bytes += e - s;
  }
  onHeader(_c: number, b: Buffer, s: number, e: number): void {
    this.frames++;
    this.bytes += contentHeaderBodySize(b, s, e);
  }
  onBody(_c: number, _b: Buffer, s: number, e: number): void {
    this.frames++;
    this.bytes += e - s;
  }
  onHeartbeat(): void {}
}

const counting = new Counting();
bench('FrameReader: publish-sized frames (64 KiB chunks)', 'frames', MESSAGES * 3, () => {
  const r = new FrameReader(counting, 131072);
  for (const c of chunks) r.push(c);
});

// The same, parsing each method frame too: what a connection actually does per publish.
class Decoding extends Counting {
  private readonly reader = new ByteReader(Buffer.alloc(0), 0, 0);
  sink = 0;
  override onMethod(_c: number, b: Buffer, s: number, e: number): void {
    const m = decodeMethod(this.reader.reset(b, s, e));
    if (m.id === MethodId.BasicPublish) this.sink += m.routingKey.length;
  }
}
const decoding = new Decoding();
bench('FrameReader + decodeMethod: publishes (3 frames each)', 'messages', MESSAGES, () => {
  const r = new FrameReader(decoding, 131072);
  for (const c of chunks) r.push(c);
});

const publishPayload = Buffer.alloc(encodedMethodSize(publish));
encodeMethod(publishPayload, 0, publish);
const reader = new ByteReader(publishPayload, 0, publishPayload.length);
let sink = 0;
bench('decodeMethod(basic.publish)', 'methods', 100_000, () => {
  for (let i = 0; i < 100_000; i++) {
    const m = decodeMethod(reader.reset(publishPayload, 0, publishPayload.length));
    if (m.id === MethodId.BasicPublish) sink += m.exchange.length;
  }
});

const deliver: BasicDeliver = {
  id: MethodId.BasicDeliver,
  consumerTag: 'amq.ctag-4f2a9c1e-5b7d',
  deliveryTag: 1,
  redelivered: false,
  exchange: 'amq.direct',
  routingKey: 'orders.created',
};
const out = Buffer.alloc(1024);
bench('encodedMethodSize + encodeMethod(basic.deliver)', 'methods', 100_000, () => {
  for (let i = 0; i < 100_000; i++) {
    deliver.deliveryTag = i;
    const size = encodedMethodSize(deliver);
    sink += encodeMethod(out, 0, deliver) - size;
  }
});

const fw = new FrameWriter(131072);
bench('FrameWriter: deliver + raw header + 16 B body, take per 100', 'messages', 100_000, () => {
  for (let i = 0; i < 100_000; i++) {
    deliver.deliveryTag = i;
    fw.method(1, deliver);
    fw.contentHeaderRaw(1, header);
    fw.body(1, body, 16);
    if (i % 100 === 99) fw.take();
  }
  fw.take();
});

if (sink === -1) console.log(sink);
