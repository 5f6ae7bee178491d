import {
  contentHeaderPropertyFlags,
  decodeContentHeader,
  peekDeliveryMode,
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

  hasProperty(flag: number): boolean {
    return (contentHeaderPropertyFlags(this.header, 0, this.header.length) & flag) !== 0;
  }

  /** The per-message TTL in ms from the expiration property, or undefined when absent or invalid. */
  get expirationMs(): number | undefined {
    if (!this.hasProperty(PropertyFlag.Expiration)) return undefined;
    return parseExpiration(this.properties.expiration);
  }
}

/** RabbitMQ accepts only a non-negative integer in decimal as expiration. */
export function parseExpiration(value: string | undefined): number | undefined {
  if (value === undefined || !/^\d+$/.test(value)) return undefined;
  const ms = Number(value);
  return Number.isSafeInteger(ms) ? ms : undefined;
}
