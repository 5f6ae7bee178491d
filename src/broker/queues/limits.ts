import type { Message } from '../message.js';
import type { QueueSettings } from './settings.js';
import type { QueueStore } from './store.js';

/**
 * Length limits as RabbitMQ applies them, on ready messages only (unacked ones do not
 * count) and on body bytes (x-max-length-bytes ignores properties and headers).
 */

/** drop-head: the queue holds more than its limits allow, so its head must go. */
export function isOverLimit(settings: QueueSettings, store: QueueStore): boolean {
  const { maxLength, maxLengthBytes } = settings;
  return (maxLength !== undefined && store.length > maxLength) || (maxLengthBytes !== undefined && store.bytes > maxLengthBytes);
}

/** reject-publish(-dlx): taking `message` would put the queue over its limits, so it is refused. */
export function wouldOverflow(settings: QueueSettings, store: QueueStore, message: Message): boolean {
  const { maxLength, maxLengthBytes } = settings;
  return (
    (maxLength !== undefined && store.length + 1 > maxLength) ||
    (maxLengthBytes !== undefined && store.bytes + message.bodySize > maxLengthBytes)
  );
}
