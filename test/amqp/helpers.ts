/** Shared bits for the amqp tests. */
import { existsSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { FieldTable, FieldValue } from '../../src/amqp/field-table.js';

/** The repo root, found from the compiled test's location (dist/test/amqp). */
export function repoRoot(): string {
  for (let dir = dirname(fileURLToPath(import.meta.url)); ; dir = dirname(dir)) {
    if (existsSync(resolve(dir, 'package.json'))) return dir;
    if (dirname(dir) === dir) throw new Error('no package.json above the test');
  }
}

export const SPEC_JSON_PATH = (): string => resolve(repoRoot(), '..', 'shared', 'amqp', 'amqp-rabbitmq-0.9.1.json');

/** Decoded tables have no prototype; build expectations the same way so deepStrictEqual compares like with like. */
export function table(fields: Record<string, FieldValue>): FieldTable {
  return Object.assign(Object.create(null) as FieldTable, fields);
}

/** Deterministic PRNG (mulberry32) so fuzz failures reproduce. */
export function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export function hex(s: string): Buffer {
  return Buffer.from(s.replace(/\s+/g, ''), 'hex');
}
