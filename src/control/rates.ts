/** How often counters are sampled into rates (RabbitMQ's default collect_statistics_interval). */
export const DEFAULT_SAMPLE_INTERVAL_MS = 5000;

interface Sample {
  at: number;
  values: readonly number[];
  rates: readonly number[];
}

/** Called once per sample with each object whose counters are tracked. */
export type Collector = (record: (key: object, values: readonly number[]) => void) => void;

/**
 * Turns counters that the domain bumps on its hot path into per-second rates, the way
 * RabbitMQ's management agent does: it reads every object's counters on a timer and
 * divides the change since the previous reading by the time between them. Nothing is
 * added to the message path; a sample costs one pass over the objects.
 */
export class RateSampler {
  private readonly samples = new WeakMap<object, Sample>();
  private timer: NodeJS.Timeout | undefined;

  constructor(
    private readonly collect: Collector,
    private readonly intervalMs = DEFAULT_SAMPLE_INTERVAL_MS,
  ) {}

  start(): void {
    if (this.timer) return;
    this.sample();
    this.timer = setInterval(() => this.sample(), this.intervalMs);
    this.timer.unref();
  }

  stop(): void {
    clearInterval(this.timer);
    this.timer = undefined;
  }

  /** Reads every object's counters now; exposed so tests need not wait for the timer. */
  sample(now = Date.now()): void {
    this.collect((key, values) => {
      const previous = this.samples.get(key);
      let rates: readonly number[] = ZERO;
      if (previous && now > previous.at) {
        const seconds = (now - previous.at) / 1000;
        rates = values.map((value, i) => roundRate((value - (previous.values[i] ?? 0)) / seconds));
      }
      this.samples.set(key, { at: now, values: values.slice(), rates });
    });
  }

  /** The rate of counter `index` of `key` over the last sampling interval (0 before two samples). */
  rate(key: object, index: number): number {
    return this.samples.get(key)?.rates[index] ?? 0;
  }
}

const ZERO: readonly number[] = [];

/** RabbitMQ shows rates with one decimal. */
function roundRate(rate: number): number {
  return Math.round(rate * 10) / 10;
}
