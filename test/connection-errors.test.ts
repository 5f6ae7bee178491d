// Protocol violations after the handshake, channel misuse, channel.flow,
// and the rule that one bad client (or one bad channel) harms nobody else.

import assert from 'node:assert/strict';
import { after, before, describe, test, type TestContext } from 'node:test';
import { startBroker, type TestBroker } from './support/broker.js';
import {
  bodies,
  channel,
  connect,
  consume,
  expectChannelClosed,
  expectConnectionClosed,
  isConnectionClosed,
  names,
  raw,
  within,
} from './support/amqp.js';
import { FRAME_METHOD, M, RawClient, contentHeaderFrame, decodeClose, frame, type CloseReason } from './support/raw-client.js';

// RabbitMQ drops the socket ~3 s after a frame error (it cannot parse the
// client's close-ok out of a corrupt stream), so allow 6 s for the close.
const WAIT_CLOSE_MS = 6000;

let broker: TestBroker;
before(async () => {
  broker = await startBroker();
});
after(async () => {
  await broker.close();
});

/** Sends `bad` on a fresh raw connection, expects connection.close with `code`, and checks a bystander still works. */
async function expectConnectionErrorSparingOthers(
  t: TestContext,
  bad: (c: RawClient) => void,
  code: number,
): Promise<CloseReason> {
  const n = names(t, broker.url);
  const q = n.queue();
  // A bystander connection opened before the bad one...
  const bystander = await connect(broker.url, t);
  const ch = await channel(bystander);
  await ch.assertQueue(q);
  const { inbox } = await consume(ch, q, { noAck: true });

  const c = await RawClient.open(broker.url);
  let reason: CloseReason;
  try {
    await c.openChannel(1);
    bad(c);
    reason = await c.expectConnectionClose();
    assert.equal(reason.replyCode, code, `reply-text: ${reason.replyText}`);
    await c.waitClosed(WAIT_CLOSE_MS);
  } finally {
    c.destroy();
  }

  // ...still works afterwards, and so does a new connection.
  ch.sendToQueue(q, Buffer.from('still here'));
  assert.deepEqual(bodies(await inbox.take(1)), ['still here']);
  const fresh = await connect(broker.url, t);
  const ch2 = await channel(fresh);
  await ch2.checkQueue(q);
  return reason;
}

describe('garbage after a valid handshake', () => {
  test('random bytes → 501 FRAME_ERROR, other connections unaffected', async (t) => {
    const reason = await expectConnectionErrorSparingOthers(t, (c) => {
      c.write(Buffer.from('this is not AMQP at all, just some garbage bytes'));
    }, 501);
    assert.match(reason.replyText, /^FRAME_ERROR - /);
  });

  test('a frame with a bad frame-end octet → 501 FRAME_ERROR', async (t) => {
    const reason = await expectConnectionErrorSparingOthers(t, (c) => {
      c.write(frame(FRAME_METHOD, 1, M.queueDeclare(1, '').subarray(7, -1), 0x00));
    }, 501);
    // RabbitMQ: "FRAME_ERROR - type 1, all octets = <<...>>: {invalid_frame_end_marker,0}"
    assert.match(reason.replyText, /^FRAME_ERROR - .*invalid_frame_end_marker/s);
  });

  test('an unknown frame type → 501 FRAME_ERROR', async (t) => {
    const reason = await expectConnectionErrorSparingOthers(t, (c) => {
      c.write(frame(9, 0, Buffer.alloc(4)));
    }, 501);
    assert.match(reason.replyText, /^FRAME_ERROR - .*unknown_frame/);
  });

  test('a content body frame without a preceding publish → 505 UNEXPECTED_FRAME', async (t) => {
    const reason = await expectConnectionErrorSparingOthers(t, (c) => {
      c.write(frame(3, 1, Buffer.from('orphan body')));
    }, 505);
    assert.equal(reason.replyText, 'UNEXPECTED_FRAME - expected method frame, got non method frame instead');
  });

  test('a method frame where a content header is expected → 505 UNEXPECTED_FRAME', async (t) => {
    const reason = await expectConnectionErrorSparingOthers(t, (c) => {
      c.write(M.basicPublish(1, '', 'nowhere'));
      c.write(M.basicPublish(1, '', 'nowhere'));
    }, 505);
    assert.deepEqual(reason, {
      replyCode: 505,
      replyText: 'UNEXPECTED_FRAME - expected content header for class 60, got non content header frame instead',
      classId: 60,
      methodId: 40,
    });
  });

  test('a content header with the wrong class → 505 UNEXPECTED_FRAME', async (t) => {
    const reason = await expectConnectionErrorSparingOthers(t, (c) => {
      c.write(M.basicPublish(1, '', 'nowhere'));
      c.write(contentHeaderFrame(1, 50, 3));
    }, 505);
    assert.equal(reason.replyText, 'UNEXPECTED_FRAME - expected content header for class 60, got one for class 50 instead');
  });

  test('a heartbeat frame on a non-zero channel → 505 UNEXPECTED_FRAME', async (t) => {
    const reason = await expectConnectionErrorSparingOthers(t, (c) => {
      c.write(frame(8, 1, Buffer.alloc(0)));
    }, 505);
    assert.match(reason.replyText, /^UNEXPECTED_FRAME - /);
  });

  test('a method frame too short to hold class and method ids → 501 FRAME_ERROR', async (t) => {
    const reason = await expectConnectionErrorSparingOthers(t, (c) => {
      c.write(frame(FRAME_METHOD, 1, Buffer.from([0, 50, 0])));
    }, 501);
    assert.match(reason.replyText, /^FRAME_ERROR - /);
  });

  test('a channel-class method on channel 0 → 504 CHANNEL_ERROR', async (t) => {
    const reason = await expectConnectionErrorSparingOthers(t, (c) => {
      c.write(M.queueDeclare(0, ''));
    }, 504);
    assert.deepEqual(reason, {
      replyCode: 504,
      replyText: 'CHANNEL_ERROR - unexpected method in connection state running',
      classId: 50,
      methodId: 10,
    });
  });
});

describe('channel misuse', () => {
  test('opening a channel twice → connection error 504 CHANNEL_ERROR', async () => {
    const c = await RawClient.open(broker.url);
    try {
      await c.openChannel(1);
      c.write(M.channelOpen(1));
      const reason = await c.expectConnectionClose();
      assert.deepEqual(reason, {
        replyCode: 504,
        replyText: "CHANNEL_ERROR - second 'channel.open' seen",
        classId: 20,
        methodId: 10,
      });
      await c.waitClosed();
    } finally {
      c.destroy();
    }
  });

  test('a method on a never-opened channel → connection error 504 CHANNEL_ERROR', async () => {
    const c = await RawClient.open(broker.url);
    try {
      c.write(M.queueDeclare(3, ''));
      const reason = await c.expectConnectionClose();
      assert.deepEqual(reason, {
        replyCode: 504,
        replyText: "CHANNEL_ERROR - expected 'channel.open'",
        classId: 50,
        methodId: 10,
      });
    } finally {
      c.destroy();
    }
  });

  test('a method on a closed channel → connection error 504 CHANNEL_ERROR', async () => {
    const c = await RawClient.open(broker.url);
    try {
      await c.openChannel(1);
      c.write(M.channelClose(1));
      await c.expectMethod(20, 41);
      c.write(M.queueDeclare(1, ''));
      const reason = await c.expectConnectionClose();
      assert.equal(reason.replyCode, 504);
      assert.equal(reason.replyText, "CHANNEL_ERROR - expected 'channel.open'");
    } finally {
      c.destroy();
    }
  });

  test('a closed channel number can be opened again', async () => {
    const c = await RawClient.open(broker.url);
    try {
      await c.openChannel(1);
      c.write(M.channelClose(1));
      await c.expectMethod(20, 41);
      await c.openChannel(1);
      c.write(M.queueDeclare(1, '', { exclusive: true }));
      await c.expectMethod(50, 11);
    } finally {
      await c.close();
    }
  });
});

describe('channel.flow', () => {
  test('flow(active=true) → flow-ok(active=true)', async () => {
    const c = await RawClient.open(broker.url);
    try {
      await c.openChannel(1);
      c.write(M.channelFlow(1, true));
      const ok = await c.expectMethod(20, 21);
      assert.equal(ok.payload[4] & 1, 1);
    } finally {
      await c.close();
    }
  });

  test('flow(active=false) → connection error 540 NOT_IMPLEMENTED (the whole connection, not the channel)', async () => {
    const c = await RawClient.open(broker.url);
    try {
      await c.openChannel(1);
      c.write(M.channelFlow(1, false));
      const f = await c.expectMethod(10, 50);
      assert.equal(f.channel, 0);
      c.write(M.closeOk());
      const reason = decodeClose(f);
      assert.deepEqual(reason, { replyCode: 540, replyText: 'NOT_IMPLEMENTED - active=false', classId: 20, methodId: 20 });
    } finally {
      c.destroy();
    }
  });
});

describe('channel exceptions vs connection exceptions', () => {
  test('a channel exception closes only that channel; the connection and its other channels keep working', async (t) => {
    const n = names(t, broker.url);
    const q = n.queue();
    const conn = await connect(broker.url, t);
    const other = await channel(conn);
    await other.assertQueue(q);
    const bad = await channel(conn);
    await expectChannelClosed(bad, 404, "NOT_FOUND - no queue '", () => bad.checkQueue(n.queue()));
    assert.equal(isConnectionClosed(conn), false);
    // The other channel still works, and new channels open.
    other.sendToQueue(q, Buffer.from('x'));
    const fresh = await channel(conn);
    const got = await fresh.get(q, { noAck: true });
    assert.ok(got && got.content.toString() === 'x');
  });

  test('a connection exception (unknown exchange type → 503 COMMAND_INVALID) closes the connection', async (t) => {
    const n = names(t, broker.url);
    const conn = await connect(broker.url, t);
    const ch = await channel(conn);
    const x = n.exchange();
    await expectConnectionClosed(conn, 503, "COMMAND_INVALID - unknown exchange type 'no-such-type'", () =>
      ch.assertExchange(x, 'no-such-type'));
    assert.equal(isConnectionClosed(conn), true);
  });

  test('basic.qos with prefetch_size != 0 → connection error 540 NOT_IMPLEMENTED', async (t) => {
    const conn = await connect(broker.url, t);
    const ch = await channel(conn);
    await expectConnectionClosed(conn, 540, 'NOT_IMPLEMENTED - prefetch_size!=0 (100)', () =>
      (ch as unknown as { rpc(m: number, f: object, e: number): Promise<unknown> }).rpc(
        (60 << 16) | 10,
        { prefetchSize: 100, prefetchCount: 0, global: false },
        (60 << 16) | 11,
      ));
  });

  test('basic.recover(requeue=false) → connection error 540 NOT_IMPLEMENTED', async (t) => {
    const conn = await connect(broker.url, t);
    const ch = await channel(conn);
    await expectConnectionClosed(conn, 540, 'NOT_IMPLEMENTED - requeue=false', () => raw.recover(ch, false));
  });

  test('a failing client on another connection does not disturb a consumer', async (t) => {
    const n = names(t, broker.url);
    const q = n.queue();
    const conn = await connect(broker.url, t);
    const ch = await channel(conn);
    await ch.assertQueue(q);
    const { inbox } = await consume(ch, q, { noAck: true });
    ch.sendToQueue(q, Buffer.from('before'));
    assert.deepEqual(bodies(await inbox.take(1)), ['before']);

    // A misbehaving client: opens channel 1 twice and sends garbage.
    const c = await RawClient.open(broker.url);
    c.write(M.channelOpen(1));
    c.write(M.channelOpen(1));
    c.write(Buffer.from('garbage'));
    await c.waitClosed(WAIT_CLOSE_MS).finally(() => c.destroy());

    // A client whose channel fails.
    const conn2 = await connect(broker.url, t);
    const bad = await channel(conn2);
    await expectChannelClosed(bad, 404, 'NOT_FOUND - ', () => bad.checkQueue(n.queue()));

    ch.sendToQueue(q, Buffer.from('after'));
    assert.deepEqual(bodies(await inbox.take(1)), ['after']);
  });
});

describe('channel churn', () => {
  test('2,000 channels opened and closed on one connection; the connection still works', async (t) => {
    const n = names(t, broker.url);
    const q = n.queue();
    const conn = await connect(broker.url, t);
    for (let i = 0; i < 2000; i++) {
      const ch = await conn.createChannel();
      await ch.close();
    }
    const ch = await channel(conn);
    await ch.assertQueue(q);
    ch.sendToQueue(q, Buffer.from('after churn'));
    const { inbox } = await consume(ch, q, { noAck: true });
    assert.deepEqual(bodies(await inbox.take(1)), ['after churn']);
    await within(ch.close(), 3000, 'close');
  });

  test('raw churn: the same channel number reopened 2,000 times', async () => {
    const c = await RawClient.open(broker.url);
    try {
      // A channel number may only be reused after close-ok, so go one at a time.
      for (let i = 0; i < 2000; i++) {
        c.write(M.channelOpen(1));
        c.write(M.channelClose(1));
        await c.expectMethod(20, 11);
        await c.expectMethod(20, 41);
      }
      await c.openChannel(1);
      c.write(M.queueDeclare(1, '', { exclusive: true }));
      await c.expectMethod(50, 11);
    } finally {
      await c.close();
    }
  });
});
