/**
 * Sequential reads of one stream file with read-ahead: bytes come from one large pread and
 * are handed out as views. A refill allocates a fresh buffer instead of reusing the old one,
 * because views handed out earlier may still be on their way to a socket.
 */
import { closeSync, openSync, readSync } from 'node:fs';

export const READ_AHEAD = 256 * 1024;

export class FileReader {
  private fd: number;
  private buf = Buffer.alloc(0);
  /** File offset of buf[0]; buf holds [start, start + filled). */
  private start = 0;
  private filled = 0;

  constructor(readonly file: string) {
    this.fd = openSync(file, 'r');
  }

  /**
   * A view of file bytes [at, at + length), or undefined if the file ends first. Reads at
   * least `readAhead` bytes when it has to read.
   */
  view(at: number, length: number, readAhead = READ_AHEAD): Buffer | undefined {
    if (at >= this.start && at + length <= this.start + this.filled) return this.buf.subarray(at - this.start, at - this.start + length);
    const size = Math.max(length, readAhead);
    const buf = Buffer.allocUnsafe(size);
    let got = 0;
    while (got < size) {
      const n = readSync(this.fd, buf, got, size - got, at + got);
      if (n === 0) break;
      got += n;
    }
    this.buf = buf;
    this.start = at;
    this.filled = got;
    return got >= length ? buf.subarray(0, length) : undefined;
  }

  close(): void {
    if (this.fd >= 0) closeSync(this.fd);
    this.fd = -1;
    this.buf = Buffer.alloc(0);
    this.filled = 0;
  }
}
