import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  CommandKey,
  commandName,
  deliverVersionFor,
  RESPONSE_FLAG,
  ResponseCode,
  responseCodeName,
  SERVER_COMMAND_VERSIONS,
} from '../../../src/stream/protocol/constants.js';
import { ResponseKey } from '../../../src/stream/protocol/decode.js';

describe('stream protocol constants', () => {
  it('has every command key of rabbit_stream.hrl, 1 to 31', () => {
    assert.deepEqual(
      Object.values(CommandKey).sort((a, b) => a - b),
      Array.from({ length: 31 }, (_, i) => i + 1),
    );
  });

  it('response keys are the request keys with the top bit set', () => {
    assert.equal(ResponseKey.Tune, CommandKey.Tune | RESPONSE_FLAG);
    assert.equal(ResponseKey.Close, CommandKey.Close | RESPONSE_FLAG);
    assert.equal(ResponseKey.ConsumerUpdate, CommandKey.ConsumerUpdate | RESPONSE_FLAG);
  });

  it('names commands and responses for error texts', () => {
    assert.equal(commandName(0x0007), 'Subscribe');
    assert.equal(commandName(0x8016), 'CloseResponse');
    assert.equal(commandName(0x0042), '0x0042');
    assert.equal(responseCodeName[ResponseCode.NO_OFFSET], 'NO_OFFSET');
    assert.equal(Object.keys(ResponseCode).length, 21);
  });

  it('advertises what RabbitMQ advertises: publish 1..2, everything else 1, no Deliver', () => {
    assert.equal(SERVER_COMMAND_VERSIONS.length, 20);
    for (const v of SERVER_COMMAND_VERSIONS) {
      assert.deepEqual([v.minVersion, v.maxVersion], v.key === CommandKey.Publish ? [1, 2] : [1, 1], commandName(v.key));
    }
    assert.ok(!SERVER_COMMAND_VERSIONS.some((v) => v.key === CommandKey.Deliver));
  });

  it('uses Deliver v2 only for a client that lists it', () => {
    assert.equal(deliverVersionFor([]), 1);
    assert.equal(deliverVersionFor([{ key: CommandKey.Deliver, minVersion: 1, maxVersion: 1 }]), 1);
    assert.equal(deliverVersionFor([{ key: CommandKey.Deliver, minVersion: 1, maxVersion: 2 }]), 2);
    assert.equal(deliverVersionFor([{ key: CommandKey.Publish, minVersion: 1, maxVersion: 2 }]), 1);
  });
});
