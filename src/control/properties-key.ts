import { createHash } from 'node:crypto';
import { canonicalTable } from '../broker/binding.js';
import type { FieldTable } from '../amqp/field-table.js';

/**
 * RabbitMQ's `properties_key`, which names one binding in /api/bindings/.../{props}:
 * the routing key quoted as a query string (`a.*` -> `a.%2A`, `~` escaped), then for
 * bindings with arguments `~` and a short hash of them; `~` alone for an empty key.
 * RabbitMQ hashes the arguments with Erlang's phash2; Warren uses SHA-1 of their
 * canonical form, so the hash part differs but is as stable and as unique.
 */
export function propertiesKey(routingKey: string, args: FieldTable): string {
  const hasArgs = Object.keys(args).length > 0;
  if (!hasArgs) return routingKey === '' ? '~' : quoteBinding(routingKey);
  const hash = createHash('sha1').update(canonicalTable(args)).digest().subarray(0, 4).toString('base64url');
  return `${quoteBinding(routingKey)}~${quoteBinding(hash)}`;
}

/** Whether a {props} path segment (percent-decoded once by the router, or not) names this key. */
export function propertiesKeyMatches(segment: string, key: string): boolean {
  return segment === key || segment === unquotePlus(key);
}

const SAFE = /[A-Za-z0-9._~-]/;

/** mochiweb's quote_plus (space as +, everything but alphanumerics and .-_~ as %XX), with ~ escaped too. */
function quoteBinding(value: string): string {
  let quoted = '';
  for (const byte of Buffer.from(value, 'utf8')) {
    const char = String.fromCharCode(byte);
    if (byte < 0x80 && SAFE.test(char) && char !== '~') quoted += char;
    else if (char === ' ') quoted += '+';
    else quoted += `%${byte.toString(16).toUpperCase().padStart(2, '0')}`;
  }
  return quoted;
}

function unquotePlus(value: string): string {
  try {
    return decodeURIComponent(value.replace(/\+/g, ' '));
  } catch {
    return value;
  }
}
