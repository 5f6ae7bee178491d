/**
 * Replaces a file so that after a crash it holds either the old or the new contents, never
 * a mix: write a temp file beside it, fsync it, rename it over, fsync the directory (the
 * rename itself is only durable once the directory is). A temp file left by a crash is
 * overwritten by the next write and never read.
 */
import { closeSync, fsyncSync, openSync, renameSync, unlinkSync, writeSync } from 'node:fs';
import { dirname } from 'node:path';
import { fsyncDirectory } from './directory-sync.js';

export function tempPathFor(path: string): string {
  return `${path}.tmp`;
}

export function writeFileAtomic(path: string, data: string | Uint8Array): void {
  const tmp = tempPathFor(path);
  const bytes = typeof data === 'string' ? Buffer.from(data, 'utf8') : data;
  const fd = openSync(tmp, 'w', 0o644);
  try {
    let done = 0;
    while (done < bytes.length) done += writeSync(fd, bytes, done, bytes.length - done, done);
    fsyncSync(fd);
  } catch (e) {
    closeSync(fd);
    try {
      unlinkSync(tmp);
    } catch {
      // Nothing more to clean up; the next write overwrites it.
    }
    throw e;
  }
  closeSync(fd);
  renameSync(tmp, path);
  fsyncDirectory(dirname(path));
}
