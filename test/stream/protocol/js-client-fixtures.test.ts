/**
 * Frames captured from the real rabbitmq-stream-js-client (see the fixture's `captured`):
 * the decoders must take every one of them, split anywhere, and read the fields the
 * client meant.
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { describe, it } from 'node:test';
import { CommandKey, OffsetType } from '../../../src/stream/protocol/constants.js';
import { decodeCommand, type ClientCommand } from '../../../src/stream/protocol/decode.js';
import { FrameReader } from '../../../src/stream/protocol/frame-reader.js';
import { PublishReader } from '../../../src/stream/protocol/publish-reader.js';
import { repoRoot } from '../../amqp/helpers.js';

interface Fixture {
  client: string;
  frames: { command: string; version: number; hex: string }[];
}

const fixture = JSON.parse(readFileSync(`${repoRoot()}/test/stream/protocol/fixtures/js-client-frames.json`, 'utf8')) as Fixture;
const frames = fixture.frames.map((f) => ({ ...f, bytes: Buffer.from(f.hex, 'hex') }));

interface Published {
  publishingId: number | bigint;
  filterValue: string | null;
  message: Buffer;
}

/** Reads a byte stream the way a server would; Publish frames become their messages. */
function readAll(chunks: Buffer[]): (ClientCommand | Published[])[] {
  const out: (ClientCommand | Published[])[] = [];
  const publishes = new PublishReader();
  const reader = new FrameReader(
    {
      onFrame(key, version, buf, start, end) {
        if (key !== CommandKey.Publish) {
          out.push(decodeCommand(key, version, buf, start, end));
          return;
        }
        const messages: Published[] = [];
        publishes.reset(version, buf, start, end);
        while (publishes.next()) {
          messages.push({ publishingId: publishes.publishingId, filterValue: publishes.filterValue, message: Buffer.from(publishes.message) });
        }
        out.push(messages);
      },
    },
    1_048_576,
  );
  for (const c of chunks) reader.push(c);
  return out;
}

function first<K extends ClientCommand['key']>(decoded: (ClientCommand | Published[])[], key: K): Extract<ClientCommand, { key: K }> {
  const found = decoded.find((d) => !Array.isArray(d) && d.key === key);
  assert.ok(found, `a ${key} frame`);
  return found as Extract<ClientCommand, { key: K }>;
}

describe(`frames from ${fixture.client}`, () => {
  const stream = Buffer.concat(frames.map((f) => f.bytes));
  const decoded = readAll([stream]);

  it('decodes every captured frame', () => {
    assert.equal(decoded.length, frames.length);
    const kinds = new Set(frames.map((f) => `${f.command} v${f.version}`));
    for (const k of ['PeerProperties v1', 'SaslAuthenticate v1', 'Tune v1', 'Open v1', 'ExchangeCommandVersions v1', 'Publish v1', 'Publish v2', 'Subscribe v1', 'Credit v1', 'StoreOffset v1', 'Close v1']) {
      assert.ok(kinds.has(k), k);
    }
  });

  it('gives the same result split at every offset', () => {
    for (let cut = 0; cut <= stream.length; cut += 1) {
      assert.deepStrictEqual(readAll([stream.subarray(0, cut), stream.subarray(cut)]), decoded, `cut at ${cut}`);
    }
  });

  it('reads the handshake as the client meant it', () => {
    const peer = first(decoded, CommandKey.PeerProperties);
    assert.equal(peer.properties['product'], 'RabbitMQ Stream');
    const auth = first(decoded, CommandKey.SaslAuthenticate);
    assert.deepEqual([auth.mechanism, auth.saslData?.toString()], ['PLAIN', '\0guest\0guest']);
    const tune = first(decoded, CommandKey.Tune);
    assert.deepEqual([tune.frameMax, tune.heartbeat], [1_048_576, 60]);
    assert.equal(first(decoded, CommandKey.Open).virtualHost, '/');
    const versions = first(decoded, CommandKey.ExchangeCommandVersions).commands;
    assert.deepEqual(
      versions.find((v) => v.key === CommandKey.Deliver),
      { key: CommandKey.Deliver, minVersion: 1, maxVersion: 2 },
    );
  });

  it('reads publishes, v2 filter values included, and the subscription', () => {
    const publishes = decoded.filter((d): d is Published[] => Array.isArray(d));
    const all = publishes.flat();
    assert.deepEqual(
      all.map((m) => m.publishingId),
      all.map((_, i) => (i < 2 ? i + 1 : 1)),
    );
    assert.ok(all.some((m) => m.filterValue === 'emea'));
    assert.ok(all.every((m) => m.message.includes(Buffer.from('hello')) || m.message.includes(Buffer.from('filtered'))));
    const sub = first(decoded, CommandKey.Subscribe);
    assert.deepEqual([sub.stream, sub.offset, sub.credit], ['probe', { type: OffsetType.First }, 1]);
    const store = first(decoded, CommandKey.StoreOffset);
    assert.deepEqual([store.reference, store.stream, store.offset], ['probe-consumer', 'probe', 1]);
  });
});
