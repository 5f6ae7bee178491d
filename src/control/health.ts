import type { ControlContext } from './context.js';
import { requireVhost } from './exchanges.js';
import type { JsonObject } from './json-table.js';
import type { MessagesControl } from './messages.js';
import type { QueuesControl } from './queues.js';

/** A health check's answer: ok, or failed with RabbitMQ's fields saying why. */
export interface HealthResult {
  ok: boolean;
  body: JsonObject;
}

const ok = (extra: JsonObject = {}): HealthResult => ({ ok: true, body: { status: 'ok', ...extra } });
const failed = (body: JsonObject): HealthResult => ({ ok: false, body: { status: 'failed', ...body } });

/** RabbitMQ 3.10's health checks that mean something on a single node. */
export class HealthControl {
  constructor(
    private readonly ctx: ControlContext,
    private readonly queues: QueuesControl,
    private readonly messages: MessagesControl,
  ) {}

  alarms(): HealthResult {
    const alarms = this.ctx.alarms();
    if (alarms.length === 0) return ok();
    return failed({
      reason: 'resource alarm(s) in effect in the cluster',
      alarms: alarms.map((resource) => ({ node: this.ctx.node, resource })),
    });
  }

  portListener(port: number): HealthResult {
    const ports = this.ctx.listeners.map((listener) => listener.port);
    if (ports.includes(port)) return ok({ port });
    return failed({ reason: 'No active listener', missing: port, ports });
  }

  protocolListener(protocol: string): HealthResult {
    const protocols = [...new Set(this.ctx.listeners.map((listener) => listener.protocol))];
    if (protocols.includes(protocol as never)) return ok({ protocol });
    return failed({ reason: 'No active listener', missing: protocol, protocols });
  }

  /** A single node has no quorum or mirror to lose. */
  singleNode(): HealthResult {
    return ok({ reason: 'single node cluster' });
  }

  virtualHosts(): HealthResult {
    return ok();
  }

  /**
   * RabbitMQ's aliveness test: declare the vhost's `aliveness-test` queue, publish a
   * message to it and get it back.
   */
  aliveness(vhostName: string): HealthResult {
    requireVhost(this.ctx, vhostName);
    this.queues.declare(vhostName, 'aliveness-test', {});
    this.messages.publish(vhostName, 'amq.default', {
      routing_key: 'aliveness-test',
      payload: 'test_message',
      payload_encoding: 'string',
      properties: {},
    });
    const got = this.messages.get(vhostName, 'aliveness-test', { count: 1, ackmode: 'ack_requeue_false', encoding: 'auto' });
    if (got.length === 1 && got[0].payload === 'test_message') return ok();
    return failed({ reason: 'aliveness-test message did not come back' });
  }
}
