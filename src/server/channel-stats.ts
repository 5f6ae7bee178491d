/** One channel's message counters, as RabbitMQ's /api/channels reports them (message_stats). */
export class ChannelStats {
  publish = 0;
  confirm = 0;
  returnUnroutable = 0;
  deliver = 0;
  deliverNoAck = 0;
  get = 0;
  getNoAck = 0;
  redeliver = 0;
  ack = 0;
}
