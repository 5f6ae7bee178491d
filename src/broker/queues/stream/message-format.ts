import type { Message } from '../../message.js';
import type { RecordWriter } from './stream-store.js';

/**
 * How messages look inside a stream: in the AMQP 1.0 message format, as RabbitMQ keeps
 * them, so that stream-protocol clients read what AMQP 0-9-1 publishers wrote and the
 * other way round. One encoder per stream, reused for every message.
 */
export interface StreamRecordEncoder extends RecordWriter {
  /** Prepares the record of a message published over AMQP 0-9-1; returns its size in bytes. */
  prepare(message: Message): number;
}

export interface StreamMessageFormat {
  encoder(): StreamRecordEncoder;
  /**
   * The message an AMQP 0-9-1 consumer of stream `queueName` receives for the record in
   * buf[start, end) at `offset`: RabbitMQ's mapping, with the x-stream-offset header.
   */
  toAmqp091(buf: Buffer, start: number, end: number, offset: number, queueName: string): Message;
}
