import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { decodeContentHeader, encodeContentHeader } from '../../src/amqp/content.js';
import { AmqpError } from '../../src/amqp/errors.js';
import { fieldTypeName, type FieldTable } from '../../src/amqp/field-table.js';
import {
  amqp091PropertiesToAmqp10,
  amqp091ToAmqp10,
  amqp10ToAmqp091,
  amqp10ToAmqp091Properties,
  type ExtraHeader,
} from '../../src/amqp10/amqp091-mapping.js';
import { Amqp10DecodeError } from '../../src/amqp10/errors.js';
import { Amqp10RecordWriter } from '../../src/amqp10/from-amqp091.js';
import { encodeMessage, parseMessage, readMapSection } from '../../src/amqp10/message.js';
import { skipValue } from '../../src/amqp10/scan.js';
import { Amqp091HeaderWriter } from '../../src/amqp10/to-amqp091.js';
import { encodeValue, type Amqp10Value } from '../../src/amqp10/types.js';
import { hex } from '../amqp/helpers.js';
import { from091, fromStream, type PublishedOverStream } from './fixtures/rabbitmq-3.10.8.js';

const sym = (value: string): Amqp10Value => ({ type: 'symbol', value });
const offsetHeader = (value: number): ExtraHeader[] => [{ name: 'x-stream-offset', value }];
const stream = (name: string): PublishedOverStream => fromStream.find((f) => f.name === name)!;

/**
 * Header names and type letters in wire order from a raw content header (repeated names kept,
 * which a decoded table cannot show).
 */
function headerList(header: Buffer): string[] {
  const flags = header.readUInt16BE(12);
  let p = 14;
  if (flags & 0x8000) p += 1 + header[p]!;
  if (flags & 0x4000) p += 1 + header[p]!;
  if (!(flags & 0x2000)) return [];
  const end = p + 4 + header.readUInt32BE(p);
  p += 4;
  const out: string[] = [];
  const widths: Record<string, number> = { t: 1, b: 1, B: 1, s: 2, u: 2, I: 4, i: 4, f: 4, l: 8, d: 8, T: 8, V: 0, D: 5 };
  while (p < end) {
    const key = header.toString('utf8', p + 1, p + 1 + header[p]!);
    p += 1 + header[p]!;
    const letter = String.fromCharCode(header[p++]!);
    out.push(`${key}:${letter}`);
    p += widths[letter] ?? 4 + header.readUInt32BE(p);
  }
  return out;
}

function deliver(record: Buffer, queue: string, extra?: ExtraHeader[]) {
  return amqp10ToAmqp091Properties(record, 0, record.length, queue, extra);
}

function headersOf(record: Buffer, queue = 'q'): FieldTable {
  return deliver(record, queue, offsetHeader(0)).properties.headers!;
}

describe('0-9-1 -> AMQP 1.0: the record RabbitMQ 3.10.8 stores', () => {
  for (const f of from091.filter((x) => x.record)) {
    it(`${f.name}: byte for byte`, () => {
      const header = hex(f.header);
      const body = hex(f.body);
      assert.equal(amqp091ToAmqp10(f.exchange, f.routingKey, header, 0, header.length, body).toString('hex'), f.record);
      // from decoded properties too: the table keeps its recorded wire types
      const props = decodeContentHeader(header, 0, header.length).properties;
      assert.equal(amqp091PropertiesToAmqp10(f.exchange, f.routingKey, props, body).toString('hex'), f.record);
    });
  }

  it('a decimal header, on which RabbitMQ closes the connection (541), is left out', () => {
    const f = from091.find((x) => x.name === 'header-decimal')!;
    assert.match(f.refused!, /from_091\(decimal/);
    const header = hex(f.header);
    const record = amqp091ToAmqp10(f.exchange, f.routingKey, header, 0, header.length, hex(f.body));
    const m = parseMessage(record);
    assert.equal(m.applicationProperties, -1);
    // the same record as for the message without any header
    const plain = encodeContentHeader(60, 1, {});
    assert.deepEqual(record, amqp091ToAmqp10(f.exchange, f.routingKey, plain, 0, plain.length, hex(f.body)));
  });

  it('writes into a caller buffer at an offset, sized first', () => {
    const f = from091.find((x) => x.name === 'all-properties')!;
    const header = hex(f.header);
    const w = new Amqp10RecordWriter();
    const n = w.measure(f.exchange, f.routingKey, header, 0, header.length, hex(f.body));
    const out = Buffer.alloc(n + 10, 0xee);
    assert.equal(w.write(out, 7), 7 + n);
    assert.equal(out.subarray(7, 7 + n).toString('hex'), f.record);
    assert.equal(out[6], 0xee);
    assert.equal(out[7 + n], 0xee);
    assert.throws(() => w.write(out, 0), /without a measure/);
  });

  it('headers built in code are typed as Warren sends them (integers as int, ...)', () => {
    const record = amqp091PropertiesToAmqp10('', 'q', { headers: { s: 'x', n: 1, big: 2 ** 40, yes: true, when: new Date(5000), raw: Buffer.from([1]) } }, Buffer.alloc(0));
    const m = parseMessage(record);
    assert.deepEqual(readMapSection(m, m.applicationProperties), [
      ['s', 'x'],
      ['n', { type: 'int', value: 1 }],
      ['big', { type: 'long', value: 2 ** 40 }],
      ['yes', true],
      ['when', { type: 'timestamp', value: 5000 }],
      ['raw', Buffer.from([1])],
    ]);
  });

  it('string lengths: utf8 exchange names and 255-byte strings', () => {
    const header = encodeContentHeader(60, 0, { messageId: 'm'.repeat(255) });
    const record = amqp091ToAmqp10('exčhange', 'k'.repeat(300), header, 0, header.length, Buffer.alloc(0));
    const m = parseMessage(record);
    const ma = readMapSection(m, m.messageAnnotations)!;
    assert.deepEqual(ma[0], [sym('x-routing-key'), 'k'.repeat(300)]);
    assert.deepEqual(ma[1], [sym('x-exchange'), 'exčhange']);
    assert.equal(record[m.properties], 0xd0, 'list32: the fields take more than 255 bytes');
    assert.equal(record[m.properties + 9], 0xb1, 'a 255-byte message-id goes as str32, as RabbitMQ writes it');
  });

  it('a malformed content header is AmqpError 502 at every truncation, never an out-of-range read', () => {
    for (const f of from091) {
      const header = hex(f.header);
      for (let cut = 0; cut < header.length; cut++) {
        assert.throws(
          () => amqp091ToAmqp10('', 'q', header, 0, cut, Buffer.alloc(0)),
          (e: unknown) => e instanceof AmqpError && e.code === 502,
          `${f.name} cut at ${cut}`,
        );
      }
    }
    const bad = hex('003c 0000 0000000000000000 2000 00000003 016b5a');
    assert.throws(() => amqp091ToAmqp10('', 'q', bad, 0, bad.length, Buffer.alloc(0)), /unknown field table type 0x5a/);
  });
});

describe('AMQP 1.0 -> 0-9-1: what RabbitMQ 3.10.8 delivers to a 0-9-1 stream consumer', () => {
  const cases = [
    ...from091.filter((f) => f.delivered).map((f) => ({ name: `published over 0-9-1: ${f.name}`, record: f.record!, queue: f.routingKey, offset: f.offset!, delivered: f.delivered! })),
    ...fromStream.filter((f) => f.delivered && f.name !== 'multiple-data').map((f) => ({ name: `published over streams: ${f.name}`, record: f.record, queue: f.queue, offset: 0, delivered: f.delivered! })),
  ];
  for (const c of cases) {
    it(`${c.name}: byte for byte`, () => {
      const record = hex(c.record);
      const d = amqp10ToAmqp091(record, 0, record.length, c.queue, offsetHeader(c.offset));
      assert.equal(d.exchange, c.delivered.exchange);
      assert.equal(d.routingKey, c.delivered.routingKey);
      assert.equal(d.header.toString('hex'), c.delivered.header);
      assert.equal(d.body.toString('hex'), c.delivered.body);
    });
  }

  it('headers come sorted by name bytes, repeated names kept, x-stream-offset replacing a header of its name', () => {
    const d = amqp10ToAmqp091(hex(stream('ap-order-dup-offset').record), 0, hex(stream('ap-order-dup-offset').record).length, 'q', offsetHeader(0));
    assert.deepEqual(headerList(d.header), ['C:S', 'a:S', 'b:S', 'b:S', 'x-stream-offset:l']);
  });

  it('several data sections: all of them, joined (RabbitMQ 3.10 delivers only the last one)', () => {
    const f = stream('multiple-data');
    assert.equal(f.delivered!.body, Buffer.from('cd').toString('hex'));
    const record = hex(f.record);
    const d = amqp10ToAmqp091(record, 0, record.length, f.queue, offsetHeader(0));
    assert.equal(d.body.toString(), 'abcd');
    const rabbit = hex(f.delivered!.header);
    rabbit.writeUInt32BE(4, 8); // body-size is all that differs
    assert.deepEqual(d.header, rabbit);
  });

  it('an x-basic-type header becomes the type property, unless the message has one (then it stays a header)', () => {
    // As /work/notes/streams-amqp.md section 4.4 observed on 3.10.8: keytake removes the first x-basic-type only.
    const roundTrip = (props: Parameters<typeof amqp091PropertiesToAmqp10>[2]) => {
      const record = amqp091PropertiesToAmqp10('', 'q', props, Buffer.from('x'));
      return deliver(record, 'q', offsetHeader(0)).properties;
    };
    let p = roundTrip({ headers: { 'x-basic-type': 'from-header', 'x-basic-app-id': 'app-header' } });
    assert.equal(p.type, 'from-header');
    assert.equal(p.appId, 'app-header');
    assert.deepEqual(Object.keys(p.headers!), ['x-stream-offset']);
    p = roundTrip({ type: 'prop', headers: { 'x-basic-type': 'from-header' } });
    assert.equal(p.type, 'prop');
    assert.equal(p.headers!['x-basic-type'], 'from-header');
  });

  it('one data section: the body is a view into the record', () => {
    const record = hex(stream('typical').record);
    const d = amqp10ToAmqp091(record, 0, record.length, 'q');
    assert.equal(d.body.buffer, record.buffer);
    assert.equal(d.body.length, 1024);
  });

  it('writes into a caller buffer at an offset', () => {
    const f = stream('props-full');
    const record = hex(f.record);
    const w = new Amqp091HeaderWriter();
    const n = w.read(record, 0, record.length, f.queue, offsetHeader(0));
    const out = Buffer.alloc(n + 4, 0xee);
    assert.equal(w.write(out, 2), 2 + n);
    assert.equal(out.subarray(2, 2 + n).toString('hex'), f.delivered!.header);
    assert.equal(w.exchange, '');
    assert.equal(w.routingKey, f.queue);
  });

  it('extra headers: integers as long, strings as longstr, booleans as bool; several; none', () => {
    const record = hex(stream('typical').record);
    const d = deliver(record, 'q', [
      { name: 'x-stream-offset', value: 2n ** 40n },
      { name: 'x-first', value: 'yes' },
      { name: 'x-flag', value: true },
      { name: 'attempt', value: -3 },
    ]);
    const h = d.properties.headers!;
    assert.deepEqual(Object.keys(h), ['attempt', 'tenant', 'x-first', 'x-flag', 'x-stream-offset']);
    assert.equal(h['attempt'], -3);
    assert.equal(fieldTypeName(h, 'attempt'), 'long', 'replaced: the extra header wins, with its own type');
    assert.equal(h['x-stream-offset'], 2 ** 40);
    assert.equal(h['x-first'], 'yes');
    assert.equal(h['x-flag'], true);
    assert.deepEqual(Object.keys(deliver(record, 'q').properties.headers!), ['attempt', 'tenant']);
    assert.throws(() => deliver(record, 'q', [{ name: 'x', value: 1.5 }]), RangeError);
  });
});

describe('AMQP 1.0 -> 0-9-1 where RabbitMQ 3.10.8 closes the connection (541): Warren delivers', () => {
  const refused = (name: string): Buffer => {
    const f = stream(name);
    assert.ok(f.refused, `${name} was refused by RabbitMQ 3.10.8`);
    return hex(f.record);
  };
  const typeOf = (t: FieldTable, k: string) => fieldTypeName(t, k);

  it('ulong application properties as long (RabbitMQ 4.x)', () => {
    for (const [name, value] of [['ap-ulong', 5], ['ap-smallulong', 5], ['ap-ulong0', 0]] as const) {
      const h = headersOf(refused(name));
      assert.equal(h['v'], value);
      assert.equal(typeOf(h, 'v'), 'long');
    }
  });

  it('symbols as longstr; lists and arrays as arrays; maps as tables (RabbitMQ 4.x)', () => {
    let h = headersOf(refused('ap-symbol'));
    assert.equal(h['v'], 'sym');
    assert.equal(typeOf(h, 'v'), 'longstr');
    h = headersOf(refused('ap-list'));
    assert.deepEqual(h['v'], ['a', 1]);
    h = headersOf(refused('ap-array'));
    assert.deepEqual(h['v'], [1, 2]);
    h = headersOf(refused('ap-map'));
    const t = h['v'] as FieldTable;
    assert.equal(t['a'], 1);
    assert.equal(typeOf(t, 'a'), 'signedint');
  });

  it('char, uuid, decimal and described values are left out (no conversion in 3.10 or 4.x)', () => {
    for (const name of ['ap-char', 'ap-uuid', 'ap-decimal32', 'ap-described']) {
      assert.deepEqual(Object.keys(headersOf(refused(name))), ['x-stream-offset'], name);
    }
  });

  it('NaN floats stay floats', () => {
    const h = headersOf(refused('ap-float-nan'));
    assert.ok(Number.isNaN(h['v']));
    assert.equal(typeOf(h, 'v'), 'float');
  });

  it('x-exchange as a symbol; annotation keys that are strings are ignored', () => {
    assert.equal(deliver(refused('ma-exchange-symbol'), 'q').exchange, 'ex1');
    const d = deliver(refused('ma-utf8-key'), 'q');
    assert.deepEqual(Object.keys(d.properties.headers ?? {}), []);
  });

  it('a 256-byte message-id goes to the x-message-id header (3.10 keeps it and fails to encode it)', () => {
    const d = deliver(refused('props-str-256'), 'q', offsetHeader(0));
    assert.equal(d.properties.messageId, undefined);
    assert.equal(d.properties.headers!['x-message-id'], 'm'.repeat(256));
    assert.equal(d.properties.correlationId, 'k'.repeat(255));
  });

  it('amqp-value and amqp-sequence bodies: the encoded sections, type amqp-1.0 (RabbitMQ 4.x)', () => {
    let d = deliver(refused('amqp-value'), 'q');
    assert.equal(d.properties.type, 'amqp-1.0');
    assert.equal(d.body.toString('hex'), '005377a10568656c6c6f');
    d = deliver(refused('amqp-sequence'), 'q');
    assert.equal(d.properties.type, 'amqp-1.0');
    assert.equal(d.body.toString('hex'), stream('amqp-sequence').record);
  });

  it('the header section: durable, priority and ttl (RabbitMQ 4.x)', () => {
    const d = deliver(refused('header-section'), 'q');
    assert.equal(d.properties.deliveryMode, 2);
    assert.equal(d.properties.priority, 7);
    assert.equal(d.properties.expiration, '1000');
    const notDurable = encodeMessage({ header: { durable: false }, messageAnnotations: [[sym('x-basic-priority'), { type: 'ubyte', value: 3 }]], body: { data: [Buffer.from('x')] } });
    const p = deliver(notDurable, 'q').properties;
    assert.equal(p.deliveryMode, 1);
    assert.equal(p.priority, 3, 'the annotation where the header leaves priority unset');
  });

  it('delivery annotations and the footer are ignored; no body is an empty body', () => {
    assert.equal(deliver(refused('delivery-annotations'), 'q').body.toString(), 'x');
    assert.equal(deliver(refused('footer'), 'q').body.toString(), 'x');
    const d = deliver(refused('no-body'), 'q');
    assert.equal(d.body.length, 0);
    assert.equal(d.properties.messageId, 'only-props');
    assert.equal(deliver(refused('empty-record'), 'q').body.length, 0);
  });

  it("rabbitmq-stream-js-client's own encoding (string annotation keys, list32/map32 everywhere)", () => {
    const d = deliver(refused('js-client'), 'q', offsetHeader(0));
    const p = d.properties;
    assert.equal(p.messageId, 'js-mid');
    assert.equal(p.userId, 'guest');
    assert.equal(p.replyTo, 'rt');
    assert.equal(p.correlationId, 'js-cid');
    assert.equal(p.contentType, 'application/json');
    assert.equal(p.contentEncoding, 'identity');
    assert.equal(p.timestamp, 1_700_000_000);
    assert.equal(d.body.toString(), 'js-body');
    assert.deepEqual(Object.keys(p.headers!), ['f', 'n', 'neg', 's', 'x-stream-offset']);
  });
});

describe('AMQP 1.0 -> 0-9-1: malformed records', () => {
  it('truncated at every offset: Amqp10DecodeError, or a shorter message at a section boundary', () => {
    for (const f of [...from091.filter((x) => x.record).map((x) => x.record!), ...fromStream.map((x) => x.record)]) {
      const record = hex(f);
      const boundaries = new Set<number>([0]);
      for (let p = 0; p < record.length; ) boundaries.add((p = skipValue(record, p, record.length)));
      for (let cut = 0; cut < record.length; cut++) {
        if (boundaries.has(cut)) continue;
        assert.throws(() => amqp10ToAmqp091(record, 0, cut, 'q', offsetHeader(1)), (e: unknown) => e instanceof Amqp10DecodeError, `cut at ${cut}`);
      }
    }
  });

  it('any single corrupted byte: Amqp10DecodeError or a delivery, never anything else', () => {
    for (const name of ['typical', 'ap-safe-types', 'props-full', 'ma-basic-and-routing', 'ap-map', 'ap-array']) {
      const record = hex(stream(name).record);
      for (let i = 0; i < record.length; i++) {
        for (const b of [0x00, 0x40, 0x45, 0x53, 0xa1, 0xb1, 0xc0, 0xc1, 0xd0, 0xe0, 0xf0, 0xff]) {
          const bad = Buffer.from(record);
          bad[i] = b;
          try {
            const d = amqp10ToAmqp091(bad, 0, bad.length, 'q', offsetHeader(1));
            decodeContentHeader(d.header, 0, d.header.length); // what we write must be valid 0-9-1
          } catch (e) {
            if (!(e instanceof Amqp10DecodeError)) throw e;
          }
        }
      }
    }
  });

  it('application properties nested too deep: an error, not a stack overflow', () => {
    let v: Amqp10Value = null;
    for (let i = 0; i < 200; i++) v = [v];
    const record = Buffer.concat([hex('005374'), encodeValue({ type: 'map', entries: [['deep', v]] }), hex('005375a000')]);
    assert.throws(() => amqp10ToAmqp091(record, 0, record.length, 'q'), /nested more than 64 deep/);
  });

  it('forged counts in nested values are refused before looping', () => {
    // a list32 value claiming 2^32-1 items in 4 bytes
    const record = Buffer.concat([hex('005374 c1 0f 02 a101 76 d0 00000008 ffffffff 40404040'), hex('005375a000')]);
    assert.throws(() => amqp10ToAmqp091(record, 0, record.length, 'q'), (e: unknown) => e instanceof Amqp10DecodeError);
  });
});
