import { closeSync, openSync, readSync, writeSync } from 'node:fs';

/**
 * A queue's "delivered up to" mark: the highest seq ever handed to a client. After a
 * crash, recovered messages at or below it may have reached a consumer and come back
 * with redelivered=true; those above it never left (delivery is in seq order).
 * The mark is written before the delivery reaches the socket but not fsynced: that
 * covers a crash of the process (kill -9), where written data survives in the page
 * cache; after a power loss the mark can lag and a redelivery may lack the flag.
 */
export class DeliveredMark {
  private fd: number | undefined;
  private readonly buffer = Buffer.alloc(8);
  private written = 0;
  private dirty = false;

  constructor(
    private readonly path: string,
    /** The mark as recovered from disk. */
    public value: number,
  ) {}

  static read(path: string): number {
    try {
      const fd = openSync(path, 'r');
      try {
        const buffer = Buffer.alloc(8);
        return readSync(fd, buffer, 0, 8, 0) === 8 ? Number(buffer.readBigUInt64BE(0)) : 0;
      } finally {
        closeSync(fd);
      }
    } catch {
      return 0;
    }
  }

  /** Raises the mark; returns true if it has to be written before the next socket flush. */
  advance(seq: number): boolean {
    if (seq <= this.value) return false;
    this.value = seq;
    if (this.dirty) return false;
    this.dirty = true;
    return true;
  }

  write(): void {
    if (!this.dirty) return;
    this.dirty = false;
    if (this.value === this.written) return;
    this.fd ??= openSync(this.path, 'w');
    this.buffer.writeBigUInt64BE(BigInt(this.value), 0);
    writeSync(this.fd, this.buffer, 0, 8, 0);
    this.written = this.value;
  }

  close(): void {
    this.write();
    if (this.fd !== undefined) closeSync(this.fd);
    this.fd = undefined;
  }
}

/** Writes every raised mark in one pass, just before connections flush their output. */
export class DeliveredMarks {
  private dirty: DeliveredMark[] = [];

  raised(mark: DeliveredMark): void {
    this.dirty.push(mark);
  }

  writeAll(): void {
    if (this.dirty.length === 0) return;
    const marks = this.dirty;
    this.dirty = [];
    for (const mark of marks) mark.write();
  }
}
