/**
 * One broker per data folder: two processes appending to the same segments would corrupt
 * each other's queues. The lock is a file created with O_EXCL holding the owner's PID. A
 * lock left by a process that died (kill -9, power loss) names a PID that is gone, or that
 * the OS has since given to some unrelated program: both are taken over silently.
 *
 * Two brokers starting in the same instant over the same stale lock could both take it
 * over (read, unlink, create is not atomic); that needs two operators racing on one folder.
 */
import { closeSync, mkdirSync, openSync, readFileSync, unlinkSync, writeSync } from 'node:fs';
import { join } from 'node:path';

export const LOCK_FILE_NAME = 'warren.lock';

export function lockDataDir(dir: string): { release(): void } {
  mkdirSync(dir, { recursive: true });
  const file = join(dir, LOCK_FILE_NAME);
  for (let attempt = 0; attempt < 5; attempt++) {
    let fd: number;
    try {
      fd = openSync(file, 'wx', 0o644);
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'EEXIST') throw e;
      const pid = readPid(file);
      if (pid !== null && isLiveBroker(pid)) {
        throw new Error(`data folder ${dir} is in use by process ${pid}; stop it or use another --data-dir`);
      }
      try {
        unlinkSync(file); // stale: its owner is gone
      } catch (err) {
        if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
      }
      continue;
    }
    try {
      writeSync(fd, `${process.pid}\n`);
    } finally {
      closeSync(fd);
    }
    let released = false;
    return {
      release() {
        if (released) return;
        released = true;
        // Only our own lock: if someone took it over meanwhile, it is theirs now.
        if (readPid(file) !== process.pid) return;
        try {
          unlinkSync(file);
        } catch {
          // Already gone.
        }
      },
    };
  }
  throw new Error(`could not take the lock ${file}: it keeps reappearing; is another broker starting on ${dir}?`);
}

/** The PID in a lock file, or null if the file is gone, empty or not a PID (a crash mid-write). */
function readPid(file: string): number | null {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch {
    return null;
  }
  const pid = Number(text.trim());
  return Number.isSafeInteger(pid) && pid > 0 ? pid : null;
}

/** Whether pid is a running process that could be a broker (a node or warren process). */
function isLiveBroker(pid: number): boolean {
  if (pid === process.pid) return true;
  try {
    process.kill(pid, 0);
  } catch (e) {
    // EPERM: it exists but belongs to someone else.
    if ((e as NodeJS.ErrnoException).code !== 'EPERM') return false;
  }
  let comm: string;
  let cmdline: string;
  let state: string;
  try {
    comm = readFileSync(`/proc/${pid}/comm`, 'utf8').trim();
    cmdline = readFileSync(`/proc/${pid}/cmdline`, 'utf8');
    // Field 3 of /proc/PID/stat, after the parenthesised name: a killed broker not yet
    // reaped by its parent is a zombie (Z) that still answers kill(0) but holds nothing.
    state = readFileSync(`/proc/${pid}/stat`, 'utf8').replace(/^.*\) /s, '').charAt(0);
  } catch {
    return true; // no /proc (not Linux): a live PID is all we can know, so assume it is a broker
  }
  if (state === 'Z' || state === 'X') return false;
  return /node|warren/i.test(comm) || /warren/i.test(cmdline) || /(^|\/)node[^/\0]*\0/.test(cmdline);
}
