/**
 * RabbitMQ's duration strings for stream retention (x-max-age, the max-age policy key) and
 * interval offsets ("1h"): a positive integer and one unit, Y (365 days), M (30 days),
 * D, h, m or s. Anything else is `invalid_max_age`, as rabbit_amqqueue:check_max_age says.
 */
const UNIT_MS: Record<string, number> = {
  Y: 365 * 24 * 3600 * 1000,
  M: 30 * 24 * 3600 * 1000,
  D: 24 * 3600 * 1000,
  h: 3600 * 1000,
  m: 60 * 1000,
  s: 1000,
};

/** The duration in ms, or undefined when the string is not one. */
export function maxAgeMs(value: string): number | undefined {
  const match = /^([0-9]+)(.*)$/s.exec(value);
  if (match === null) return undefined;
  const amount = Number(match[1]);
  const unit = UNIT_MS[match[2]!];
  if (!(amount > 0) || unit === undefined) return undefined;
  return amount * unit;
}
