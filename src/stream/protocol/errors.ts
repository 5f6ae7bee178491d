import { commandName, ResponseCode } from './constants.js';

/**
 * A peer sent bytes we refuse. `code` is the response code to close the connection with
 * (RabbitMQ sends Close with it once authenticated; before that it closes silently).
 * A bug on our side (encoding a value that does not fit) is a RangeError instead.
 */
export class StreamProtocolError extends Error {
  constructor(
    readonly code: number,
    text: string,
  ) {
    super(text);
    this.name = 'StreamProtocolError';
  }
}

/**
 * A frame's size field is refused before any of the frame is buffered: over frameMax
 * (FRAME_TOO_LARGE, like RabbitMQ's {frame_too_large, Size, Max}) or too small to hold
 * key and version (UNKNOWN_FRAME). The reader has stopped.
 */
export class FrameSizeError extends StreamProtocolError {
  constructor(
    readonly size: number,
    readonly max: number,
  ) {
    super(
      size < 4 ? ResponseCode.UNKNOWN_FRAME : ResponseCode.FRAME_TOO_LARGE,
      size < 4
        ? `frame size ${size} cannot hold a key and a version (4 bytes)`
        : `frame too large: ${size} bytes, frame_max is ${max}`,
    );
    this.name = 'FrameSizeError';
  }
}

/** Why a frame could not be decoded. */
export type DecodeProblem = 'unknown-command' | 'unsupported-version' | 'malformed';

/**
 * A whole frame that is not a command we can decode. RabbitMQ treats all three problems
 * the same way ({unknown, Bin}: Close with UNKNOWN_FRAME), so that is `code`; `problem`
 * and the text say which, for logs.
 */
export class CommandDecodeError extends StreamProtocolError {
  constructor(
    readonly key: number,
    readonly version: number,
    readonly problem: DecodeProblem,
    detail: string,
  ) {
    super(ResponseCode.UNKNOWN_FRAME, `${commandName(key)} v${version}: ${detail}`);
    this.name = 'CommandDecodeError';
  }

  /** The command's name, e.g. 'Subscribe' or 'ConsumerUpdateResponse'. */
  get command(): string {
    return commandName(this.key);
  }
}
