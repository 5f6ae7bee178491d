// Field names of RabbitMQ 3.10.8's management API, recorded from a live node (GET on each
// resource with a queue holding messages, a consumer, a confirm channel, a published
// exchange). The API tests check that Warren's answers carry every one of them, except
// the few listed in OMITTED, which Warren has no honest value for.

export const RABBITMQ_FIELDS = {
  overview: ["churn_rates", "cluster_name", "contexts", "disable_stats", "enable_queue_totals", "erlang_full_version", "erlang_version", "exchange_types", "listeners", "management_version", "message_stats", "node", "object_totals", "product_name", "product_version", "queue_totals", "rabbitmq_version", "rates_mode", "release_series_support_status", "sample_retention_policies", "statistics_db_event_queue"],
  whoami: ["name", "tags"],
  vhost: ["cluster_state", "default_queue_type", "description", "message_stats", "messages", "messages_details", "messages_ready", "messages_ready_details", "messages_unacknowledged", "messages_unacknowledged_details", "metadata", "name", "recv_oct", "recv_oct_details", "send_oct", "send_oct_details", "tags", "tracing"],
  user: ["hashing_algorithm", "limits", "name", "password_hash", "tags"],
  permission: ["configure", "read", "user", "vhost", "write"],
  exchangeListed: ["arguments", "auto_delete", "durable", "internal", "name", "type", "user_who_performed_action", "vhost"],
  exchangeDetail: ["arguments", "auto_delete", "durable", "incoming", "internal", "message_stats", "name", "outgoing", "type", "user_who_performed_action", "vhost"],
  binding: ["arguments", "destination", "destination_type", "properties_key", "routing_key", "source", "vhost"],
  queueListed: ["arguments", "auto_delete", "backing_queue_status", "consumer_capacity", "consumer_utilisation", "consumers", "durable", "effective_policy_definition", "exclusive", "exclusive_consumer_tag", "garbage_collection", "head_message_timestamp", "idle_since", "memory", "message_bytes", "message_bytes_paged_out", "message_bytes_persistent", "message_bytes_ram", "message_bytes_ready", "message_bytes_unacknowledged", "message_stats", "messages", "messages_details", "messages_paged_out", "messages_persistent", "messages_ram", "messages_ready", "messages_ready_details", "messages_ready_ram", "messages_unacknowledged", "messages_unacknowledged_details", "messages_unacknowledged_ram", "name", "node", "operator_policy", "policy", "recoverable_slaves", "reductions", "reductions_details", "single_active_consumer_tag", "state", "type", "vhost"],
  queueDetail: ["arguments", "auto_delete", "backing_queue_status", "consumer_capacity", "consumer_details", "consumer_utilisation", "consumers", "deliveries", "durable", "effective_policy_definition", "exclusive", "exclusive_consumer_tag", "garbage_collection", "head_message_timestamp", "idle_since", "incoming", "memory", "message_bytes", "message_bytes_paged_out", "message_bytes_persistent", "message_bytes_ram", "message_bytes_ready", "message_bytes_unacknowledged", "message_stats", "messages", "messages_details", "messages_paged_out", "messages_persistent", "messages_ram", "messages_ready", "messages_ready_details", "messages_ready_ram", "messages_unacknowledged", "messages_unacknowledged_details", "messages_unacknowledged_ram", "name", "node", "operator_policy", "policy", "recoverable_slaves", "reductions", "reductions_details", "single_active_consumer_tag", "state", "type", "vhost"],
  consumer: ["ack_required", "active", "activity_status", "arguments", "channel_details", "consumer_tag", "exclusive", "prefetch_count", "queue"],
  consumerChannelDetails: ["connection_name", "name", "node", "number", "peer_host", "peer_port", "user"],
  connection: ["auth_mechanism", "channel_max", "channels", "client_properties", "connected_at", "frame_max", "garbage_collection", "host", "name", "node", "peer_cert_issuer", "peer_cert_subject", "peer_cert_validity", "peer_host", "peer_port", "port", "protocol", "recv_cnt", "recv_oct", "recv_oct_details", "reductions", "reductions_details", "send_cnt", "send_oct", "send_oct_details", "send_pend", "ssl", "ssl_cipher", "ssl_hash", "ssl_key_exchange", "ssl_protocol", "state", "timeout", "type", "user", "user_provided_name", "user_who_performed_action", "vhost"],
  channelListed: ["acks_uncommitted", "confirm", "connection_details", "consumer_count", "garbage_collection", "global_prefetch_count", "idle_since", "message_stats", "messages_unacknowledged", "messages_uncommitted", "messages_unconfirmed", "name", "node", "number", "pending_raft_commands", "prefetch_count", "reductions", "reductions_details", "state", "transactional", "user", "user_who_performed_action", "vhost"],
  channelDetail: ["acks_uncommitted", "confirm", "connection_details", "consumer_count", "consumer_details", "deliveries", "garbage_collection", "global_prefetch_count", "idle_since", "message_stats", "messages_unacknowledged", "messages_uncommitted", "messages_unconfirmed", "name", "node", "number", "pending_raft_commands", "prefetch_count", "publishes", "reductions", "reductions_details", "state", "transactional", "user", "user_who_performed_action", "vhost"],
  queueMessageStats: ["ack", "ack_details", "deliver", "deliver_details", "deliver_get", "deliver_get_details", "deliver_no_ack", "deliver_no_ack_details", "get", "get_details", "get_empty", "get_empty_details", "get_no_ack", "get_no_ack_details", "publish", "publish_details", "redeliver", "redeliver_details"],
  exchangeMessageStats: ["publish_in", "publish_in_details", "publish_out", "publish_out_details"],
  vhostDefinitions: ["bindings", "exchanges", "parameters", "policies", "queues", "rabbit_version"],
  message: ["exchange", "message_count", "payload", "payload_bytes", "payload_encoding", "properties", "redelivered", "routing_key"],
  page: ["filtered_count", "item_count", "items", "page", "page_count", "page_size", "total_count"],
} as const;

/** Fields Warren leaves out: Erlang process internals, and byte counts its queue stores do not keep. */
export const OMITTED: Partial<Record<keyof typeof RABBITMQ_FIELDS, readonly string[]>> = {
  queueListed: ["garbage_collection", "message_bytes", "message_bytes_paged_out", "message_bytes_persistent", "message_bytes_ram", "message_bytes_ready", "message_bytes_unacknowledged"],
  queueDetail: ["garbage_collection", "message_bytes", "message_bytes_paged_out", "message_bytes_persistent", "message_bytes_ram", "message_bytes_ready", "message_bytes_unacknowledged"],
  channelListed: ["idle_since"],
  channelDetail: ["idle_since"],
};
