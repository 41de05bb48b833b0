/** bench:live's reading of worker histograms, against prom-client's own /metrics text. */
import { Histogram, Registry } from 'prom-client';
import { describe, expect, it } from 'vitest';
import { bucketQuantile, bucketsSince, formatBound, histogramBuckets } from '../bench/lib/prom-histogram.ts';

describe('prom-histogram', () => {
  it('turns the observations between two scrapes into bucket quantiles', async () => {
    const registry = new Registry();
    const h = new Histogram({
      name: 'x_seconds',
      help: 'x',
      buckets: [0.01, 0.05, 0.1, 1],
      registers: [registry],
    });
    h.observe(2); // before the first scrape: must not count
    const before = histogramBuckets(await registry.metrics(), 'x_seconds');
    for (let i = 0; i < 98; i++) h.observe(0.004);
    h.observe(0.07);
    h.observe(0.5);
    const since = bucketsSince(before, histogramBuckets(await registry.metrics(), 'x_seconds'));
    expect(since.get(Infinity)).toBe(100);
    expect(bucketQuantile(since, 0.5)).toBe(0.01);
    expect(bucketQuantile(since, 0.99)).toBe(0.1);
    expect(bucketQuantile(since, 1)).toBe(1);
    expect(formatBound(bucketQuantile(since, 0.99))).toBe('<= 100 ms');
    expect(histogramBuckets('', 'x_seconds').size).toBe(0);
    expect(bucketQuantile(new Map(), 0.5)).toBeUndefined();
  });
});
