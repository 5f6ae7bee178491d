import { AmqpError } from '../amqp/errors.js';
import { ReplyCode, type BasicPublish } from '../amqp/spec.generated.js';
import { Message } from '../broker/message.js';

/** RabbitMQ 3.10's default max_message_size. */
export const MAX_MESSAGE_SIZE = 128 * 1024 * 1024;
const EMPTY_BODY = Buffer.alloc(0);

export interface AssembledMessage {
  method: BasicPublish;
  message: Message;
}

/**
 * Collects basic.publish + content header + body frames into a Message. The header
 * bytes and a single-frame body are slices of the frames as read (no copy); only a
 * body spread over several frames is joined.
 */
export class ContentAssembler {
  private method: BasicPublish | undefined;
  private headerBytes: Buffer | undefined;
  private bodySize = 0;
  private received = 0;
  private parts: Buffer[] = [];

  get inProgress(): boolean {
    return this.method !== undefined;
  }

  start(method: BasicPublish): void {
    this.method = method;
  }

  /** The error for a method frame arriving while this content is incomplete (RabbitMQ's texts). */
  unexpectedMethod(): AmqpError {
    const text =
      this.headerBytes === undefined
        ? 'expected content header for class 60, got non content header frame instead'
        : 'expected content body, got non content body frame instead';
    return new AmqpError(ReplyCode.UNEXPECTED_FRAME, text, 60, 40);
  }

  header(buf: Buffer, start: number, end: number): AssembledMessage | undefined {
    if (this.method === undefined) throw expectedMethod();
    if (this.headerBytes !== undefined) {
      throw new AmqpError(ReplyCode.UNEXPECTED_FRAME, 'expected content body, got non content body frame instead', 60, 40);
    }
    if (end - start < 14) throw new AmqpError(ReplyCode.FRAME_ERROR, 'content header frame too short', 60, 40);
    const classId = buf.readUInt16BE(start);
    if (classId !== 60) {
      throw new AmqpError(
        ReplyCode.UNEXPECTED_FRAME,
        `expected content header for class 60, got one for class ${classId} instead`,
        60,
        40,
      );
    }
    const bodySize = buf.readUInt32BE(start + 4) * 2 ** 32 + buf.readUInt32BE(start + 8);
    if (bodySize > MAX_MESSAGE_SIZE) {
      this.reset();
      throw new AmqpError(
        ReplyCode.PRECONDITION_FAILED,
        `message size ${bodySize} is larger than configured max size ${MAX_MESSAGE_SIZE}`,
        60,
        40,
      );
    }
    this.headerBytes = buf.subarray(start, end);
    this.bodySize = bodySize;
    return bodySize === 0 ? this.finish(EMPTY_BODY) : undefined;
  }

  body(buf: Buffer, start: number, end: number): AssembledMessage | undefined {
    if (this.method === undefined) throw expectedMethod();
    if (this.headerBytes === undefined) {
      throw new AmqpError(
        ReplyCode.UNEXPECTED_FRAME,
        'expected content header for class 60, got non content header frame instead',
        60,
        40,
      );
    }
    const length = end - start;
    this.received += length;
    if (this.received > this.bodySize) {
      throw new AmqpError(
        ReplyCode.FRAME_ERROR,
        `content body is larger than the ${this.bodySize} bytes its header announced`,
        60,
        40,
      );
    }
    if (this.received === this.bodySize && this.parts.length === 0) return this.finish(buf.subarray(start, end));
    this.parts.push(buf.subarray(start, end));
    if (this.received < this.bodySize) return undefined;
    return this.finish(Buffer.concat(this.parts, this.bodySize));
  }

  reset(): void {
    this.method = undefined;
    this.headerBytes = undefined;
    this.bodySize = 0;
    this.received = 0;
    if (this.parts.length > 0) this.parts = [];
  }

  private finish(body: Buffer): AssembledMessage {
    const method = this.method!;
    const message = new Message(method.exchange, method.routingKey, this.headerBytes!, body);
    this.reset();
    return { method, message };
  }
}

function expectedMethod(): AmqpError {
  return new AmqpError(ReplyCode.UNEXPECTED_FRAME, 'expected method frame, got non method frame instead');
}
