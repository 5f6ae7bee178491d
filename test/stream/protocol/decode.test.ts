import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { CommandKey, OffsetType, ResponseCode } from '../../../src/stream/protocol/constants.js';
import { decodeCommand, ResponseKey } from '../../../src/stream/protocol/decode.js';
import { CommandDecodeError, type DecodeProblem } from '../../../src/stream/protocol/errors.js';
import { FrameBuilder, splitFrame } from './builder.js';
import { samples } from './client-samples.js';

function decode(frame: Buffer) {
  const { key, version, fields } = splitFrame(frame);
  return decodeCommand(key, version, fields, 0, fields.length);
}

/** A frame with the same key and version as `frame` and these fields. */
function withFields(frame: Buffer, fields: Buffer): Buffer {
  const { key, version } = splitFrame(frame);
  return new FrameBuilder().raw(fields).frame(key, version);
}

function assertDecodeError(fn: () => unknown, problem: DecodeProblem, text?: RegExp): CommandDecodeError {
  let caught: unknown;
  try {
    fn();
  } catch (err) {
    caught = err;
  }
  assert.ok(caught instanceof CommandDecodeError, `expected CommandDecodeError, got ${String(caught)}`);
  assert.equal(caught.problem, problem, caught.message);
  assert.equal(caught.code, ResponseCode.UNKNOWN_FRAME);
  if (text) assert.match(caught.message, text);
  return caught;
}

describe('decodeCommand', () => {
  for (const s of samples) {
    it(`decodes ${s.name}`, () => {
      assert.deepStrictEqual(decode(s.frame), s.expected);
    });
  }

  it('decodes fields lying inside a larger buffer, reading nothing outside them', () => {
    for (const s of samples) {
      const { key, version, fields } = splitFrame(s.frame);
      // Poison on both sides: a decoder reading past its bounds would pick these up.
      const buf = Buffer.concat([Buffer.alloc(7, 0xff), fields, Buffer.alloc(9, 0xff)]);
      assert.deepStrictEqual(decodeCommand(key, version, buf, 7, 7 + fields.length), s.expected, s.name);
    }
  });

  it('refuses every truncation of every command with CommandDecodeError naming it', () => {
    for (const s of samples) {
      const { fields } = splitFrame(s.frame);
      for (let n = 0; n < fields.length; n++) {
        const frame = withFields(s.frame, fields.subarray(0, n));
        if (s.optionalTail) {
          try {
            decode(frame);
          } catch (err) {
            assert.ok(err instanceof CommandDecodeError, `${s.name} cut at ${n}: ${String(err)}`);
          }
          continue;
        }
        const err = assertDecodeError(() => decode(frame), 'malformed');
        assert.ok(err.message.startsWith(err.command), `${s.name} cut at ${n}: ${err.message}`);
      }
    }
  });

  it('refuses a byte after the last field', () => {
    for (const s of samples) {
      const { fields } = splitFrame(s.frame);
      assertDecodeError(() => decode(withFields(s.frame, Buffer.concat([fields, Buffer.from([0])]))), 'malformed', /./);
    }
  });

  it('refuses keys a client does not send', () => {
    for (const key of [CommandKey.PublishConfirm, CommandKey.Deliver, CommandKey.MetadataUpdate, CommandKey.ConsumerUpdate, 0x0020, 0x7fff, 0x8011, 0x8001, 0xffff]) {
      assertDecodeError(() => decode(new FrameBuilder().u32(1).frame(key)), 'unknown-command');
    }
  });

  it('refuses versions RabbitMQ does not have', () => {
    assertDecodeError(() => decode(new FrameBuilder().u32(1).u8(0).str('').str('s').frame(CommandKey.DeclarePublisher, 2)), 'unsupported-version', /^DeclarePublisher v2/);
    assertDecodeError(() => decode(new FrameBuilder().frame(CommandKey.Heartbeat, 0)), 'unsupported-version');
    assertDecodeError(() => decode(new FrameBuilder().u8(0).u32(0).frame(CommandKey.Publish, 3)), 'unsupported-version', /^Publish v3/);
  });

  it('refuses negative lengths other than -1, and null where RabbitMQ requires a string', () => {
    const badString = new FrameBuilder().u32(1).i16(-2).frame(CommandKey.Open);
    assertDecodeError(() => decode(badString), 'malformed', /^Open v1: virtual host has string length -2/);
    assertDecodeError(() => decode(new FrameBuilder().u32(1).str(null).frame(CommandKey.Open)), 'malformed', /virtual host is a null string/);
    assertDecodeError(
      () => decode(new FrameBuilder().u32(1).str('PLAIN').i32(-7).frame(CommandKey.SaslAuthenticate)),
      'malformed',
      /sasl data has byte length -7/,
    );
    assertDecodeError(
      () => decode(new FrameBuilder().u32(1).str('PLAIN').i32(0x7fffffff).frame(CommandKey.SaslAuthenticate)),
      'malformed',
      /truncated at sasl data/,
    );
  });

  it('refuses counts that are negative or larger than the frame can hold, before looping', () => {
    assertDecodeError(() => decode(new FrameBuilder().u32(1).i32(-1).frame(CommandKey.PeerProperties)), 'malformed', /properties has count -1/);
    const huge = new FrameBuilder().u32(1).i32(0x7fffffff).str('a').frame(CommandKey.Metadata);
    assertDecodeError(() => decode(huge), 'malformed', /streams count 2147483647 does not fit/);
    assertDecodeError(
      () => decode(new FrameBuilder().u32(1).u32(100_000_000).frame(CommandKey.ExchangeCommandVersions)),
      'malformed',
      /commands count/,
    );
  });

  it('refuses offset types it does not know, and None outside ConsumerUpdate', () => {
    for (const type of [OffsetType.None, 6, 0xffff]) {
      const f = new FrameBuilder().u32(1).u8(1).str('s').u16(type).u16(1).frame(CommandKey.Subscribe);
      assertDecodeError(() => decode(f), 'malformed', new RegExp(`^Subscribe v1: unknown offset type ${type}`));
    }
    const f = new FrameBuilder().u32(1).u16(1).u16(9).frame(ResponseKey.ConsumerUpdate);
    assertDecodeError(() => decode(f), 'malformed', /^ConsumerUpdateResponse v1: unknown offset type 9/);
  });

  it('gives numbers below 2^53 and bigints from there on, for uint64 and int64', () => {
    const store = (offset: bigint) => decode(new FrameBuilder().str('r').str('s').u64(offset).frame(CommandKey.StoreOffset));
    assert.deepEqual((store(2n ** 53n - 1n) as { offset: unknown }).offset, Number.MAX_SAFE_INTEGER);
    assert.equal((store(2n ** 53n) as { offset: unknown }).offset, 2n ** 53n);
    assert.equal((store(2n ** 64n - 1n) as { offset: unknown }).offset, 2n ** 64n - 1n);
    const ts = (t: bigint) =>
      (decode(new FrameBuilder().u32(1).str('s').u16(OffsetType.Timestamp).i64(t).frame(CommandKey.ResolveOffsetSpec)) as { offset: { timestamp: unknown } })
        .offset.timestamp;
    assert.equal(ts(-1n), -1);
    assert.equal(ts(-(2n ** 53n) + 1n), -Number.MAX_SAFE_INTEGER);
    assert.equal(ts(-(2n ** 63n)), -(2n ** 63n));
    assert.equal(ts(2n ** 63n - 1n), 2n ** 63n - 1n);
  });

  it('keeps a peer\'s __proto__ key as plain data', () => {
    const cmd = decode(new FrameBuilder().u32(1).map({ ['__proto__']: 'x', constructor: 'y' }).frame(CommandKey.PeerProperties));
    assert.equal(cmd.key, CommandKey.PeerProperties);
    const props = (cmd as { properties: Record<string, string> }).properties;
    assert.equal(Object.getPrototypeOf(props), null);
    assert.equal(props['__proto__'], 'x');
    assert.equal(props['constructor'], 'y');
  });

  it('hands SaslAuthenticate data over as a view of the frame', () => {
    const frame = new FrameBuilder().u32(3).str('PLAIN').bytes(Buffer.from('\0u\0p')).frame(CommandKey.SaslAuthenticate);
    const { key, version, fields } = splitFrame(frame);
    const cmd = decodeCommand(key, version, fields, 0, fields.length);
    assert.equal(cmd.key, CommandKey.SaslAuthenticate);
    if (cmd.key !== CommandKey.SaslAuthenticate) return;
    assert.equal(cmd.saslData!.buffer, fields.buffer, 'no copy');
  });
});
