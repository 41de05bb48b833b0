/**
 * The HTTP side of the recognize flood, run in a child process (an attacker's CPU is not the server's):
 * `tsx http-flood.ts URL` prints one JSON line `{ paced: {status: count}, burst: {status: count} }`.
 * Paced: 45 requests/s for 3 s; burst: 200 at once. Each request is the largest the limits allow.
 */
type Pt = [number, number];
const url = process.argv[2];
const circle = (cx: number, cy: number, r: number, n: number): Pt[] =>
  Array.from({ length: n }, (_, i) => {
    const a = (i / n) * 2 * Math.PI;
    return [Math.round(cx + r * Math.cos(a)), Math.round(cy + r * Math.sin(a))];
  });
const strokes = Array.from({ length: 200 }, (_, i) =>
  circle((i % 20) * 60, Math.floor(i / 20) * 60, 20, 100),
);
const body = JSON.stringify({ strokes });
const post = () =>
  fetch(`${url}/api/v1/recognize`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body,
  }).then(
    async (r) => (await r.arrayBuffer(), r.status),
    () => 0,
  );
const count = (xs: number[]) =>
  xs.reduce<Record<string, number>>((m, x) => ((m[x] = (m[x] ?? 0) + 1), m), {});

async function main(): Promise<void> {
  const paced: Promise<number>[] = [];
  for (let i = 0; i < 135; i++) {
    paced.push(post());
    await new Promise((r) => setTimeout(r, 1000 / 45));
  }
  const a = await Promise.all(paced);
  const b = await Promise.all(Array.from({ length: 200 }, post));
  process.stdout.write(JSON.stringify({ paced: count(a), burst: count(b) }) + '\n');
}
void main();
