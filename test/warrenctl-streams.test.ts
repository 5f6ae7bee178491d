// warrenctl add_super_stream / delete_super_stream (rabbitmq-streams' commands) over the
// management API, checked through the stream protocol: the super stream they make is what
// Partitions and Route read, as one made with the protocol's CreateSuperStream.

import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import * as streams from 'rabbitmq-stream-js-client';
import { Broker } from '../src/index.js';
import { expectRun, runCtl, type CtlTarget } from './support/ctl.js';

let broker: Broker;
let target: CtlTarget;
let client: streams.Client;

before(async () => {
  broker = await Broker.start({ port: 0, httpPort: 0, streamPort: 0 });
  target = { api: broker.httpUrl!, amqp: broker.url, external: false, close: async () => {} };
  client = await streams.connect({ hostname: '127.0.0.1', port: broker.streamPort!, username: 'guest', password: 'guest', vhost: '/' });
});

after(async () => {
  await client.close();
  await broker.close();
});

test('add_super_stream --partitions 2 makes <name>-0 and <name>-1, bound with keys 0 and 1 in order', async () => {
  const added = await runCtl(target, ['add_super_stream', 'orders', '--partitions', '2', '--max-age', '1D']);
  expectRun(added, 0, /Super stream orders was created/);
  assert.deepEqual(await client.partitionsQuery({ superStream: 'orders' }), ['orders-0', 'orders-1']);
  assert.deepEqual(await client.routeQuery({ routingKey: '1', superStream: 'orders' }), ['orders-1']);
  const queue = await (await fetch(`${broker.httpUrl}/api/queues/%2F/orders-0`, { headers: { authorization: `Basic ${Buffer.from('guest:guest').toString('base64')}` } })).json();
  assert.deepEqual((queue as { arguments: unknown }).arguments, { 'x-max-age': '1D', 'x-queue-type': 'stream' });
  const again = await runCtl(target, ['add_super_stream', 'orders', '--partitions', '2']);
  expectRun(again, 64, /Adding a super stream/, /there is already an exchange named orders/);
});

test('add_super_stream --routing-keys names the partitions after their keys; delete_super_stream removes it all', async () => {
  expectRun(await runCtl(target, ['add_super_stream', 'regions', '--routing-keys', 'amer,emea,apac']), 0, /was created/);
  assert.deepEqual(await client.partitionsQuery({ superStream: 'regions' }), ['regions-amer', 'regions-emea', 'regions-apac']);
  assert.deepEqual(await client.routeQuery({ routingKey: 'emea', superStream: 'regions' }), ['regions-emea']);
  expectRun(await runCtl(target, ['delete_super_stream', 'regions']), 0, /was deleted/);
  await assert.rejects(client.partitionsQuery({ superStream: 'regions' }));
  const metadata = await client.queryMetadata({ streams: ['regions-amer'] });
  assert.equal(metadata[0]!.leader, undefined);
});

test('add_super_stream refuses both --partitions and --routing-keys', async () => {
  expectRun(await runCtl(target, ['add_super_stream', 'x', '--partitions', '2', '--routing-keys', 'a']), 64, '', /Specify --partitions or --routing-keys, not both/);
});
