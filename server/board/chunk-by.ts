/** Splits items into runs whose weights add up to at most `max` (a heavier item goes alone), order kept. */
export function chunkBy<T>(items: readonly T[], weight: (item: T) => number, max: number): T[][] {
  const chunks: T[][] = [];
  let cur: T[] = [];
  let sum = 0;
  for (const item of items) {
    const w = weight(item);
    if (cur.length && sum + w > max) {
      chunks.push(cur);
      cur = [];
      sum = 0;
    }
    cur.push(item);
    sum += w;
  }
  if (cur.length) chunks.push(cur);
  return chunks;
}
