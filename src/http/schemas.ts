/** JSON schemas of the request bodies, as RabbitMQ's API takes them. */

const stringOrList = { anyOf: [{ type: 'string' }, { type: 'array', items: { type: 'string' } }] };

export const vhostBody = {
  type: 'object',
  properties: {
    description: { type: 'string' },
    tags: stringOrList,
    tracing: { type: 'boolean' },
    default_queue_type: { type: 'string' },
    defaultqueuetype: { type: 'string' },
  },
};

export const userBody = {
  type: 'object',
  properties: {
    password: { type: 'string' },
    password_hash: { type: 'string' },
    hashing_algorithm: { type: 'string' },
    tags: stringOrList,
  },
};

export const permissionsBody = {
  type: 'object',
  required: ['configure', 'write', 'read'],
  properties: { configure: { type: 'string' }, write: { type: 'string' }, read: { type: 'string' } },
};

export const exchangeBody = {
  type: 'object',
  properties: {
    type: { type: 'string' },
    durable: { type: 'boolean' },
    auto_delete: { type: 'boolean' },
    internal: { type: 'boolean' },
    arguments: { type: 'object' },
  },
};

export const queueBody = {
  type: 'object',
  properties: {
    durable: { type: 'boolean' },
    auto_delete: { type: 'boolean' },
    arguments: { type: 'object' },
    node: { type: 'string' },
  },
};

export const bindingBody = {
  type: 'object',
  properties: { routing_key: { type: 'string' }, arguments: { type: 'object' } },
};

export const publishBody = {
  type: 'object',
  required: ['properties', 'routing_key', 'payload', 'payload_encoding'],
  properties: {
    properties: { type: 'object' },
    routing_key: { type: 'string' },
    payload: { type: 'string' },
    payload_encoding: { type: 'string', enum: ['string', 'base64'] },
  },
};

export const getBody = {
  type: 'object',
  required: ['count', 'ackmode', 'encoding'],
  properties: {
    count: { type: 'integer', minimum: 0 },
    ackmode: { type: 'string', enum: ['ack_requeue_true', 'ack_requeue_false', 'reject_requeue_true', 'reject_requeue_false'] },
    encoding: { type: 'string' },
    truncate: { type: 'integer', minimum: 0 },
  },
};

export const definitionsBody = { type: 'object' };

export const bulkDeleteBody = {
  type: 'object',
  required: ['users'],
  properties: { users: { type: 'array', items: { type: 'string' } } },
};

/** PUT /api/policies/{vhost}/{name}: values are checked by the policy validator, with RabbitMQ's texts. */
export const policyBody = {
  type: 'object',
  required: ['pattern', 'definition'],
};

/** PUT /api/vhost-limits/{vhost}/{name} and /api/user-limits/{user}/{name}. */
export const limitValueBody = {
  type: 'object',
  required: ['value'],
};
