import { DeliveryStats } from '../broker/stats.js';

/** One channel's message counters, as RabbitMQ's /api/channels reports them (message_stats). */
export class ChannelStats extends DeliveryStats {
  confirm = 0;
  returnUnroutable = 0;
}
