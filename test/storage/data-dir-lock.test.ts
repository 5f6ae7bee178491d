import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { lockDataDir, LOCK_FILE_NAME } from '../../src/storage/data-dir-lock.js';
import { tempDir } from './helpers.js';

/** A PID that is certainly dead: a child that has exited. */
function deadPid(): number {
  const child = spawnSync(process.execPath, ['-e', 'process.stdout.write(String(process.pid))'], { encoding: 'utf8' });
  return Number(child.stdout);
}

describe('lockDataDir', () => {
  it('creates the folder and the lock file with our PID, and release() removes it', (t) => {
    const dir = join(tempDir(t), 'data');
    const lock = lockDataDir(dir);
    const file = join(dir, LOCK_FILE_NAME);
    assert.equal(readFileSync(file, 'utf8').trim(), String(process.pid));
    lock.release();
    assert.ok(!existsSync(file));
    lock.release(); // twice is fine
  });

  it('refuses a folder locked by a live node process, naming the folder and the PID', (t) => {
    const dir = tempDir(t);
    const lock = lockDataDir(dir);
    assert.throws(
      () => lockDataDir(dir),
      (e: Error) => e.message === `data folder ${dir} is in use by process ${process.pid}; stop it or use another --data-dir`,
    );
    lock.release();
    lockDataDir(dir).release();
  });

  it('takes over a stale lock (dead PID, or garbage from a crash mid-write)', (t) => {
    const dir = tempDir(t);
    const file = join(dir, LOCK_FILE_NAME);
    for (const stale of [`${deadPid()}\n`, '', 'not a pid']) {
      writeFileSync(file, stale);
      const lock = lockDataDir(dir);
      assert.equal(readFileSync(file, 'utf8').trim(), String(process.pid));
      lock.release();
    }
  });
});
