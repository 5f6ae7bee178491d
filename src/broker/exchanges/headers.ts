import type { FieldTable, FieldValue } from '../../amqp/field-table.js';
import type { Binding } from '../binding.js';
import { fieldValuesEqual } from '../field-values.js';
import { preconditionFailed } from '../errors.js';
import { Exchange } from '../exchange.js';
import type { Message } from '../message.js';
import type { Routes } from '../routes.js';

type MatchKind = 'all' | 'any' | 'all-with-x' | 'any-with-x';

interface HeaderPattern {
  readonly binding: Binding;
  readonly matchAll: boolean;
  /** [key, value]; a null value (void) only asks for the key to be present. */
  readonly pairs: ReadonlyArray<readonly [string, FieldValue]>;
}

/**
 * Routes on message headers against binding arguments, as RabbitMQ does: x-match
 * all (the default) or any; `x-` keys are ignored unless x-match ends in `-with-x`;
 * values compare by value (int 1 never equals the string "1").
 */
export class HeadersExchange extends Exchange {
  readonly type = 'headers';
  private readonly patterns: HeaderPattern[] = [];

  route(message: Message, _routingKey: string, routes: Routes): void {
    const headers = this.patterns.length > 0 ? (message.properties.headers ?? {}) : {};
    for (const pattern of this.patterns) {
      if (matches(pattern, headers)) routes.add(pattern.binding.destination);
    }
  }

  protected indexBinding(binding: Binding): void {
    this.patterns.push(parsePattern(binding));
  }

  protected unindexBinding(binding: Binding): void {
    const at = this.patterns.findIndex((pattern) => pattern.binding.key === binding.key);
    if (at >= 0) this.patterns.splice(at, 1);
  }
}

/** Rejects an x-match RabbitMQ would refuse; called before the binding is added. */
export function validateHeadersBinding(args: FieldTable): void {
  parseMatchKind(args);
}

function parseMatchKind(args: FieldTable): MatchKind {
  const value = args['x-match'];
  if (value === undefined) return 'all';
  if (typeof value !== 'string') {
    throw preconditionFailed(`Invalid x-match field type (value ${String(value)}); expected longstr`);
  }
  if (value === 'all' || value === 'any' || value === 'all-with-x' || value === 'any-with-x') return value;
  throw preconditionFailed(
    `Invalid x-match field value <<"${value}">>; expected all, any, all-with-x, or any-with-x`,
  );
}

function parsePattern(binding: Binding): HeaderPattern {
  const kind = parseMatchKind(binding.arguments);
  const withX = kind.endsWith('-with-x');
  const pairs: [string, FieldValue][] = [];
  for (const [key, value] of Object.entries(binding.arguments)) {
    if (key === 'x-match') continue;
    if (!withX && key.startsWith('x-')) continue;
    pairs.push([key, value]);
  }
  return { binding, matchAll: kind.startsWith('all'), pairs };
}

function matches(pattern: HeaderPattern, headers: FieldTable): boolean {
  if (pattern.matchAll) {
    for (const [key, expected] of pattern.pairs) {
      if (!Object.hasOwn(headers, key)) return false;
      if (expected !== null && !fieldValuesEqual(expected, headers[key])) return false;
    }
    return true;
  }
  for (const [key, expected] of pattern.pairs) {
    if (!Object.hasOwn(headers, key)) continue;
    if (expected === null || fieldValuesEqual(expected, headers[key])) return true;
  }
  return false;
}
