import type { Command } from 'commander';
import { apiPath } from './api-client.js';
import { columnHelp, pickColumns, withContext } from './context.js';
import { CtlError, ExitCode } from './errors.js';
import type { Kind, Row } from './format.js';

/*
 * rabbitmqctl identifies connections and channels by Erlang pid; the HTTP API
 * by name ("127.0.0.1:53412 -> 127.0.0.1:5672", the same with " (1)" for
 * channel 1). So the pid columns print those names: what close_connection
 * takes, and `list_connections pid` piped into close_connection still works.
 */

const CONNECTION_COLUMNS: Record<string, Kind> = {
  auth_mechanism: 'plain',
  channel_max: 'plain',
  channels: 'plain',
  client_properties: 'table',
  connected_at: 'plain',
  frame_max: 'plain',
  host: 'ip',
  name: 'plain',
  peer_cert_issuer: 'plain',
  peer_cert_subject: 'plain',
  peer_cert_validity: 'plain',
  peer_host: 'ip',
  peer_port: 'plain',
  pid: 'plain',
  port: 'plain',
  protocol: 'protocol',
  recv_cnt: 'plain',
  recv_oct: 'plain',
  send_cnt: 'plain',
  send_oct: 'plain',
  send_pend: 'plain',
  ssl: 'plain',
  ssl_cipher: 'plain',
  ssl_hash: 'plain',
  ssl_key_exchange: 'plain',
  ssl_protocol: 'plain',
  state: 'plain',
  timeout: 'plain',
  user: 'plain',
  vhost: 'plain',
};

const CHANNEL_COLUMNS: Record<string, Kind> = {
  acks_uncommitted: 'plain',
  confirm: 'plain',
  connection: 'plain',
  consumer_count: 'plain',
  global_prefetch_count: 'plain',
  messages_unacknowledged: 'plain',
  messages_uncommitted: 'plain',
  messages_unconfirmed: 'plain',
  name: 'plain',
  number: 'plain',
  pid: 'plain',
  prefetch_count: 'plain',
  transactional: 'plain',
  user: 'plain',
  vhost: 'plain',
};

const CONSUMER_COLUMNS: Record<string, Kind> = {
  queue_name: 'plain',
  channel_pid: 'plain',
  consumer_tag: 'plain',
  ack_required: 'plain',
  prefetch_count: 'plain',
  active: 'plain',
  activity_status: 'plain',
  arguments: 'table',
};

interface ApiChannel {
  name: string;
  connection_details?: { name?: string };
  [field: string]: unknown;
}

interface ApiConsumer {
  queue?: { name?: string };
  channel_details?: { name?: string };
  [field: string]: unknown;
}

export function registerConnectionCommands(program: Command): void {
  program
    .command('list_connections')
    .description('Lists AMQP connections; default columns: user peer_host peer_port state')
    .argument('[columns...]')
    .addHelpText('after', columnHelp(CONNECTION_COLUMNS))
    .action(
      withContext(async (ctx, requested: string[]) => {
        const columns = pickColumns(requested, CONNECTION_COLUMNS, ['user', 'peer_host', 'peer_port', 'state']);
        ctx.out.banner('Listing connections ...');
        const connections = await ctx.api.list<Row>('/connections');
        ctx.out.rows(columns, connections.map((c) => ({ ...c, pid: c.name })));
      }),
    );

  program
    .command('list_channels')
    .description('Lists channels; default columns: pid user consumer_count messages_unacknowledged')
    .argument('[columns...]')
    .addHelpText('after', columnHelp(CHANNEL_COLUMNS))
    .action(
      withContext(async (ctx, requested: string[]) => {
        const columns = pickColumns(requested, CHANNEL_COLUMNS, ['pid', 'user', 'consumer_count', 'messages_unacknowledged']);
        ctx.out.banner('Listing channels ...');
        const channels = await ctx.api.list<ApiChannel>('/channels');
        ctx.out.rows(columns, channels.map((c) => ({ ...c, pid: c.name, connection: c.connection_details?.name })));
      }),
    );

  program
    .command('list_consumers')
    .description('Lists consumers in a vhost (-p, default "/"); default columns: all but activity_status')
    .argument('[columns...]')
    .addHelpText('after', columnHelp(CONSUMER_COLUMNS))
    .action(
      withContext(async (ctx, requested: string[]) => {
        const defaults = Object.keys(CONSUMER_COLUMNS).filter((c) => c !== 'activity_status');
        const columns = pickColumns(requested, CONSUMER_COLUMNS, defaults);
        ctx.out.banner(`Listing consumers in vhost ${ctx.vhost} ...`);
        const consumers = await ctx.api.list<ApiConsumer>(apiPath`/consumers/${ctx.vhost}`);
        ctx.out.rows(
          columns,
          consumers.map((c) => ({ ...c, queue_name: c.queue?.name, channel_pid: c.channel_details?.name })),
        );
      }),
    );

  program
    .command('close_connection')
    .description('Closes a connection, named as list_connections shows it (name or pid column)')
    .argument('<connection>')
    .argument('<explanation>')
    .action(
      withContext(async (ctx, connection: string, explanation: string) => {
        ctx.out.banner(`Closing connection ${connection}, reason: ${explanation}...`);
        const { status } = await ctx.api.delete(apiPath`/connections/${connection}`, {
          // The API passes X-Reason on to the client in connection.close. HTTP
          // headers carry Latin-1 only, so anything else is replaced.
          headers: { 'x-reason': explanation.replace(/[^\x20-\x7e\xa0-\xff]/g, '?') },
          accept: [404],
        });
        if (status === 404) throw new CtlError(`connection "${connection}" does not exist`, ExitCode.UNAVAILABLE);
        await ctx.done();
      }),
    );
}
