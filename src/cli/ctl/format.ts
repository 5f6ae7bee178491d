import { usageError } from './errors.js';

/**
 * Output as rabbitmqctl prints it: informational banner lines ("Listing
 * queues for vhost / ..."), then a tab-separated header and rows, with values
 * written the way rabbitmqctl writes Erlang terms (booleans true/false, tags
 * [administrator], arguments [{"x-message-ttl",1000}]). --formatter json and
 * csv give rabbitmqctl's other shapes of the same rows.
 */

export const FORMATTERS = ['table', 'json', 'csv'] as const;
export type Formatter = (typeof FORMATTERS)[number];

export function parseFormatter(name: string | undefined): Formatter {
  const formatter = (name ?? 'table').toLowerCase();
  // pretty_table has no tab-separated equivalent worth imitating: it is a table.
  if (formatter === 'pretty_table') return 'table';
  if (!(FORMATTERS as readonly string[]).includes(formatter)) {
    throw usageError(`unknown formatter "${name}" (use one of: ${FORMATTERS.join(', ')})`);
  }
  return formatter as Formatter;
}

/**
 * What a column holds, which decides how it is printed:
 * - plain: strings, numbers, booleans as they are
 * - atoms: a list of names (user tags), shown [a, b]
 * - table: an AMQP field table (arguments, client_properties), shown [{"k",v}]
 * - ip: an address, which rabbitmqctl's JSON gives as a list of numbers
 * - protocol: "AMQP 0-9-1", which rabbitmqctl shows as {0,9,1}
 * - nodeStates: {node: state} (a vhost's cluster_state), shown [{node, state}]
 */
export type Kind = 'plain' | 'atoms' | 'table' | 'ip' | 'protocol' | 'nodeStates';

export interface Column {
  name: string;
  kind: Kind;
}

/** A row: values keyed by column name, as taken from the API. */
export type Row = Record<string, unknown>;

export interface OutputOptions {
  /** -q: no banner lines. */
  quiet: boolean;
  /** -s: no banner lines and no table header. */
  silent: boolean;
  /** --no-table-headers turns this off. */
  tableHeaders: boolean;
  formatter: Formatter;
}

export class Output {
  constructor(
    readonly options: OutputOptions,
    private readonly write: (text: string) => void = (text) => process.stdout.write(text),
  ) {}

  get json(): boolean {
    return this.options.formatter === 'json';
  }

  /** An informational line: only in table output, and not with -q or -s. */
  banner(line: string): void {
    if (this.options.formatter === 'table' && !this.options.quiet && !this.options.silent) this.write(`${line}\n`);
  }

  /** A result line that stays under -q (e.g. authenticate_user's "Success"); JSON: {"message": ...}. */
  message(line: string): void {
    this.write(this.json ? `${JSON.stringify({ message: line })}\n` : `${line}\n`);
  }

  /** Raw text (exported definitions on stdout). */
  raw(text: string): void {
    this.write(text);
  }

  /** A JSON document of its own (status, command results), one line. */
  jsonLine(value: unknown): void {
    this.write(`${JSON.stringify(value)}\n`);
  }

  rows(columns: Column[], items: readonly object[]): void {
    const rows = items as Row[];
    const { formatter, silent, tableHeaders } = this.options;
    if (formatter === 'json') {
      this.write(jsonList(rows.map((row) => Object.fromEntries(columns.map((c) => [c.name, jsonValue(row[c.name], c.kind)])))));
      return;
    }
    const lines: string[][] = rows.map((row) => columns.map((c) => textValue(row[c.name], c.kind)));
    if (formatter === 'csv') {
      // rabbitmqctl's csv always has its header and quotes every field.
      const csv = [columns.map((c) => c.name), ...lines].map((fields) => fields.map(csvField).join(','));
      this.write(csv.map((line) => `${line}\n`).join(''));
      return;
    }
    if (tableHeaders && !silent) lines.unshift(columns.map((c) => c.name));
    this.write(lines.map((fields) => `${fields.join('\t')}\n`).join(''));
  }
}

/** rabbitmqctl's JSON list layout: one object a line, commas leading. */
export function jsonList(items: unknown[]): string {
  if (items.length === 0) return '[\n]\n';
  return `[\n${items.map((item) => JSON.stringify(item)).join('\n,')}\n]\n`;
}

function csvField(text: string): string {
  return `"${text.replaceAll('"', '""')}"`;
}

/** A value as rabbitmqctl's table formatter prints it. */
export function textValue(value: unknown, kind: Kind = 'plain'): string {
  if (value === null || value === undefined) return '';
  switch (kind) {
    case 'atoms':
      return `[${tagList(value).join(', ')}]`;
    case 'table':
      return erlangTerm(value);
    case 'protocol':
      return protocolVersion(value)?.text ?? String(value);
    case 'nodeStates':
      if (typeof value === 'object' && !Array.isArray(value)) {
        return `[${Object.entries(value as Record<string, unknown>)
          .map(([node, state]) => `{${node}, ${String(state)}}`)
          .join(', ')}]`;
      }
      return String(value);
    default:
      if (typeof value === 'object') return erlangTerm(value);
      return String(value);
  }
}

/** A value as rabbitmqctl's JSON formatter prints it (missing values are ""). */
export function jsonValue(value: unknown, kind: Kind = 'plain'): unknown {
  if (value === null || value === undefined) return '';
  switch (kind) {
    case 'atoms':
      return tagList(value);
    case 'table':
      return typedTable(value);
    case 'ip': {
      const octets = typeof value === 'string' ? /^(\d+)\.(\d+)\.(\d+)\.(\d+)$/.exec(value) : null;
      return octets ? octets.slice(1).map(Number) : value;
    }
    case 'protocol':
      return protocolVersion(value)?.list ?? value;
    default:
      return value;
  }
}

/** Tags arrive as a list (RabbitMQ 3.9+) or a comma-separated string (older API answers). */
export function tagList(value: unknown): string[] {
  if (Array.isArray(value)) return value.map(String);
  if (typeof value === 'string') return value.split(',').map((t) => t.trim()).filter(Boolean);
  return [];
}

/** An AMQP table or value in Erlang term syntax: [{"x-message-ttl",1000},{"x-dead-letter-exchange","dlx"}]. */
function erlangTerm(value: unknown): string {
  if (value === null || value === undefined) return 'undefined';
  if (typeof value === 'string') return JSON.stringify(value);
  if (Array.isArray(value)) return `[${value.map(erlangTerm).join(',')}]`;
  if (typeof value === 'object') {
    return `[${Object.entries(value as Record<string, unknown>)
      .map(([key, v]) => `{${JSON.stringify(key)},${erlangTerm(v)}}`)
      .join(',')}]`;
  }
  return String(value);
}

/**
 * rabbitmqctl's JSON gives table entries as [key, amqp-type, value]. The HTTP
 * API does not carry the AMQP type, so it is inferred from the JSON value.
 */
function typedTable(value: unknown): unknown {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return value;
  return Object.entries(value as Record<string, unknown>).map(([key, v]) => [key, amqpType(v), typedValue(v)]);
}

function typedValue(value: unknown): unknown {
  if (Array.isArray(value)) return value.map((v) => [amqpType(v), typedValue(v)]);
  if (value !== null && typeof value === 'object') return typedTable(value);
  return value;
}

function amqpType(value: unknown): string {
  if (value === null || value === undefined) return 'void';
  if (typeof value === 'string') return 'longstr';
  if (typeof value === 'boolean') return 'bool';
  if (typeof value === 'number') return Number.isInteger(value) ? 'long' : 'double';
  if (Array.isArray(value)) return 'array';
  return 'table';
}

function protocolVersion(value: unknown): { text: string; list: number[] } | undefined {
  const match = typeof value === 'string' ? /(\d+)-(\d+)(?:-(\d+))?/.exec(value) : null;
  if (!match) return undefined;
  const list = match.slice(1).filter((n) => n !== undefined).map(Number);
  return { text: `{${list.join(',')}}`, list };
}
