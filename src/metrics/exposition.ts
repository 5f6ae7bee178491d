/**
 * Prometheus text exposition format 0.0.4: for each metric family a HELP and a TYPE
 * line, then one sample per label set. Built as one array of lines joined once.
 */
export type MetricType = 'counter' | 'gauge' | 'untyped';
export type Labels = Record<string, string>;

export class Exposition {
  private readonly lines: string[] = [];

  /** Starts a family; add its samples with sample() right after. */
  family(name: string, type: MetricType, help: string): this {
    this.lines.push(`# TYPE ${name} ${type}`, `# HELP ${name} ${help}`);
    return this;
  }

  sample(name: string, value: number, labels?: Labels): this {
    this.lines.push(labels === undefined ? `${name} ${formatValue(value)}` : `${name}{${formatLabels(labels)}} ${formatValue(value)}`);
    return this;
  }

  /** A family with a single sample. */
  metric(name: string, type: MetricType, help: string, value: number, labels?: Labels): this {
    return this.family(name, type, help).sample(name, value, labels);
  }

  toString(): string {
    return this.lines.length === 0 ? '' : `${this.lines.join('\n')}\n`;
  }
}

function formatLabels(labels: Labels): string {
  return Object.entries(labels)
    .map(([key, value]) => `${key}="${value.replace(/\\/g, '\\\\').replace(/"/g, '\\"').replace(/\n/g, '\\n')}"`)
    .join(',');
}

function formatValue(value: number): string {
  if (Number.isNaN(value)) return 'NaN';
  if (value === Infinity) return '+Inf';
  if (value === -Infinity) return '-Inf';
  return String(value);
}
