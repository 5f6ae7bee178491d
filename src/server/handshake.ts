import { hostname } from 'node:os';
import type { FieldTable } from '../amqp/field-table.js';
import { AmqpError } from '../amqp/errors.js';
import { ReplyCode, type ConnectionTuneOk } from '../amqp/spec.generated.js';
import { ByteReader } from '../amqp/byte-reader.js';
import { VERSION } from '../version.js';
import { FRAME_MIN_SIZE, type ServerSettings } from './settings.js';

export const PROTOCOL_HEADER = Buffer.from([0x41, 0x4d, 0x51, 0x50, 0, 0, 9, 1]); // "AMQP" 0-9-1

/** The nine capabilities RabbitMQ 3.10 announces; clients switch features on by them. */
const CAPABILITIES: FieldTable = {
  publisher_confirms: true,
  exchange_exchange_bindings: true,
  'basic.nack': true,
  consumer_cancel_notify: true,
  'connection.blocked': true,
  consumer_priorities: true,
  authentication_failure_close: true,
  per_consumer_qos: true,
  direct_reply_to: true,
};

export function serverProperties(settings: ServerSettings): FieldTable {
  return {
    capabilities: CAPABILITIES,
    cluster_name: `warren@${hostname()}`,
    copyright: 'Copyright (c) Warren developers',
    information: 'Licensed under the MIT License',
    platform: `Node.js ${process.version}`,
    product: 'Warren',
    version: VERSION,
    ...settings.serverProperties,
  };
}

export const MECHANISMS = 'PLAIN AMQPLAIN';

export interface Credentials {
  username: string;
  password: string;
}

/** Credentials from a start-ok response, or undefined if the mechanism is unknown or the response malformed. */
export function parseCredentials(mechanism: string, response: Buffer): Credentials | undefined {
  if (mechanism === 'PLAIN') {
    // authzid NUL authcid NUL password
    const parts = response.toString('utf8').split('\u0000');
    if (parts.length !== 3) return undefined;
    return { username: parts[1], password: parts[2] };
  }
  if (mechanism === 'AMQPLAIN') {
    // A field table without its length prefix, holding LOGIN and PASSWORD.
    const withLength = Buffer.allocUnsafe(4 + response.length);
    withLength.writeUInt32BE(response.length, 0);
    response.copy(withLength, 4);
    try {
      const table = new ByteReader(withLength, 0, withLength.length).table();
      const { LOGIN: login, PASSWORD: password } = table;
      if (typeof login !== 'string' || typeof password !== 'string') return undefined;
      return { username: login, password };
    } catch {
      return undefined;
    }
  }
  return undefined;
}

export interface Tuning {
  frameMax: number;
  channelMax: number;
  heartbeat: number;
}

/**
 * RabbitMQ's rules: a client may lower frame_max and channel_max but not raise them
 * (0 means "no limit", which is a raise when the server has one), frame_max may not go
 * below 4096, and the client's heartbeat is taken as is. Violations are 530.
 */
export function negotiateTuning(settings: ServerSettings, tuneOk: ConnectionTuneOk): Tuning {
  check('frame_max', FRAME_MIN_SIZE, settings.frameMax, tuneOk.frameMax);
  check('channel_max', 1, settings.channelMax, tuneOk.channelMax);
  return {
    frameMax: tuneOk.frameMax,
    channelMax: tuneOk.channelMax === 0 ? settings.channelMax || 65535 : tuneOk.channelMax,
    heartbeat: tuneOk.heartbeat,
  };
}

function check(field: string, min: number, serverMax: number, client: number): void {
  if (client !== 0 && client < min) {
    throw new AmqpError(ReplyCode.NOT_ALLOWED, `${field}=${client} < ${min} min negotiated ${field} value`, 10, 31);
  }
  if (serverMax !== 0 && (client === 0 || client > serverMax)) {
    throw new AmqpError(
      ReplyCode.NOT_ALLOWED,
      `${field}=${client} > ${serverMax} max negotiated ${field} value`,
      10,
      31,
    );
  }
}
