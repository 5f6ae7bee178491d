/**
 * Micro-benchmarks of the AMQP 0-9-1 <-> 1.0 stream mapping on a typical message: content-type,
 * delivery-mode, message-id and timestamp, two headers, a 1 KiB body. Run per message when a
 * 0-9-1 client publishes to or consumes from a stream.
 *
 *   npm run build && node dist/bench/micro/amqp10-mapping.js
 */
import { encodeContentHeader } from '../../src/amqp/content.js';
import type { BasicProperties } from '../../src/amqp/spec.generated.js';
import {
  amqp091PropertiesToAmqp10,
  amqp091ToAmqp10,
  amqp10ToAmqp091,
  amqp10ToAmqp091Properties,
  type ExtraHeader,
} from '../../src/amqp10/amqp091-mapping.js';
import { Amqp10RecordWriter } from '../../src/amqp10/from-amqp091.js';
import { MessageLayout, parseMessage } from '../../src/amqp10/message.js';
import { Amqp091HeaderWriter } from '../../src/amqp10/to-amqp091.js';
import { decodeValue } from '../../src/amqp10/types.js';

function bench(name: string, opsPerRun: number, run: () => void): void {
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
  console.log(`${name.padEnd(62)} ${(rate / 1e6).toFixed(2).padStart(6)} M messages/s  ${(1e9 / rate).toFixed(0).padStart(5)} ns each`);
}

const N = 10_000;
const properties: BasicProperties = {
  contentType: 'application/json',
  deliveryMode: 2,
  messageId: 'order-4f2a9c1e',
  timestamp: 1_700_000_000,
  headers: { tenant: 'acme', attempt: 1 },
};
const body = Buffer.alloc(1024, 0x61);
const header = encodeContentHeader(60, body.length, properties);
const record = amqp091ToAmqp10('orders', 'orders.created', header, 0, header.length, body);
console.log(`typical message: content header ${header.length} B, AMQP 1.0 record ${record.length} B (body 1024 B)`);

function sectionLength(p: number): number {
  return sectionEnds.get(p)! - p;
}
const sectionEnds = new Map<number, number>();
{
  const m = parseMessage(record);
  const starts = [m.messageAnnotations, m.properties, m.applicationProperties, m.bodyStart + 3].filter((x) => x >= 0).map((x) => x - 3);
  starts.forEach((s, i) => sectionEnds.set(s, starts[i + 1] ?? record.length));
}

let sink = 0;
bench('0-9-1 -> 1.0  amqp091ToAmqp10 (raw content header)', N, () => {
  for (let i = 0; i < N; i++) sink += amqp091ToAmqp10('orders', 'orders.created', header, 0, header.length, body).length;
});
// What a stream writer would do: measure, then write the record straight into its chunk.
const slab = Buffer.allocUnsafe(1 << 22);
let slabAt = 0;
const recordWriter = new Amqp10RecordWriter();
bench('0-9-1 -> 1.0  Amqp10RecordWriter into a chunk (no allocation)', N, () => {
  for (let i = 0; i < N; i++) {
    const n = recordWriter.measure('orders', 'orders.created', header, 0, header.length, body);
    if (slabAt + n > slab.length) slabAt = 0;
    slabAt = recordWriter.write(slab, slabAt);
  }
});
bench('0-9-1 -> 1.0  amqp091PropertiesToAmqp10 (decoded properties)', N, () => {
  for (let i = 0; i < N; i++) sink += amqp091PropertiesToAmqp10('orders', 'orders.created', properties, body).length;
});

// The delivery reuses one extra-header object and only changes the offset.
const offset: ExtraHeader = { name: 'x-stream-offset', value: 0 };
const extra = [offset];
bench('1.0 -> 0-9-1  amqp10ToAmqp091 (raw content header out), + offset', N, () => {
  for (let i = 0; i < N; i++) {
    offset.value = i;
    sink += amqp10ToAmqp091(record, 0, record.length, 'orders', extra).header.length;
  }
});
const headerWriter = new Amqp091HeaderWriter();
bench('1.0 -> 0-9-1  Amqp091HeaderWriter into a slab (no allocation), + offset', N, () => {
  for (let i = 0; i < N; i++) {
    offset.value = i;
    const n = headerWriter.read(record, 0, record.length, 'orders', extra);
    if (slabAt + n > slab.length) slabAt = 0;
    slabAt = headerWriter.write(slab, slabAt);
    sink += headerWriter.body.length;
  }
});
bench('1.0 -> 0-9-1  amqp10ToAmqp091Properties (decoded out), + offset', N, () => {
  for (let i = 0; i < N; i++) {
    offset.value = i;
    sink += amqp10ToAmqp091Properties(record, 0, record.length, 'orders', extra).body.length;
  }
});

const layout = new MessageLayout();
bench('parseMessage (sections only, reused layout)', N, () => {
  for (let i = 0; i < N; i++) sink += parseMessage(record, 0, record.length, layout).dataCount;
});
bench('decodeValue of every section (the general decoder, for scale)', N, () => {
  for (let i = 0; i < N; i++) {
    for (let p = 0; p < record.length; ) {
      const end = p + sectionLength(p);
      sink += decodeValue(record, p, end) === null ? 0 : 1;
      p = end;
    }
  }
});

if (sink === -1) console.log(sink);
