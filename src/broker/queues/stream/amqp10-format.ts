import { encodeContentHeader } from '../../../amqp/content.js';
import { ClassId } from '../../../amqp/spec.generated.js';
import { Amqp10RecordWriter } from '../../../amqp10/from-amqp091.js';
import { Amqp091HeaderWriter, type ExtraHeader } from '../../../amqp10/to-amqp091.js';
import { Message } from '../../message.js';
import type { StreamMessageFormat, StreamRecordEncoder } from './message-format.js';

/** Single-threaded: one reader converts every record, each delivery's header written before the next. */
const reader = new Amqp091HeaderWriter();
const offsetHeader: ExtraHeader = { name: 'x-stream-offset', value: 0 };
const extraHeaders: readonly ExtraHeader[] = [offsetHeader];

/**
 * Streams keep messages in the AMQP 1.0 format, mapped from and to AMQP 0-9-1 as
 * RabbitMQ 3.10 does (src/amqp10/README.md has the table).
 */
export const AMQP10_STREAM_FORMAT: StreamMessageFormat = {
  encoder(): StreamRecordEncoder {
    const writer = new Amqp10RecordWriter();
    return {
      prepare: (message) => writer.measure(message.exchange, message.routingKey, message.header, 0, message.header.length, message.body),
      write: (buf, at) => {
        writer.write(buf, at);
      },
    };
  },
  toAmqp091(buf, start, end, offset, queueName) {
    offsetHeader.value = offset;
    let size: number;
    try {
      size = reader.read(buf, start, end, queueName, extraHeaders);
    } catch {
      // Not an AMQP 1.0 message (a stream client may write any bytes): delivered as it is.
      return undecodable(buf.subarray(start, end), offset, queueName);
    }
    const header = Buffer.allocUnsafe(size);
    reader.write(header, 0);
    return new Message(reader.exchange, reader.routingKey, header, reader.body);
  },
};

function undecodable(body: Buffer, offset: number, queueName: string): Message {
  const header = encodeContentHeader(ClassId.Basic, body.length, { headers: { 'x-stream-offset': offset } });
  return new Message('', queueName, header, body);
}
