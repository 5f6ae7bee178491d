import type { Command } from 'commander';
import { apiPath } from './api-client.js';
import { columnHelp, pickColumns, withContext } from './context.js';
import type { Kind } from './format.js';

const EXCHANGE_COLUMNS: Record<string, Kind> = {
  name: 'plain',
  type: 'plain',
  durable: 'plain',
  auto_delete: 'plain',
  internal: 'plain',
  arguments: 'table',
  policy: 'plain',
};

const BINDING_COLUMNS: Record<string, Kind> = {
  source_name: 'plain',
  source_kind: 'plain',
  destination_name: 'plain',
  destination_kind: 'plain',
  routing_key: 'plain',
  arguments: 'table',
};

interface ApiBinding {
  source: string;
  destination: string;
  destination_type: string;
  routing_key: string;
  arguments?: Record<string, unknown>;
}

export function registerExchangeCommands(program: Command): void {
  program
    .command('list_exchanges')
    .description('Lists exchanges in a vhost (-p, default "/"); default columns: name type')
    .argument('[columns...]')
    .addHelpText('after', columnHelp(EXCHANGE_COLUMNS))
    .action(
      withContext(async (ctx, requested: string[]) => {
        const columns = pickColumns(requested, EXCHANGE_COLUMNS, ['name', 'type']);
        ctx.out.banner(`Listing exchanges for vhost ${ctx.vhost} ...`);
        ctx.out.rows(columns, await ctx.api.list<Record<string, unknown>>(apiPath`/exchanges/${ctx.vhost}`));
      }),
    );

  program
    .command('list_bindings')
    .description('Lists bindings in a vhost (-p, default "/"); default columns: all')
    .argument('[columns...]')
    .addHelpText('after', columnHelp(BINDING_COLUMNS))
    .action(
      withContext(async (ctx, requested: string[]) => {
        const columns = pickColumns(requested, BINDING_COLUMNS, Object.keys(BINDING_COLUMNS));
        // rabbitmqctl 3.10 prints no space before the dots here.
        ctx.out.banner(`Listing bindings for vhost ${ctx.vhost}...`);
        const bindings = await ctx.api.list<ApiBinding>(apiPath`/bindings/${ctx.vhost}`);
        ctx.out.rows(
          columns,
          bindings.map((b) => ({
            source_name: b.source,
            // Only exchanges are binding sources in AMQP 0-9-1.
            source_kind: 'exchange',
            destination_name: b.destination,
            destination_kind: b.destination_type,
            routing_key: b.routing_key,
            arguments: b.arguments ?? {},
          })),
        );
      }),
    );
}
