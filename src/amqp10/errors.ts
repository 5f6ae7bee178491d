/**
 * Malformed AMQP 1.0 input. Stream records come from clients (and from disk), so every
 * decoder in this folder throws this instead of reading out of range: `offset` is where
 * in the buffer the problem was found.
 */
export class Amqp10DecodeError extends Error {
  constructor(
    text: string,
    readonly offset: number,
  ) {
    super(`${text} (at offset ${offset})`);
    this.name = 'Amqp10DecodeError';
  }
}

export function decodeError(text: string, offset: number): never {
  throw new Amqp10DecodeError(text, offset);
}
