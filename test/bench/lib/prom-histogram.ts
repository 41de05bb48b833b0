/**
 * Reads Prometheus histograms from a /metrics text (prom-client's format) and turns the change between
 * two scrapes into bucket quantiles: which bucket bound q of the observations made in between stayed under.
 */

/** Cumulative bucket counts by upper bound (seconds; `Infinity` for `+Inf`). */
export type Buckets = Map<number, number>;

/** The buckets of histogram `name` (without the `_bucket` suffix); empty when it is absent. */
export function histogramBuckets(metricsText: string, name: string): Buckets {
  const out: Buckets = new Map();
  const re = new RegExp(`^${name}_bucket\\{(?:[^}]*,)?le="([^"]+)"[^}]*\\}\\s+([0-9.eE+-]+)$`);
  for (const line of metricsText.split('\n')) {
    const m = re.exec(line.trim());
    if (!m) continue;
    const le = m[1] === '+Inf' ? Infinity : Number(m[1]);
    out.set(le, (out.get(le) ?? 0) + Number(m[2]));
  }
  return out;
}

/** Observations between two scrapes, per bucket (cumulative). */
export function bucketsSince(before: Buckets, after: Buckets): Buckets {
  const out: Buckets = new Map();
  for (const [le, n] of after) out.set(le, n - (before.get(le) ?? 0));
  return out;
}

/** The smallest bucket bound that at least a share `q` of the observations stayed under (undefined: none). */
export function bucketQuantile(b: Buckets, q: number): number | undefined {
  const bounds = [...b.keys()].sort((x, y) => x - y);
  const total = b.get(Infinity) ?? 0;
  if (total <= 0) return undefined;
  return bounds.find((le) => (b.get(le) ?? 0) >= q * total);
}

/** "≤ 20 ms" style text of a bucket quantile. */
export function formatBound(le: number | undefined): string {
  if (le === undefined) return '-';
  return le === Infinity ? '> last bucket' : `<= ${Math.round(le * 1000)} ms`;
}
