import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  contentHeaderBodySize,
  contentHeaderClassId,
  contentHeaderSize,
  decodeContentHeader,
  encodeContentHeader,
  peekDeliveryMode,
} from '../../src/amqp/content.js';
import { AmqpError } from '../../src/amqp/errors.js';
import type { BasicProperties } from '../../src/amqp/spec.generated.js';
import { hex, table } from './helpers.js';

const isAmqp = (code: number) => (e: unknown) => e instanceof AmqpError && e.code === code;

describe('content header payloads', () => {
  it('encodes class-id, weight 0, body-size, flags and properties', () => {
    const bytes = encodeContentHeader(60, 2 ** 32 + 3, { deliveryMode: 2 });
    assert.deepEqual(bytes, hex('003c 0000 0000000100000003 1000 02'));
    assert.equal(bytes.length, contentHeaderSize({ deliveryMode: 2 }));
  });

  it('decodes what it encodes, from inside a larger buffer', () => {
    const props: BasicProperties = { contentType: 'text/plain', headers: table({ a: 1 }), deliveryMode: 1, expiration: '100' };
    const payload = encodeContentHeader(60, 12345, props);
    const chunk = Buffer.concat([hex('ffff'), payload, hex('ffff')]);
    assert.deepStrictEqual(decodeContentHeader(chunk, 2, 2 + payload.length), { classId: 60, bodySize: 12345, properties: props });
    assert.equal(contentHeaderBodySize(chunk, 2, 2 + payload.length), 12345);
    assert.equal(contentHeaderClassId(chunk, 2), 60);
  });

  it('refuses content for a class other than basic', () => {
    const payload = hex('0032 0000 0000000000000000 0000');
    assert.throws(() => decodeContentHeader(payload, 0, payload.length), isAmqp(505));
  });

  it('bounds the hot-path reads', () => {
    const payload = hex('003c 0000 00000000000000');
    assert.throws(() => contentHeaderBodySize(payload, 0, payload.length), isAmqp(502));
    assert.throws(() => decodeContentHeader(payload, 0, payload.length), isAmqp(502));
  });

  it('peeks delivery-mode past content-type, content-encoding and headers', () => {
    const cases: [BasicProperties, number][] = [
      [{}, 0],
      [{ deliveryMode: 2 }, 2],
      [{ contentType: 'application/json', contentEncoding: 'gzip', headers: table({ h: 'v', n: [1, 2] }), deliveryMode: 1, priority: 5 }, 1],
      [{ contentType: 'x', priority: 3, messageId: 'm' }, 0],
    ];
    for (const [props, mode] of cases) {
      const payload = encodeContentHeader(60, 10, props);
      assert.equal(peekDeliveryMode(payload, 0, payload.length), mode, JSON.stringify(props));
      // The delivery-mode octet is the last byte of a header holding only it and what precedes it.
      const { contentType, contentEncoding, headers, deliveryMode } = props;
      const modeEnd = contentHeaderSize({ contentType, contentEncoding, headers, deliveryMode });
      for (let n = 0; n < modeEnd && mode !== 0; n++) {
        // a cut anywhere before the delivery-mode octet is an error, never a read of the bytes beyond
        try {
          peekDeliveryMode(payload, 0, n);
          assert.fail(`no error with the payload cut at ${n}`);
        } catch (e) {
          if (!(e instanceof AmqpError)) throw e;
          assert.equal(e.code, 502);
        }
      }
    }
  });
});
