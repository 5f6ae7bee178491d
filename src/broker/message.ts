import {
  contentHeaderPropertyFlags,
  decodeContentHeader,
  peekDeliveryMode,
  peekPriority,
  PropertyFlag,
} from '../amqp/content.js';
import type { BasicProperties } from '../amqp/spec.generated.js';

/**
 * A published message as the broker keeps it: where it was published, the content
 * header bytes exactly as received (forwarded to consumers unchanged) and the body.
 * Properties are decoded only when a feature asks for them, and then once.
 * One Message is shared by every queue it was routed to.
 */
export class Message {
  private decodedProperties: BasicProperties | undefined;
  private deliveryModeCache = -1;
  /** Extra routing keys from the CC and BCC headers (sender-selected distribution). */
  ccKeys: readonly string[] | undefined;
  /** The CC keys alone: BCC never shows, not even in x-death. */
  visibleCcKeys: readonly string[] | undefined;

  constructor(
    readonly exchange: string,
    readonly routingKey: string,
    /** Content-header payload (class-id, weight, body-size, flags, properties). */
    readonly header: Buffer,
    readonly body: Buffer,
  ) {}

  get bodySize(): number {
    return this.body.length;
  }

  get properties(): BasicProperties {
    return (this.decodedProperties ??= decodeContentHeader(this.header, 0, this.header.length).properties);
  }

  get persistent(): boolean {
    if (this.deliveryModeCache < 0) this.deliveryModeCache = peekDeliveryMode(this.header, 0, this.header.length);
    return this.deliveryModeCache === 2;
  }

  /** The priority property (0 when absent), read from the raw header without decoding it. */
  get priority(): number {
    return peekPriority(this.header, 0, this.header.length);
  }

  hasProperty(flag: number): boolean {
    return (contentHeaderPropertyFlags(this.header, 0, this.header.length) & flag) !== 0;
  }

  /** The per-message TTL in ms from the expiration property, or undefined when absent or invalid. */
  get expirationMs(): number | undefined {
    if (!this.hasProperty(PropertyFlag.Expiration)) return undefined;
    return parseExpiration(this.properties.expiration);
  }
}

/** The expiration property in ms, or undefined when absent or invalid. */
export function parseExpiration(value: string | undefined): number | undefined {
  if (value === undefined || expirationProblem(value) !== undefined) return undefined;
  return Number(value);
}

/**
 * Why RabbitMQ would refuse an expiration (Erlang's string:to_integer reasons), or
 * undefined if it is a valid non-negative integer of milliseconds.
 */
export function expirationProblem(value: string): string | undefined {
  const match = /^[+-]?\d+/.exec(value);
  if (!match) return 'no_integer';
  if (match[0].length < value.length) return `{leftover_string,"${value.slice(match[0].length)}"}`;
  const ms = Number(match[0]);
  if (ms < 0) return `{value_negative,${ms}}`;
  if (!Number.isSafeInteger(ms)) return `{value_too_large,${match[0]}}`;
  return undefined;
}
