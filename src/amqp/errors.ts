import { truncateUtf8 } from './byte-writer.js';
import { isConnectionError, replyCodeName } from './spec.generated.js';

/** reply-text is a shortstr. */
const REPLY_TEXT_MAX_BYTES = 255;

/**
 * A protocol error to report to the peer with connection.close or channel.close.
 * `message` is the bare text; `replyText` is what goes on the wire, in RabbitMQ's
 * "NAME - text" form, so clients see the same strings they would from RabbitMQ.
 * classId/methodId name the method that failed (0/0 when none, e.g. framing errors).
 */
export class AmqpError extends Error {
  constructor(
    readonly code: number,
    text: string,
    readonly classId = 0,
    readonly methodId = 0,
  ) {
    super(text);
    this.name = 'AmqpError';
  }

  /**
   * reply-text for connection.close / channel.close, e.g. "NOT_FOUND - no queue 'q' in vhost '/'".
   * Cut to 255 bytes: a text quoting a long queue name would not fit a shortstr otherwise.
   */
  get replyText(): string {
    const name = replyCodeName[this.code] ?? 'UNKNOWN_ERROR';
    return truncateUtf8(`${name} - ${this.message}`, REPLY_TEXT_MAX_BYTES);
  }

  /** True when the spec classes the code as a hard error: the whole connection must close, not just the channel. */
  get isConnectionError(): boolean {
    return isConnectionError(this.code);
  }
}
