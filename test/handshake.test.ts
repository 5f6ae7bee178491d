// Connection handshake: protocol header, connection.start, authentication,
// tuning, heartbeats and connection.close, checked frame by frame with the
// raw client (amqplib hides most of this).

import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import amqp from 'amqplib';
import { startBroker, type TestBroker } from './support/broker.js';
import { channel, connect, names, within } from './support/amqp.js';
import {
  AMQP_HEADER,
  FRAME_BODY,
  FRAME_METHOD,
  M,
  RawClient,
  contentHeaderFrame,
  decodeClose,
  decodeTune,
  frame,
} from './support/raw-client.js';

// How long we allow the server to take to drop a socket it has given up on.
// RabbitMQ drops a socket ~3 s after a failed login or a frame error (it
// cannot read the client's close-ok from a corrupt stream), so allow 6 s.
const WAIT_CLOSE_MS = 6000;

let broker: TestBroker;
before(async () => {
  broker = await startBroker();
});
after(async () => {
  await broker.close();
});

describe('protocol header', () => {
  for (const [label, header] of [
    ['AMQP 0-9-0', Buffer.from([0x41, 0x4d, 0x51, 0x50, 0, 0, 9, 0])],
    ['AMQP 0-8-0', Buffer.from([0x41, 0x4d, 0x51, 0x50, 0, 0, 8, 0])],
    ['HTTP', Buffer.from('GET / HTTP/1.1\r\nHost: x\r\n\r\n')],
  ] as const) {
    test(`a wrong header (${label}) gets AMQP 0-9-1's header back and the socket closed`, async () => {
      const c = await RawClient.connect(broker.url);
      c.collectRaw();
      c.write(header);
      await c.waitClosed(WAIT_CLOSE_MS);
      assert.deepEqual(c.raw, AMQP_HEADER);
    });
  }
});

describe('connection.start', () => {
  test('announces 0-9, PLAIN and AMQPLAIN, en_US and the server properties RabbitMQ sends', async () => {
    const c = await RawClient.connect(broker.url);
    try {
      await c.sendStartOk(broker.url);
      const start = c.start!;
      assert.equal(start.versionMajor, 0);
      assert.equal(start.versionMinor, 9);
      assert.ok(start.mechanisms.includes('PLAIN'), `mechanisms: ${start.mechanisms}`);
      assert.ok(start.mechanisms.includes('AMQPLAIN'), `mechanisms: ${start.mechanisms}`);
      assert.deepEqual(start.locales, ['en_US']);

      const props = start.serverProperties;
      // Product is configurable (Warren announces itself by default): assert presence and type only.
      for (const key of ['product', 'version', 'platform', 'copyright', 'information', 'cluster_name']) {
        assert.equal(typeof props[key], 'string', `server-properties.${key} should be a long string`);
      }
      assert.deepEqual(props.capabilities, {
        publisher_confirms: true,
        exchange_exchange_bindings: true,
        'basic.nack': true,
        consumer_cancel_notify: true,
        'connection.blocked': true,
        consumer_priorities: true,
        authentication_failure_close: true,
        per_consumer_qos: true,
        direct_reply_to: true,
      });
      // After a good start-ok the server proceeds to connection.tune.
      const tune = decodeTune(await c.expectMethod(10, 30));
      assert.deepEqual(tune, { channelMax: 2047, frameMax: 131072, heartbeat: 60 });
    } finally {
      c.destroy();
    }
  });

  test('amqplib sees the same capabilities', async (t) => {
    const conn = await connect(broker.url, t);
    const caps = conn.connection.serverProperties.capabilities as unknown as Record<string, boolean>;
    assert.equal(caps.publisher_confirms, true);
    assert.equal(caps.direct_reply_to, true);
  });
});

describe('authentication', () => {
  test('PLAIN login opens the connection', async () => {
    const c = await RawClient.open(broker.url, { mechanism: 'PLAIN' });
    await c.openChannel(1);
    await c.close();
  });

  test('AMQPLAIN login opens the connection', async () => {
    const c = await RawClient.open(broker.url, { mechanism: 'AMQPLAIN' });
    await c.openChannel(1);
    await c.close();
  });

  for (const mechanism of ['PLAIN', 'AMQPLAIN'] as const) {
    test(`wrong password with ${mechanism}, client advertising authentication_failure_close → 403 ACCESS_REFUSED`, async () => {
      const c = await RawClient.connect(broker.url);
      try {
        await c.sendStartOk(broker.url, { mechanism, pass: 'wrong-password', capabilities: { authentication_failure_close: true } });
        const reason = await c.expectConnectionClose();
        assert.equal(reason.replyCode, 403);
        assert.equal(
          reason.replyText,
          `ACCESS_REFUSED - Login was refused using authentication mechanism ${mechanism}. For details see the broker logfile.`,
        );
        assert.deepEqual([reason.classId, reason.methodId], [0, 0]);
        await c.waitClosed(WAIT_CLOSE_MS);
      } finally {
        c.destroy();
      }
    });
  }

  test('wrong password, client NOT advertising authentication_failure_close → socket just closed, no frame', async () => {
    const c = await RawClient.connect(broker.url);
    try {
      await c.sendStartOk(broker.url, { pass: 'wrong-password', capabilities: {} });
      // RabbitMQ 3.10 sends nothing and closes the socket after ~3 s.
      const e = await c.next(WAIT_CLOSE_MS);
      assert.equal(e.type, 'closed', 'expected the socket to close without any frame');
    } finally {
      c.destroy();
    }
  });

  test('unknown user, authentication_failure_close=false → socket just closed, no frame', async () => {
    const c = await RawClient.connect(broker.url);
    try {
      await c.sendStartOk(broker.url, { user: 'no-such-user', capabilities: { authentication_failure_close: false } });
      const e = await c.next(WAIT_CLOSE_MS);
      assert.equal(e.type, 'closed', 'expected the socket to close without any frame');
    } finally {
      c.destroy();
    }
  });

  test('amqplib (advertises authentication_failure_close) is refused with ACCESS_REFUSED', async () => {
    const u = new URL(broker.url);
    u.password = 'wrong-password';
    await assert.rejects(within(amqp.connect(u.toString()), WAIT_CLOSE_MS, 'refused connect'), /ACCESS_REFUSED|403/);
  });
});

describe('tuning', () => {
  test('the client may lower frame_max, channel_max and heartbeat', async () => {
    const c = await RawClient.open(broker.url, { frameMax: 4096, channelMax: 10, heartbeat: 30 });
    try {
      await c.openChannel(1);
      await c.openChannel(10);
    } finally {
      await c.close();
    }
  });

  test('a frame larger than the negotiated frame_max → connection.close 501 FRAME_ERROR', async () => {
    const c = await RawClient.open(broker.url, { frameMax: 4096 });
    try {
      await c.openChannel(1);
      c.write(M.basicPublish(1, '', 'nowhere'));
      c.write(contentHeaderFrame(1, 60, 5000));
      c.write(frame(FRAME_BODY, 1, Buffer.alloc(5000)));
      const reason = await c.expectConnectionClose();
      assert.equal(reason.replyCode, 501);
      // RabbitMQ: "FRAME_ERROR - type 3, all octets = <<>>: {frame_too_large,5000,4088}"
      assert.match(reason.replyText, /^FRAME_ERROR - /);
      await c.waitClosed(WAIT_CLOSE_MS);
    } finally {
      c.destroy();
    }
  });

  test('a frame larger than the default frame_max (131072) → 501 FRAME_ERROR', async () => {
    const c = await RawClient.open(broker.url);
    try {
      await c.openChannel(1);
      c.write(M.basicPublish(1, '', 'nowhere'));
      c.write(contentHeaderFrame(1, 60, 300000));
      c.write(frame(FRAME_BODY, 1, Buffer.alloc(200000)));
      const reason = await c.expectConnectionClose();
      assert.equal(reason.replyCode, 501);
      assert.match(reason.replyText, /^FRAME_ERROR - /);
    } finally {
      c.destroy();
    }
  });

  test('a full-size body frame (payload = frame_max - 8) is accepted and the message arrives', async (t) => {
    const n = names(t, broker.url);
    const q = n.queue();
    const c = await RawClient.open(broker.url, { frameMax: 4096 });
    try {
      await c.openChannel(1);
      c.write(M.queueDeclare(1, q));
      await c.expectMethod(50, 11);
      const body = Buffer.alloc(4096 - 8 + 100, 7);
      c.write(M.basicPublish(1, '', q));
      c.write(contentHeaderFrame(1, 60, body.length));
      c.write(frame(FRAME_BODY, 1, body.subarray(0, 4088)));
      c.write(frame(FRAME_BODY, 1, body.subarray(4088)));
      c.write(M.basicGet(1, q));
      const getOk = await c.expectMethod(60, 71);
      assert.equal(getOk.channel, 1);
      const header = await c.next();
      assert.ok(header.type === 2, 'content header follows get-ok');
      let received = 0;
      while (received < body.length) {
        const f = await c.next();
        assert.ok(f.type === FRAME_BODY, 'body frames follow the header');
        assert.ok(f.payload.length <= 4088, `server body frame of ${f.payload.length} bytes exceeds frame_max 4096`);
        received += f.payload.length;
      }
      assert.equal(received, body.length);
    } finally {
      await c.close();
    }
  });

  test("old clients that ask for the spec's smallest frame_max (4096) work: large messages cross in 4088-byte pieces", async (t) => {
    // RabbitMQ 4.1 raised its minimum and broke amqplib < 0.10.7, rascal and amqprs users.
    const q = names(t, broker.url).queue();
    const conn = await connect(`${broker.url}?frameMax=4096`, t);
    const ch = await channel(conn);
    await ch.assertQueue(q);
    const body = Buffer.alloc(100_000, 7);
    ch.sendToQueue(q, body);
    const message = await within(
      new Promise<Buffer>((resolve) => ch.consume(q, (m) => m && resolve(m.content), { noAck: true })),
      3000,
      'the large message',
    );
    assert.ok(message.equals(body));
    assert.equal((conn as unknown as { connection: { frameMax: number } }).connection.frameMax, 4096);
  });

  test('channel_max limits how many channels are open at once: 530 NOT_ALLOWED', async () => {
    const c = await RawClient.open(broker.url, { channelMax: 2 });
    try {
      await c.openChannel(1);
      await c.openChannel(2);
      c.write(M.channelOpen(3));
      const reason = await c.expectConnectionClose();
      assert.equal(reason.replyCode, 530);
      assert.equal(reason.replyText, 'NOT_ALLOWED - number of channels opened (2) has reached the negotiated channel_max (2)');
      await c.waitClosed();
    } finally {
      c.destroy();
    }
  });

  test('RabbitMQ 3.10 checks the number of open channels, not the channel number: a number above channel_max opens', async () => {
    const c = await RawClient.open(broker.url, { channelMax: 10 });
    try {
      await c.openChannel(11);
      await c.openChannel(2048);
    } finally {
      await c.close();
    }
  });
});

describe('heartbeats', () => {
  test('with heartbeat 1 s the server sends heartbeat frames', async () => {
    const c = await RawClient.open(broker.url, { heartbeat: 1 });
    const keepAlive = setInterval(() => c.write(M.heartbeat()), 300);
    try {
      const deadline = Date.now() + 3000;
      while (c.heartbeatsReceived < 2 && Date.now() < deadline && !c.isClosed) {
        await c.next(100).catch(() => {});
      }
      assert.ok(c.heartbeatsReceived >= 2, `got ${c.heartbeatsReceived} heartbeats`);
    } finally {
      clearInterval(keepAlive);
      await c.close();
    }
  });

  test('a client that keeps sending heartbeats stays connected across many intervals', async () => {
    const c = await RawClient.open(broker.url, { heartbeat: 1 });
    const keepAlive = setInterval(() => c.write(M.heartbeat()), 300);
    try {
      // Wait for the server's heartbeats (an event), not a fixed sleep: 5 of
      // them span more than two heartbeat intervals.
      const deadline = Date.now() + 6000;
      while (c.heartbeatsReceived < 5 && Date.now() < deadline && !c.isClosed) {
        await c.next(100).catch(() => {});
      }
      assert.equal(c.isClosed, false, 'connection was dropped although the client sent heartbeats');
      assert.ok(c.heartbeatsReceived >= 5);
      await c.openChannel(1);
    } finally {
      clearInterval(keepAlive);
      await c.close();
    }
  });

  test('a silent client is disconnected after about two missed intervals (socket closed, no connection.close)', async () => {
    const c = await RawClient.open(broker.url, { heartbeat: 1 });
    try {
      // RabbitMQ drops it after ~3 s; bound the wait at 8 s.
      const e = await c.next(8000);
      assert.equal(e.type, 'closed', 'RabbitMQ closes the socket without sending connection.close');
    } finally {
      c.destroy();
    }
  });

  test('heartbeat 0 disables heartbeats: none are sent', async () => {
    const c = await RawClient.open(broker.url, { heartbeat: 0 });
    try {
      // Bounded wait showing that nothing arrives.
      await assert.rejects(c.next(300));
      assert.equal(c.heartbeatsReceived, 0);
    } finally {
      await c.close();
    }
  });
});

describe('connection.close', () => {
  test('client connection.close → close-ok', async () => {
    const c = await RawClient.open(broker.url);
    try {
      await c.openChannel(1);
      c.write(M.close(200, 'Goodbye'));
      await c.expectMethod(10, 51);
    } finally {
      c.destroy();
    }
  });

  test('server-initiated close on a connection error; the client answers close-ok and the server closes the socket', async () => {
    const c = await RawClient.open(broker.url);
    try {
      await c.openChannel(1);
      c.write(M.channelOpen(1)); // a second channel.open on channel 1 is a connection error
      const closeFrame = await c.expectMethod(10, 50);
      assert.equal(closeFrame.channel, 0);
      assert.equal(decodeClose(closeFrame).replyCode, 504);
      c.write(M.closeOk());
      await c.waitClosed();
    } finally {
      c.destroy();
    }
  });

  test('amqplib close() resolves and the broker keeps accepting connections', async () => {
    const conn = await connect(broker.url);
    await channel(conn);
    await within(conn.close(), 3000, 'close');
    const again = await connect(broker.url);
    await channel(again);
    await again.close();
  });

  test('frames after connection.close are ignored until close-ok', async () => {
    const c = await RawClient.open(broker.url);
    try {
      await c.openChannel(1);
      c.write(M.close(200, 'Goodbye'));
      c.write(M.channelOpen(2)); // must be discarded
      const f = await c.next();
      assert.ok(f.type === FRAME_METHOD && f.classId === 10 && f.methodId === 51, 'close-ok comes next');
    } finally {
      c.destroy();
    }
  });
});
