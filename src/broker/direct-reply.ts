import type { Message } from './message.js';

/**
 * RabbitMQ's direct reply-to: the pseudo-queue a requester consumes, and the address
 * prefix of the replies that go straight to it, with no queue in between.
 */
export const DIRECT_REPLY_TO = 'amq.rabbitmq.reply-to';
export const DIRECT_REPLY_PREFIX = `${DIRECT_REPLY_TO}.`;

/** Receives replies sent to its direct reply-to address. */
export interface DirectReplyTarget {
  deliverReply(message: Message): void;
}

export function isDirectReplyAddress(routingKey: string): boolean {
  return routingKey.startsWith(DIRECT_REPLY_PREFIX);
}
