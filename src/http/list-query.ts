import type { JsonObject, JsonValue } from '../control/json-table.js';
import { HttpError } from './errors.js';

/** The query string RabbitMQ's list endpoints take. */
export interface ListQuery {
  columns?: string;
  sort?: string;
  sort_reverse?: string;
  page?: string;
  page_size?: string;
  name?: string;
  use_regex?: string;
}

const MAX_PAGE_SIZE = 500;
const DEFAULT_PAGE_SIZE = 100;

/**
 * Applies ?sort=, ?sort_reverse=, ?page=/?page_size= (with ?name= and ?use_regex= as
 * the filter) and ?columns= to a listing, as RabbitMQ does: without `page` the answer
 * is the plain list, with it a page object (filtered_count, item_count, items, ...).
 * Sort keys and columns may be dotted paths such as message_stats.publish_details.rate.
 */
export function applyListQuery(items: JsonObject[], query: ListQuery): JsonValue {
  let list = items;
  if (query.sort) list = sortBy(list, query.sort, query.sort_reverse === 'true');
  else if (query.sort_reverse === 'true') list = [...list].reverse();
  if (query.page === undefined) return query.columns ? pick(list, query.columns) : list;

  const page = positiveInteger(query.page, 'page');
  const pageSize = Math.min(query.page_size === undefined ? DEFAULT_PAGE_SIZE : positiveInteger(query.page_size, 'page_size'), MAX_PAGE_SIZE);
  const filtered = query.name ? list.filter(nameFilter(query.name, query.use_regex === 'true')) : list;
  const pageCount = Math.max(1, Math.ceil(filtered.length / pageSize));
  if (page > pageCount) {
    throw new HttpError(400, {
      error: 'page_out_of_range',
      reason: `Page out of range, page: ${page} page size: ${pageSize}, len: ${filtered.length}`,
    });
  }
  const pageItems = filtered.slice((page - 1) * pageSize, page * pageSize);
  return {
    filtered_count: filtered.length,
    item_count: pageItems.length,
    items: query.columns ? pick(pageItems, query.columns) : pageItems,
    page,
    page_count: pageCount,
    page_size: pageSize,
    total_count: list.length,
  };
}

function positiveInteger(value: string, name: string): number {
  const number = Number(value);
  if (!Number.isInteger(number) || number < 1) {
    throw new HttpError(400, { error: 'bad_request', reason: `${name} must be a positive integer, got '${value}'` });
  }
  return number;
}

function nameFilter(name: string, useRegex: boolean): (item: JsonObject) => boolean {
  if (!useRegex) return (item) => String(item.name ?? '').includes(name);
  let pattern: RegExp;
  try {
    pattern = new RegExp(name);
  } catch (error) {
    throw new HttpError(400, { error: 'bad_request', reason: `invalid name regex: ${(error as Error).message}` });
  }
  return (item) => pattern.test(String(item.name ?? ''));
}

function sortBy(items: JsonObject[], key: string, reverse: boolean): JsonObject[] {
  const path = key.split('.');
  const keyed = items.map((item) => ({ item, value: at(item, path) }));
  keyed.sort((a, b) => compareValues(a.value, b.value) * (reverse ? -1 : 1));
  return keyed.map(({ item }) => item);
}

function compareValues(a: JsonValue | undefined, b: JsonValue | undefined): number {
  if (a === b) return 0;
  if (a === undefined || a === null) return -1;
  if (b === undefined || b === null) return 1;
  if (typeof a === 'number' && typeof b === 'number') return a - b;
  const sa = typeof a === 'string' ? a : JSON.stringify(a);
  const sb = typeof b === 'string' ? b : JSON.stringify(b);
  return sa < sb ? -1 : sa > sb ? 1 : 0;
}

/** Keeps only the ?columns= asked for (dotted paths reach into nested objects). */
export function pick(items: JsonObject[], columns: string): JsonObject[] {
  const paths = columns.split(',').map((column) => column.trim().split('.')).filter((path) => path[0] !== '');
  return items.map((item) => {
    const picked: JsonObject = {};
    for (const path of paths) {
      const value = at(item, path);
      if (value === undefined) continue;
      let target = picked;
      for (let i = 0; i < path.length - 1; i++) target = (target[path[i]] ??= {}) as JsonObject;
      target[path[path.length - 1]] = value;
    }
    return picked;
  });
}

function at(item: JsonObject, path: readonly string[]): JsonValue | undefined {
  let value: JsonValue | undefined = item;
  for (const part of path) {
    if (value === null || typeof value !== 'object' || Array.isArray(value)) return undefined;
    value = value[part];
  }
  return value;
}
