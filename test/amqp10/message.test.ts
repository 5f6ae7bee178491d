import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { Amqp10DecodeError } from '../../src/amqp10/errors.js';
import {
  BodyKind,
  dataSections,
  encodeMessage,
  MessageLayout,
  messageBody,
  parseMessage,
  readHeader,
  readMapSection,
  readProperties,
  type Message,
} from '../../src/amqp10/message.js';
import { skipValue } from '../../src/amqp10/scan.js';
import type { Amqp10Value } from '../../src/amqp10/types.js';
import { hex } from '../amqp/helpers.js';
import { from091, fromStream } from './fixtures/rabbitmq-3.10.8.js';

const sym = (value: string): Amqp10Value => ({ type: 'symbol', value });
const isDecodeError = (e: unknown) => e instanceof Amqp10DecodeError;
const fixture = (name: string) => hex(from091.find((f) => f.name === name)!.record!);

describe('amqp10 message sections', () => {
  it('finds the sections of a record RabbitMQ 3.10 stored for a 0-9-1 publish', () => {
    const record = fixture('all-properties');
    const m = parseMessage(record);
    assert.deepEqual(readMapSection(m, m.messageAnnotations), [
      [sym('x-routing-key'), from091.find((f) => f.name === 'all-properties')!.routingKey],
      [sym('x-exchange'), ''],
      [sym('x-basic-priority'), { type: 'ubyte', value: 5 }],
      [sym('x-basic-delivery-mode'), { type: 'ubyte', value: 2 }],
      [sym('x-basic-expiration'), '60000'],
    ]);
    assert.deepEqual(readProperties(m), {
      messageId: 'msg-1',
      userId: Buffer.from('guest'),
      replyTo: 'reply.queue',
      correlationId: 'corr-1',
      contentType: 'application/json',
      contentEncoding: 'gzip',
      creationTime: 1_700_000_000_000,
    });
    assert.deepEqual(readMapSection(m, m.applicationProperties), [
      ['x-basic-type', 'order.created'],
      ['x-basic-app-id', 'probe-app'],
      ['h1', 'v1'],
      ['h2', { type: 'int', value: 42 }],
    ]);
    assert.equal(m.header, -1);
    assert.equal(m.footer, -1);
    assert.equal(m.bodyKind, BodyKind.Data);
    assert.equal(m.dataCount, 1);
    const body = messageBody(m);
    assert.equal(body.toString(), '{"a":1}');
    assert.equal(body.buffer, record.buffer, 'one data section: a view, not a copy');
    assert.equal(m.bodyEnd, record.length);
  });

  it('parses every record in the fixtures, and offsets respect start/end', () => {
    for (const f of [...from091.filter((x) => x.record), ...fromStream.filter((x) => x.name !== 'amqp-value')]) {
      const record = hex(f.record!);
      const padded = Buffer.concat([Buffer.alloc(3, 0xee), record, Buffer.alloc(2, 0xee)]);
      const m = parseMessage(padded, 3, 3 + record.length);
      assert.ok(m.bodyEnd <= 3 + record.length, f.name);
    }
  });

  it('several data sections: views one by one, the body concatenated', () => {
    const record = hex(fromStream.find((f) => f.name === 'multiple-data')!.record);
    const m = parseMessage(record);
    assert.equal(m.dataCount, 2);
    assert.deepEqual(dataSections(m).map((d) => d.toString()), ['ab', 'cd']);
    assert.equal(messageBody(m).toString(), 'abcd');
  });

  it('amqp-value and amqp-sequence bodies are handed over encoded, footer included', () => {
    const value = parseMessage(hex(fromStream.find((f) => f.name === 'amqp-value')!.record));
    assert.equal(value.bodyKind, BodyKind.Value);
    assert.equal(messageBody(value).toString('hex'), '005377a10568656c6c6f');
    const seq = parseMessage(hex('005376c00602a1016154 01 005378c10100'.replace(/ /g, '')));
    assert.equal(seq.bodyKind, BodyKind.Sequence);
    assert.equal(messageBody(seq).toString('hex'), '005376c00602a1016154010053 78c10100'.replace(/ /g, ''));
  });

  it('header, delivery annotations, footer', () => {
    const m = parseMessage(hex(fromStream.find((f) => f.name === 'header-section')!.record));
    assert.deepEqual(readHeader(m), { durable: true, priority: 7, ttl: 1000 });
    const da = parseMessage(hex(fromStream.find((f) => f.name === 'delivery-annotations')!.record));
    assert.deepEqual(readMapSection(da, da.deliveryAnnotations), [[sym('x-da'), 'v']]);
    const footer = parseMessage(hex(fromStream.find((f) => f.name === 'footer')!.record));
    assert.deepEqual(readMapSection(footer, footer.footer), [[sym('x-f'), 'v']]);
  });

  it('no body at all and an empty record are empty messages', () => {
    const m = parseMessage(Buffer.alloc(0));
    assert.equal(m.bodyKind, BodyKind.None);
    assert.equal(messageBody(m).length, 0);
    assert.equal(readProperties(m), undefined);
  });

  it('symbolic and 8-byte ulong descriptors', () => {
    const symbolic = Buffer.concat([hex('00a310'), Buffer.from('amqp:data:binary'), hex('a0 02 6869')]);
    assert.equal(messageBody(parseMessage(symbolic)).toString(), 'hi');
    assert.equal(messageBody(parseMessage(hex('00 80 0000000000000075 a0 01 78'))).toString(), 'x');
  });

  it('a layout object can be reused', () => {
    const layout = new MessageLayout();
    parseMessage(fixture('all-properties'), 0, undefined, layout);
    assert.notEqual(layout.properties, -1);
    parseMessage(fixture('no-properties'), 0, undefined, layout);
    assert.equal(layout.properties, -1);
    assert.equal(messageBody(layout).toString(), 'hello');
  });

  it('encodes a message in one buffer and parses it back', () => {
    const msg: Message = {
      header: { durable: true, priority: 4 },
      deliveryAnnotations: [[sym('x-d'), 'd']],
      messageAnnotations: [[sym('x-m'), { type: 'long', value: 1 }]],
      properties: { messageId: { type: 'ulong', value: 9 }, to: 'there', contentType: 'text/plain', creationTime: 1_700_000_000_123, groupSequence: 5 },
      applicationProperties: [['k', 'v']],
      body: { data: [Buffer.from('one'), Buffer.from('two')] },
      footer: [[sym('x-f'), true]],
    };
    const m = parseMessage(encodeMessage(msg));
    assert.deepEqual(readHeader(m), msg.header);
    assert.deepEqual(readMapSection(m, m.deliveryAnnotations), msg.deliveryAnnotations);
    assert.deepEqual(readMapSection(m, m.messageAnnotations), msg.messageAnnotations);
    assert.deepEqual(readProperties(m), msg.properties);
    assert.deepEqual(readMapSection(m, m.applicationProperties), msg.applicationProperties);
    assert.equal(messageBody(m).toString(), 'onetwo');
    assert.deepEqual(readMapSection(m, m.footer), msg.footer);
    // trailing absent fields are left out: the header list has two items
    assert.equal(encodeMessage({ header: { durable: true }, body: { data: [] } }).toString('hex'), '005370c0020141');
  });

  it('encodes amqp-value and amqp-sequence bodies', () => {
    assert.equal(encodeMessage({ body: { value: 'hello' } }).toString('hex'), '005377a10568656c6c6f');
    const seq = parseMessage(encodeMessage({ body: { sequence: [['a'], [{ type: 'int', value: 1 }]] } }));
    assert.equal(seq.bodyKind, BodyKind.Sequence);
  });
});

describe('amqp10 message sections: malformed records', () => {
  it('truncated at any offset inside a section: a clear error; at a section boundary: a shorter message', () => {
    for (const f of [...from091.filter((x) => x.record), ...fromStream]) {
      const record = hex(f.record!);
      // A section is one described value: its end is where the next one may start.
      const boundaries = new Set<number>([0]);
      for (let p = 0; p < record.length; ) boundaries.add((p = skipValue(record, p, record.length)));
      for (let cut = 0; cut < record.length; cut++) {
        if (boundaries.has(cut)) assert.doesNotThrow(() => parseMessage(record, 0, cut), `${f.name} at boundary ${cut}`);
        else assert.throws(() => parseMessage(record, 0, cut), isDecodeError, `${f.name} cut at ${cut}`);
      }
    }
  });

  it('what is not a section, unknown sections, wrong section contents', () => {
    assert.throws(() => parseMessage(hex('a0 01 78')), /expected a message section, found vbin8 \(at offset 0\)/);
    assert.throws(() => parseMessage(hex('00 53 79 40')), /unknown section descriptor 0x79/);
    assert.throws(() => parseMessage(hex('00 80 0000000100000075 a0 01 78')), /unknown section descriptor/);
    assert.throws(() => parseMessage(hex('00 a3 03 666f6f 40')), /unknown section descriptor foo/);
    assert.throws(() => parseMessage(hex('00 54 75 a0 01 78')), /a section descriptor must be a ulong or symbol, found smallint/);
    assert.throws(() => parseMessage(hex('00 53 75 a1 01 78')), /data section holds str8, not a binary/);
    assert.throws(() => parseMessage(hex('00 53 74 c0 01 00')), /application-properties section holds list8, not a map/);
    assert.throws(() => parseMessage(hex('00 53 73 c1 01 00')), /properties section holds map8, not a list/);
    assert.throws(() => parseMessage(hex('00 53 75')), /truncated: the data section does not fit/);
  });

  it('body sections of mixed kinds, scattered, or two amqp-values', () => {
    assert.throws(() => parseMessage(hex('005375a00178 005377 40')), /amqp-value section in a message whose body is data/);
    assert.throws(() => parseMessage(hex('005377 40 005377 40')), /a second amqp-value section/);
    assert.throws(() => parseMessage(hex('005375a00178 005374c10100 005375a00178')), /body sections are not contiguous/);
  });

  it('oversized lengths inside sections', () => {
    assert.throws(() => parseMessage(hex('005375 b0 7fffffff 78')), /vbin32 of 2147483647 bytes runs past the end \(1 left\)/);
    assert.throws(() => parseMessage(hex('005373 d0 ffffffff 0000000d')), /list32 of 4294967295 bytes runs past the end/);
  });

  it('nothing but Amqp10DecodeError for any corruption of a real record, and it always ends', () => {
    const record = fixture('header-every-type');
    for (let i = 0; i < record.length; i++) {
      for (const b of [0x00, 0x40, 0x45, 0xa1, 0xb1, 0xc0, 0xd1, 0xe0, 0xff]) {
        const bad = Buffer.from(record);
        bad[i] = b;
        try {
          const m = parseMessage(bad);
          readMapSection(m, m.messageAnnotations);
          readMapSection(m, m.applicationProperties);
          readProperties(m);
          messageBody(m);
        } catch (e) {
          if (!isDecodeError(e)) throw e;
        }
      }
    }
  });
});
