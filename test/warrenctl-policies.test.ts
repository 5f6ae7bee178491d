// warrenctl's policy, operator-policy and limit commands, and add_vhost's default queue
// type, end to end: the compiled CLI against a broker's management API, with stdout,
// stderr and exit codes as rabbitmqctl 3.10.8 prints them (/work/notes/policies.md §4,
// §6; /work/notes/queue-args.md §5).
//
//   WARRENCTL_TEST_API=http://127.0.0.1:15673 WARRENCTL_TEST_AMQP=amqp://guest:guest@127.0.0.1:5673/ node --test dist/test/warrenctl-policies.test.js
//
// runs it against an external broker (RabbitMQ, whose API warrenctl speaks as well).
// Everything lives in vhosts and users of this file's own, removed afterwards.

import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { after, before, describe, test } from 'node:test';
import amqp from 'amqplib';
import { ctlApi, type CtlTarget, expectRun, runCtl, startCtlTarget } from './support/ctl.js';

const ID = `wctlpol-${process.pid}-${randomBytes(3).toString('hex')}`;
const VHOST = `${ID}-vh`;
const enc = encodeURIComponent;

let target: CtlTarget;
const ctl = (...args: string[]) => runCtl(target, args);
const api = (method: string, path: string, body?: unknown) => ctlApi(target, method, path, body);

let vhostCount = 0;
/** A fresh vhost (guest gets permissions on it, as the API's creator). */
async function freshVhost(): Promise<string> {
  const name = `${ID}-v${++vhostCount}`;
  assert.equal((await api('PUT', `/vhosts/${enc(name)}`, {})).status, 201);
  return name;
}

let userCount = 0;
async function freshUser(): Promise<string> {
  const name = `${ID}-u${++userCount}`;
  assert.equal((await api('PUT', `/users/${enc(name)}`, { password: 'pw', tags: '' })).status, 201);
  return name;
}

before(async () => {
  target = await startCtlTarget();
  assert.equal((await api('PUT', `/vhosts/${enc(VHOST)}`, {})).status, 201);
});

after(async () => {
  if (!target) return;
  const vhosts = (await api('GET', '/vhosts')).body as { name: string }[];
  for (const v of vhosts.filter((v) => v.name.startsWith(ID))) await api('DELETE', `/vhosts/${enc(v.name)}`);
  const users = (await api('GET', '/users')).body as { name: string }[];
  for (const u of users.filter((u) => u.name.startsWith(ID))) await api('DELETE', `/users/${enc(u.name)}`);
  await target.close();
});

/** rabbitmqctl's stderr for a refusal the broker explained. */
const refusal = (reason: string) => `Error:\n${reason}\n`;
const validation = (detail: string) => refusal(`Validation failed\n\n${detail}\n`);

describe('set_policy, list_policies, clear_policy', () => {
  test("set_policy prints rabbitmqctl's banner (definition as typed); options go before or after the positionals", async () => {
    const vhost = await freshVhost();
    expectRun(
      await ctl('set_policy', '-p', vhost, 'p1', '^q', '{"max-length":5}'),
      0,
      `Setting policy "p1" for pattern "^q" to "{"max-length":5}" with priority "0" for vhost "${vhost}" ...\n`,
    );
    expectRun(
      await ctl('set_policy', '-p', vhost, '--priority', '5', '--apply-to', 'queues', 'p2', '^q2', '{"message-ttl":1000,"max-length":3}'),
      0,
      `Setting policy "p2" for pattern "^q2" to "{"message-ttl":1000,"max-length":3}" with priority "5" for vhost "${vhost}" ...\n`,
    );
    expectRun(await ctl('set_policy', 'p3', '^x', '{"alternate-exchange":"ae"}', '--apply-to', 'exchanges', '--priority', '2', '-p', vhost), 0, /with priority "2" for vhost/);
    expectRun(await ctl('set_policy', 'p4', '.*', '{"max-length":5}', '--priority', '-1', '-p', vhost), 0, /with priority "-1"/);
    expectRun(await ctl('-q', 'set_policy', '-p', vhost, 'p1', '^q', '{"max-length":6}'), 0, '');
    // What the broker stored.
    const stored = await api('GET', `/policies/${enc(vhost)}/p2`);
    assert.deepEqual(stored.body, { vhost, name: 'p2', pattern: '^q2', 'apply-to': 'queues', definition: { 'max-length': 3, 'message-ttl': 1000 }, priority: 5 });
    assert.equal((await api('GET', `/policies/${enc(vhost)}/p1`)).body.definition['max-length'], 6);

    const table =
      'vhost\tname\tpattern\tapply-to\tdefinition\tpriority\n' +
      `${vhost}\tp4\t.*\tall\t{"max-length":5}\t-1\n` +
      `${vhost}\tp1\t^q\tall\t{"max-length":6}\t0\n` +
      `${vhost}\tp3\t^x\texchanges\t{"alternate-exchange":"ae"}\t2\n` +
      `${vhost}\tp2\t^q2\tqueues\t{"max-length":3,"message-ttl":1000}\t5\n`;
    expectRun(await ctl('list_policies', '-p', vhost), 0, `Listing policies for vhost "${vhost}" ...\n${table}`);
    expectRun(await ctl('list_policies', '-p', vhost, '-q'), 0, table);
    expectRun(await ctl('list_policies', '-p', vhost, '-s'), 0, table.slice(table.indexOf('\n') + 1));
    expectRun(
      await ctl('list_policies', '-p', vhost, '--formatter', 'json'),
      0,
      '[\n' +
        `{"vhost":"${vhost}","name":"p4","pattern":".*","apply-to":"all","definition":"{\\"max-length\\":5}","priority":-1}\n` +
        `,{"vhost":"${vhost}","name":"p1","pattern":"^q","apply-to":"all","definition":"{\\"max-length\\":6}","priority":0}\n` +
        `,{"vhost":"${vhost}","name":"p3","pattern":"^x","apply-to":"exchanges","definition":"{\\"alternate-exchange\\":\\"ae\\"}","priority":2}\n` +
        `,{"vhost":"${vhost}","name":"p2","pattern":"^q2","apply-to":"queues","definition":"{\\"max-length\\":3,\\"message-ttl\\":1000}","priority":5}\n` +
        ']\n',
    );

    expectRun(await ctl('clear_policy', '-p', vhost, 'p1'), 0, `Clearing policy "p1" on vhost "${vhost}" ...\n`);
    assert.equal((await api('GET', `/policies/${enc(vhost)}/p1`)).status, 404);
    expectRun(await ctl('clear_policy', '-p', vhost, 'p1'), 69, `Clearing policy "p1" on vhost "${vhost}" ...\n`, refusal('Parameter does not exist'));
  });

  test('no policies: the banner and an empty line, no header', async () => {
    const vhost = await freshVhost();
    expectRun(await ctl('list_policies', '-p', vhost), 0, `Listing policies for vhost "${vhost}" ...\n\n`);
    expectRun(await ctl('list_policies', '-p', vhost, '-q'), 0, '\n');
    expectRun(await ctl('list_policies', '-p', vhost, '-s'), 0, '\n');
    expectRun(await ctl('list_vhost_limits', '-p', vhost, '--formatter', 'json'), 0, '[]\n');
    expectRun(await ctl('list_operator_policies', '-p', vhost), 0, `Listing operator policy overrides for vhost "${vhost}" ...\n\n`);
  });

  test('refused definitions: Error: and the broker\'s reason (not HTML-escaped), exit 69, after the banner', async () => {
    const banner = (name: string, definition: string) =>
      `Setting policy "${name}" for pattern "^q" to "${definition}" with priority "0" for vhost "${VHOST}" ...\n`;
    const cases: Array<[string, string]> = [
      ['{"max-priority":5}', validation('[{<<"max-priority">>,5}] are not recognised policy settings')],
      ['{"foo":1,"bar":2}', validation('[{<<"bar">>,2},{<<"foo">>,1}] are not recognised policy settings')],
      ['{"max-length":"x"}', validation('<<"x">> is not a valid maximum length')],
      ['{"ha-mode":"exactly"}', validation('ha-mode="exactly" takes an integer, none given')],
      ['{}', validation('no policy provided')],
      ['{max-length:5}', refusal('JSON decoding error. Reason: badarg')],
      ['not json', refusal('JSON decoding error. Reason: badarg')],
    ];
    for (const [definition, stderr] of cases) {
      expectRun(await ctl('set_policy', '-p', VHOST, 'bad', '^q', definition), 69, banner('bad', definition), stderr, `set_policy ${definition}`);
    }
    // JSON that is not an object: rabbitmqctl crashes with a badmap (exit 69); warrenctl says why.
    expectRun(await ctl('set_policy', '-p', VHOST, 'bad', '^q', '[]'), 69, banner('bad', '[]'), /^Error:\na policy definition must be a JSON object, such as \{"max-length":1000\}; got \[\]\n$/);
    expectRun(
      await ctl('set_policy', '-p', VHOST, 'bad', '^(q', '{"max-length":5}'),
      69,
      /^Setting policy "bad" for pattern "\^\(q"/,
      /^Error:\nValidation failed\n\npattern should be regular expression but is invalid: .+\n\n$/,
    );
    const applyTo = await ctl('set_policy', '-p', VHOST, 'bad', '^q', '{"max-length":5}', '--apply-to', 'bogus');
    // RabbitMQ 3.10's text, or 4.x's (Warren's, which takes 3.12's per-type values too).
    expectRun(
      applyTo,
      69,
      banner('bad', '{"max-length":5}'),
      target.external
        ? validation("apply-to 'bogus' unrecognised; should be 'queues', 'exchanges' or 'all'")
        : validation("apply-to 'bogus' unrecognised; should be one of: 'queues', 'classic_queues', 'quorum_queues', 'streams', 'exchanges', or 'all'"),
    );
    assert.equal((await api('GET', `/policies/${enc(VHOST)}/bad`)).status, 404);
  });

  test('usage errors exit 64 and print no banner: --priority not an integer, too few or too many arguments', async () => {
    for (const args of [
      ['set_policy', 'p5', '^q', '{"max-length":5}', '--priority', '1.5'],
      ['set_policy', 'p6', '^q', '{"max-length":5}', '--priority', 'x'],
      ['set_policy', 'p7', '^q'],
      ['set_policy', 'p8'],
      ['set_policy', 'p9', '^q', '{"max-length":5}', 'extra'],
      ['clear_policy'],
      ['set_operator_policy', 'o1'],
    ]) {
      const r = await ctl(...args);
      expectRun(r, 64, '', /^Error: .+\n$/, args.join(' '));
    }
  });

  test('a vhost that does not exist: "Virtual host \'v\' does not exist", exit 65; clearing there: Parameter does not exist, 69', async () => {
    const missing = `${ID}-nosuchvhost`;
    expectRun(
      await ctl('set_policy', '-p', missing, 'p1', '^q', '{"max-length":5}'),
      65,
      `Setting policy "p1" for pattern "^q" to "{"max-length":5}" with priority "0" for vhost "${missing}" ...\n`,
      `Virtual host '${missing}' does not exist\n`,
    );
    expectRun(await ctl('list_policies', '-p', missing), 65, `Listing policies for vhost "${missing}" ...\n`, `Virtual host '${missing}' does not exist\n`);
    expectRun(await ctl('clear_policy', '-p', missing, 'p1'), 69, `Clearing policy "p1" on vhost "${missing}" ...\n`, refusal('Parameter does not exist'));
  });

  test('--formatter json on set_policy and clear_policy: {"node":...,"result":"ok"}', async () => {
    const vhost = await freshVhost();
    const set = JSON.parse((await ctl('set_policy', '-p', vhost, 'j', '^j', '{"max-length":1}', '--formatter', 'json')).stdout);
    assert.deepEqual(Object.keys(set), ['node', 'result']);
    assert.equal(set.result, 'ok');
    const cleared = JSON.parse((await ctl('clear_policy', '-p', vhost, 'j', '--formatter', 'json')).stdout);
    assert.deepEqual(cleared, set);
    expectRun(await ctl('list_policies', '-p', vhost, '--formatter', 'json'), 0, '[]\n');
  });

  test('a policy set with warrenctl acts on queues: list_queues shows it and the messages it kept', async () => {
    const vhost = await freshVhost();
    const url = new URL(target.amqp);
    url.pathname = `/${enc(vhost)}`;
    const conn = await amqp.connect(url.toString());
    try {
      const ch = await conn.createChannel();
      await ch.assertQueue('app.q1');
      for (const body of ['m1', 'm2', 'm3', 'm4', 'm5']) ch.sendToQueue('app.q1', Buffer.from(body));
      await ch.checkQueue('app.q1');
      expectRun(await ctl('set_policy', '-p', vhost, 'app', '^app\\.', '{"max-length":2}', '-q'), 0, '');
      const deadline = Date.now() + (target.external ? 20_000 : 2000);
      for (;;) {
        if ((await ch.checkQueue('app.q1')).messageCount === 2) break;
        assert.ok(Date.now() < deadline, 'the policy did not trim the queue');
        await new Promise((r) => setTimeout(r, 50));
      }
      // The management API's queue statistics lag behind on RabbitMQ.
      for (;;) {
        const r = await ctl('list_queues', '-p', vhost, '-s', 'name', 'messages', 'policy');
        if (r.stdout === 'app.q1\t2\tapp\n' || Date.now() > deadline) {
          expectRun(r, 0, 'app.q1\t2\tapp\n');
          break;
        }
        await new Promise((resolve) => setTimeout(resolve, 500));
      }
      const remaining: string[] = [];
      for (let m = await ch.get('app.q1', { noAck: true }); m; m = await ch.get('app.q1', { noAck: true })) remaining.push(m.content.toString());
      assert.deepEqual(remaining, ['m4', 'm5']);
    } finally {
      await conn.close();
    }
  });
});

describe('operator policies', () => {
  test('set_operator_policy, list_operator_policies, clear_operator_policy: their own banners; limits only', async () => {
    const vhost = await freshVhost();
    expectRun(
      await ctl('set_operator_policy', '-p', vhost, 'op1', '^q', '{"max-length":5}'),
      0,
      `Setting operator policy override "op1" for pattern "^q" to "{"max-length":5}" with priority "0" for vhost "${vhost}" ...\n`,
    );
    expectRun(await ctl('set_operator_policy', '-p', vhost, 'op1', '^q', '{"max-length":4}', '--priority', '3', '--apply-to', 'queues'), 0, /with priority "3"/);
    assert.deepEqual((await api('GET', `/operator-policies/${enc(vhost)}/op1`)).body, {
      vhost,
      name: 'op1',
      pattern: '^q',
      'apply-to': 'queues',
      definition: { 'max-length': 4 },
      priority: 3,
    });
    assert.equal((await api('GET', `/policies/${enc(vhost)}/op1`)).status, 404, 'an operator policy is not a user policy');
    expectRun(
      await ctl('set_operator_policy', '-p', vhost, 'op2', '^q', '{"dead-letter-exchange":"dlx"}'),
      69,
      /^Setting operator policy override "op2"/,
      validation('[{<<"dead-letter-exchange">>,<<"dlx">>}] are not recognised policy settings'),
    );
    expectRun(await ctl('set_operator_policy', '-p', vhost, 'op4', '^q', 'nojson'), 69, /^Setting operator policy override "op4"/, refusal('JSON decoding error. Reason: badarg'));

    expectRun(
      await ctl('list_operator_policies', '-p', vhost),
      0,
      `Listing operator policy overrides for vhost "${vhost}" ...\nvhost\tname\tpattern\tapply-to\tdefinition\tpriority\n${vhost}\top1\t^q\tqueues\t{"max-length":4}\t3\n`,
    );
    expectRun(
      await ctl('list_operator_policies', '-p', vhost, '--formatter', 'json'),
      0,
      `[\n{"vhost":"${vhost}","name":"op1","pattern":"^q","apply-to":"queues","definition":"{\\"max-length\\":4}","priority":3}\n]\n`,
    );
    expectRun(await ctl('list_policies', '-p', vhost), 0, `Listing policies for vhost "${vhost}" ...\n\n`);

    expectRun(await ctl('clear_operator_policy', '-p', vhost, 'op1'), 0, `Clearing operator policy "op1" on vhost "${vhost}" ...\n`);
    expectRun(await ctl('clear_operator_policy', '-p', vhost, 'op1'), 69, `Clearing operator policy "op1" on vhost "${vhost}" ...\n`, refusal('Parameter does not exist'));
    expectRun(await ctl('list_operator_policies', '-p', `${ID}-nosuchvhost`), 65, /^Listing operator policy overrides/, `Virtual host '${ID}-nosuchvhost' does not exist\n`);
  });
});

describe('vhost limits', () => {
  test('set_vhost_limits replaces, list_vhost_limits shows sorted JSON (and its json shapes), clear_vhost_limits', async () => {
    const vhost = await freshVhost();
    const other = await freshVhost();
    expectRun(await ctl('list_vhost_limits', '-p', vhost), 0, `Listing limits for vhost "${vhost}" ...\n\n`);
    expectRun(
      await ctl('set_vhost_limits', '-p', vhost, '{"max-queues": 300, "max-connections": 200}'),
      0,
      `Setting vhost limits to "{"max-queues": 300, "max-connections": 200}" for vhost "${vhost}" ...\n`,
    );
    expectRun(await ctl('set_vhost_limits', '-p', other, '{"max-queues": 10}', '-q'), 0, '');
    expectRun(await ctl('list_vhost_limits', '-p', vhost), 0, `Listing limits for vhost "${vhost}" ...\n{"max-connections":200,"max-queues":300}\n`);
    expectRun(await ctl('list_vhost_limits', '-p', vhost, '-q'), 0, '{"max-connections":200,"max-queues":300}\n');
    const json = JSON.parse((await ctl('list_vhost_limits', '-p', vhost, '--formatter', 'json')).stdout);
    assert.deepEqual(Object.keys(json), ['node', 'result', 'value']);
    assert.deepEqual([json.result, json.value], ['ok', '{"max-connections":200,"max-queues":300}']);

    const global = await ctl('list_vhost_limits', '--global');
    expectRun(global, 0, /^Listing limits for all vhosts \.\.\.\nvhost\tlimits\n/);
    assert.ok(global.stdout.includes(`\n${vhost}\t{"max-connections":200,"max-queues":300}\n`), global.stdout);
    assert.ok(global.stdout.includes(`\n${other}\t{"max-queues":10}\n`), global.stdout);
    const globalJson = (await ctl('list_vhost_limits', '--global', '--formatter', 'json')).stdout;
    assert.match(globalJson, /^\[\n\{"vhost":/);
    assert.ok(globalJson.includes(`{"vhost":"${vhost}","limits":"{\\"max-connections\\":200,\\"max-queues\\":300}"}`), globalJson);

    // The whole definition is replaced: max-connections goes.
    expectRun(await ctl('set_vhost_limits', '-p', vhost, '{"max-queues": 4}', '-q'), 0, '');
    expectRun(await ctl('list_vhost_limits', '-p', vhost, '-q'), 0, '{"max-queues":4}\n');
    expectRun(await ctl('set_vhost_limits', '-p', vhost, '{"max-queues": -5, "max-connections": 0}', '-q'), 0, '');
    expectRun(await ctl('list_vhost_limits', '-p', vhost, '-q'), 0, '{"max-connections":0,"max-queues":-5}\n');

    expectRun(await ctl('clear_vhost_limits', '-p', vhost), 0, `Clearing vhost "${vhost}" limits ...\n`);
    expectRun(await ctl('list_vhost_limits', '-p', vhost), 0, `Listing limits for vhost "${vhost}" ...\n\n`);
    expectRun(await ctl('clear_vhost_limits', '-p', vhost), 69, `Clearing vhost "${vhost}" limits ...\n`, refusal('Parameter does not exist'));
  });

  test("refusals: rabbitmqctl's texts, exit 69; a refused definition changes nothing; a missing vhost is 65 (69 to clear)", async () => {
    const vhost = await freshVhost();
    expectRun(await ctl('set_vhost_limits', '-p', vhost, '{"max-queues": 100}', '-q'), 0, '');
    const banner = (definition: string) => `Setting vhost limits to "${definition}" for vhost "${vhost}" ...\n`;
    for (const [definition, stderr] of [
      ['{"max-connections": 7, "max-channels": 4}', validation('Unrecognised terms [{<<"max-channels">>,4}] in limits')],
      ['{"max-connections": 7, "max-queues": "x"}', validation('max-queues should be a number, actually was <<"x">>')],
      ['{"max-queues": 1.5}', validation('max-queues should be a number, actually was 1.5')],
      ['notjson', refusal('JSON decoding error. Reason: badarg')],
    ] as const) {
      expectRun(await ctl('set_vhost_limits', '-p', vhost, definition), 69, banner(definition), stderr, `set_vhost_limits ${definition}`);
    }
    expectRun(await ctl('list_vhost_limits', '-p', vhost, '-q'), 0, '{"max-queues":100}\n', '', 'the limits after the refusals');
    const missing = `${ID}-nosuchvhost`;
    const gone = `Virtual host '${missing}' does not exist\n`;
    expectRun(await ctl('set_vhost_limits', '-p', missing, '{"max-queues": 4}'), 65, `Setting vhost limits to "{"max-queues": 4}" for vhost "${missing}" ...\n`, gone);
    expectRun(await ctl('list_vhost_limits', '-p', missing), 65, `Listing limits for vhost "${missing}" ...\n`, gone);
    expectRun(await ctl('clear_vhost_limits', '-p', missing), 69, `Clearing vhost "${missing}" limits ...\n`, refusal('Parameter does not exist'));
    expectRun(await ctl('set_vhost_limits', '-p', vhost), 64, '', /^Error: .+\n$/);
  });

  test('the limits warrenctl sets hold over AMQP: a queue beyond max-queues is refused', async () => {
    const vhost = await freshVhost();
    expectRun(await ctl('set_vhost_limits', '-p', vhost, '{"max-queues": 1}', '-q'), 0, '');
    const url = new URL(target.amqp);
    url.pathname = `/${enc(vhost)}`;
    const conn = await amqp.connect(url.toString());
    conn.on('error', () => {});
    try {
      const ch = await conn.createChannel();
      ch.on('error', () => {});
      await ch.assertQueue('lq1');
      await assert.rejects(ch.assertQueue('lq2'), new RegExp(`PRECONDITION_FAILED - cannot declare queue 'lq2': queue limit in vhost '${vhost}' \\(1\\) is reached`));
    } finally {
      await conn.close().catch(() => {});
    }
  });
});

describe('user limits', () => {
  test('set_user_limits merges, list_user_limits shows sorted JSON, clear_user_limits one or all', async () => {
    const user = await freshUser();
    const other = await freshUser();
    expectRun(await ctl('list_user_limits', '--user', user), 0, `Listing limits for user "${user}" ...\n{}\n`);
    expectRun(
      await ctl('set_user_limits', user, '{"max-connections": 10, "max-channels": 20}'),
      0,
      `Setting user limits to "{"max-connections": 10, "max-channels": 20}" for user "${user}" ...\n`,
    );
    expectRun(await ctl('set_user_limits', other, '{"max-channels": 5}', '-q'), 0, '');
    expectRun(await ctl('list_user_limits', '--user', user), 0, `Listing limits for user "${user}" ...\n{"max-channels":20,"max-connections":10}\n`);
    expectRun(await ctl('list_user_limits', '--user', user, '-q'), 0, '{"max-channels":20,"max-connections":10}\n');
    expectRun(await ctl('list_user_limits', '--user', user, '--formatter', 'json'), 0, '{"message":"{\\"max-channels\\":20,\\"max-connections\\":10}"}\n');
    // Merged: max-connections stays.
    expectRun(await ctl('set_user_limits', user, '{"max-channels": 3}', '-q'), 0, '');
    expectRun(await ctl('list_user_limits', '--user', user, '-q'), 0, '{"max-channels":3,"max-connections":10}\n');
    expectRun(await ctl('set_user_limits', user, '{"max-channels": -1}', '-q'), 0, '');
    expectRun(await ctl('set_user_limits', user, '{}', '-q'), 0, '');
    expectRun(await ctl('list_user_limits', '--user', user, '-q'), 0, '{"max-channels":-1,"max-connections":10}\n');

    const global = await ctl('list_user_limits', '--global');
    expectRun(global, 0, /^Listing limits for all users \.\.\.\nuser\tlimits\n/);
    assert.ok(global.stdout.includes(`\n${user}\t{"max-channels":-1,"max-connections":10}\n`), global.stdout);
    assert.ok(global.stdout.includes(`\n${other}\t{"max-channels":5}\n`), global.stdout);
    const globalJson = (await ctl('list_user_limits', '--global', '--formatter', 'json')).stdout;
    assert.ok(globalJson.includes(`{"user":"${other}","limits":"{\\"max-channels\\":5}"}`), globalJson);

    expectRun(await ctl('clear_user_limits', user, 'max-connections'), 0, `Clearing "max-connections" limit for user "${user}" ...\n`);
    expectRun(await ctl('list_user_limits', '--user', user, '-q'), 0, '{"max-channels":-1}\n');
    expectRun(await ctl('clear_user_limits', user, 'max-connections'), 0, `Clearing "max-connections" limit for user "${user}" ...\n`);
    expectRun(await ctl('clear_user_limits', user, 'bogus'), 0, `Clearing "bogus" limit for user "${user}" ...\n`);
    expectRun(await ctl('clear_user_limits', other, 'all'), 0, `Clearing all limits for user "${other}" ...\n`);
    expectRun(await ctl('list_user_limits', '--user', other, '-q'), 0, '{}\n');
  });

  test('without --user, list_user_limits shows the user guest', async () => {
    expectRun(await ctl('list_user_limits'), 0, /^Listing limits for user "guest" \.\.\.\n\{.*\}\n$/);
  });

  test("refusals: rabbitmqctl's texts (no Validation failed here), exit 69; a refused definition changes nothing", async () => {
    const user = await freshUser();
    expectRun(await ctl('set_user_limits', user, '{"max-channels": 100}', '-q'), 0, '');
    const banner = (definition: string) => `Setting user limits to "${definition}" for user "${user}" ...\n`;
    for (const [definition, stderr] of [
      ['{"max-channels": 7, "max-queues": 3}', refusal('Unrecognised terms [{<<"max-queues">>,3}] in user-limits')],
      ['{"max-channels": "x"}', refusal('max-channels should be a number, actually was <<"x">>')],
      ['notjson', refusal('JSON decoding error. Reason: badarg')],
    ] as const) {
      expectRun(await ctl('set_user_limits', user, definition), 69, banner(definition), stderr, `set_user_limits ${definition}`);
    }
    expectRun(await ctl('list_user_limits', '--user', user, '-q'), 0, '{"max-channels":100}\n', '', 'the limits after the refusals');

    const nobody = `${ID}-nosuchuser`;
    const noSuchUser = refusal(`{:no_such_user, "${nobody}"}`);
    expectRun(await ctl('list_user_limits', '--user', nobody), 69, `Listing limits for user "${nobody}" ...\n`, noSuchUser);
    expectRun(await ctl('set_user_limits', nobody, '{"max-channels": 3}'), 69, `Setting user limits to "{"max-channels": 3}" for user "${nobody}" ...\n`, noSuchUser);
    expectRun(await ctl('clear_user_limits', nobody, 'all'), 69, `Clearing all limits for user "${nobody}" ...\n`, noSuchUser);
    expectRun(await ctl('clear_user_limits', user), 64, '', /^Error: .+\n$/);
  });
});

describe('add_vhost --default-queue-type, list_vhosts default_queue_type', () => {
  test('quorum: list_vhosts says quorum (undefined when unset), and durable queues declared there are quorum queues', async () => {
    const vhost = `${ID}-quorum`;
    const plain = await freshVhost();
    expectRun(await ctl('add_vhost', vhost, '--default-queue-type', 'quorum'), 0, `Adding vhost "${vhost}" ...\n`);
    const listed = await ctl('list_vhosts', 'name', 'default_queue_type', '-s');
    assert.ok(listed.stdout.includes(`${vhost}\tquorum\n`), listed.stdout);
    assert.ok(listed.stdout.includes(`${plain}\tundefined\n`), listed.stdout);
    const json = JSON.parse((await ctl('list_vhosts', 'name', 'default_queue_type', '--formatter', 'json')).stdout);
    assert.deepEqual(json.find((v: { name: string }) => v.name === vhost), { name: vhost, default_queue_type: 'quorum' });

    const url = new URL(target.amqp);
    url.pathname = `/${enc(vhost)}`;
    const conn = await amqp.connect(url.toString());
    try {
      const ch = await conn.createChannel();
      await ch.assertQueue('dq.durable', { durable: true });
      await ch.assertQueue('dq.transient', { durable: false });
    } finally {
      await conn.close();
    }
    const deadline = Date.now() + (target.external ? 20_000 : 2000);
    for (;;) {
      const r = await ctl('list_queues', '-p', vhost, '-s', 'name', 'type');
      const lines = r.stdout.split('\n').filter(Boolean).sort();
      if (lines.join('|') === 'dq.durable\tquorum|dq.transient\tclassic' || Date.now() > deadline) {
        assert.deepEqual(lines, ['dq.durable\tquorum', 'dq.transient\tclassic']);
        break;
      }
      await new Promise((resolve) => setTimeout(resolve, 500));
    }
  });

  test('an unknown type: Error: invalid_queue_type, exit 69, and no vhost', async () => {
    const vhost = `${ID}-bogus`;
    expectRun(await ctl('add_vhost', vhost, '--default-queue-type', 'bogus'), 69, `Adding vhost "${vhost}" ...\n`, refusal('invalid_queue_type'));
    assert.equal((await api('GET', `/vhosts/${enc(vhost)}`)).status, 404);
  });
});
