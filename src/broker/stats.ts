/**
 * Message counters, as RabbitMQ's management API and Prometheus metrics report them.
 * Plain integer fields bumped on the hot path; rates are derived by sampling them.
 */
/** What queues and channels both count about messages going out (RabbitMQ's message_stats). */
export class DeliveryStats {
  /** Messages published (RabbitMQ's `publish`: enqueued in a queue, received on a channel). */
  publish = 0;
  /** Deliveries to consumers expecting acks (`deliver`). */
  deliver = 0;
  /** Deliveries to no-ack consumers (`deliver_no_ack`). */
  deliverNoAck = 0;
  /** basic.get expecting an ack (`get`) and without (`get_no_ack`). */
  get = 0;
  getNoAck = 0;
  /** Deliveries and gets with redelivered=true (`redeliver`). */
  redeliver = 0;
  ack = 0;
}

export class QueueStats extends DeliveryStats {}

/** One channel's message counters, as RabbitMQ's /api/channels reports them (message_stats). */
export class ChannelStats extends DeliveryStats {
  confirm = 0;
  returnUnroutable = 0;
}

export class ExchangeStats {
  /** Messages published to the exchange (`publish_in`). */
  publishIn = 0;
  /** Messages it routed to at least one queue (`publish_out`). */
  publishOut = 0;
}

/** Broker-wide totals (RabbitMQ's global counters, e.g. rabbitmq_global_messages_received_total). */
export class GlobalStats {
  received = 0;
  routed = 0;
  unroutableDropped = 0;
  unroutableReturned = 0;
  confirmed = 0;
  delivered = 0;
  redelivered = 0;
  acknowledged = 0;
  get = 0;
}
