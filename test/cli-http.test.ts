// The warren command's HTTP settings: --http-port and --metrics-port (and their
// environment variables) open the API and metrics; 0 turns them off.

import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { test } from 'node:test';
import { resolveOptions, fromEnvironment } from '../src/config/resolve.js';

const warrenCli = resolve(import.meta.dirname, '../src/cli/warren.js');

function freePort(): Promise<number> {
  return new Promise((done) => {
    const server = createServer().listen(0, '127.0.0.1', () => {
      const port = (server.address() as { port: number }).port;
      server.close(() => done(port));
    });
  });
}

async function waitFor(url: string, auth?: string, timeoutMs = 8000): Promise<Response> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try {
      return await fetch(url, auth ? { headers: { authorization: auth } } : {});
    } catch (error) {
      if (Date.now() > deadline) throw error;
      await new Promise((r) => setTimeout(r, 50));
    }
  }
}

test('WARREN_HTTP_PORT and WARREN_METRICS_PORT are read like every other setting', () => {
  const options = resolveOptions(fromEnvironment({ WARREN_HTTP_PORT: '15999', WARREN_METRICS_PORT: '0' }));
  assert.deepEqual(options, { httpPort: 15999, metricsPort: 0 });
});

test('warren --http-port P --metrics-port 0 --stream-port S serves the API on P, streams on S and no metrics', async (t) => {
  const [amqpPort, httpPort, streamPort] = [await freePort(), await freePort(), await freePort()];
  const dataDir = mkdtempSync(join(tmpdir(), 'warren-cli-http-'));
  const child = spawn(process.execPath, [warrenCli, '--port', String(amqpPort), '--http-port', String(httpPort), '--metrics-port', '0', '--stream-port', String(streamPort), '--data-dir', dataDir, '--log-level', 'warn'], {
    stdio: ['ignore', 'ignore', 'inherit'],
    env: { ...process.env, WARREN_METRICS_PORT: '' },
  });
  t.after(() => {
    child.kill('SIGKILL');
    rmSync(dataDir, { recursive: true, force: true });
  });
  const auth = `Basic ${Buffer.from('guest:guest').toString('base64')}`;
  const response = await waitFor(`http://127.0.0.1:${httpPort}/api/overview`, auth);
  assert.equal(response.status, 200);
  const overview = (await response.json()) as { listeners: { protocol: string; port: number }[] };
  assert.deepEqual(
    overview.listeners.map((l) => [l.protocol, l.port]),
    [
      ['amqp', amqpPort],
      ['http', httpPort],
      ['stream', streamPort],
    ],
  );
  const exited = new Promise((done) => child.once('exit', done));
  child.kill('SIGTERM');
  await exited;
});
