/**
 * Classification metrics shared by the MNIST and pen evaluations: confusion matrix, per-class
 * precision/recall/F1, markdown tables and a hand-written SVG heat map.
 */

/** Per-class scores computed from a confusion matrix (rows = true label, columns = prediction). */
export interface ClassScore {
  label: number;
  /** Number of true examples of this class (row sum). */
  support: number;
  precision: number;
  recall: number;
  f1: number;
}

/** Whole-matrix summary plus per-class scores. */
export interface ClassReport {
  n: number;
  correct: number;
  accuracy: number;
  macroF1: number;
  classes: ClassScore[];
}

/** Counts `cm[true][pred]`. Labels and predictions must be integers in [0, k). */
export function confusionMatrix(labels: readonly number[], preds: readonly number[], k = 10): number[][] {
  if (labels.length !== preds.length) {
    throw new Error(`confusionMatrix: ${labels.length} labels but ${preds.length} predictions`);
  }
  const cm = Array.from({ length: k }, () => new Array<number>(k).fill(0));
  for (let i = 0; i < labels.length; i++) {
    const t = labels[i]!;
    const p = preds[i]!;
    if (!Number.isInteger(t) || !Number.isInteger(p) || t < 0 || p < 0 || t >= k || p >= k) {
      throw new Error(`confusionMatrix: label ${t} / prediction ${p} at ${i} is not an integer in [0, ${k})`);
    }
    cm[t]![p]!++;
  }
  return cm;
}

/** Precision, recall and F1 per class; a class with no predictions (or no examples) scores 0 there. */
export function perClassReport(cm: readonly (readonly number[])[]): ClassReport {
  const k = cm.length;
  let n = 0;
  let correct = 0;
  const classes: ClassScore[] = [];
  for (let c = 0; c < k; c++) {
    const row = cm[c]!;
    const support = row.reduce((a, b) => a + b, 0);
    let predicted = 0;
    for (let r = 0; r < k; r++) predicted += cm[r]![c]!;
    const tp = row[c]!;
    n += support;
    correct += tp;
    const precision = predicted > 0 ? tp / predicted : 0;
    const recall = support > 0 ? tp / support : 0;
    const f1 = precision + recall > 0 ? (2 * precision * recall) / (precision + recall) : 0;
    classes.push({ label: c, support, precision, recall, f1 });
  }
  const macroF1 = k > 0 ? classes.reduce((a, s) => a + s.f1, 0) / k : 0;
  return { n, correct, accuracy: n > 0 ? correct / n : 0, macroF1, classes };
}

const pct = (x: number, digits = 2): string => `${(100 * x).toFixed(digits)}%`;

/** Markdown table of per-class precision, recall, F1 and support. */
export function formatClassTable(report: ClassReport): string {
  const lines = ['| class | precision | recall | F1 | support |', '|---:|---:|---:|---:|---:|'];
  for (const s of report.classes) {
    lines.push(`| ${s.label} | ${pct(s.precision)} | ${pct(s.recall)} | ${pct(s.f1)} | ${s.support} |`);
  }
  lines.push(`| **macro** | | | ${pct(report.macroF1)} | ${report.n} |`);
  return lines.join('\n');
}

/** Markdown confusion matrix: rows are true labels, columns predictions. */
export function formatConfusionTable(cm: readonly (readonly number[])[]): string {
  const k = cm.length;
  const head = ['| true \\ pred |', ...Array.from({ length: k }, (_, i) => ` ${i} |`)].join('');
  const sep = '|---:|' + '---:|'.repeat(k);
  const rows = cm.map((row, t) => `| **${t}** |` + row.map((v) => ` ${v} |`).join(''));
  return [head, sep, ...rows].join('\n');
}

/** Options for {@link formatReport}. */
export interface ReportOptions {
  /** Heading of the report. */
  title: string;
  /** Extra `key: value` lines shown under the heading (model, params, backend...). Default: none. */
  facts?: Record<string, string | number>;
  /** File name of the confusion SVG to link, relative to the report. Default: none. */
  svgFile?: string;
}

/** A complete markdown report: accuracy, per-class table, confusion matrix (and picture link). */
export function formatReport(cm: readonly (readonly number[])[], opts: ReportOptions): string {
  const r = perClassReport(cm);
  const out = [`# ${opts.title}`, ''];
  out.push(`- accuracy: **${pct(r.accuracy)}** (${r.correct} / ${r.n})`);
  out.push(`- macro F1: ${pct(r.macroF1)}`);
  for (const [k, v] of Object.entries(opts.facts ?? {})) out.push(`- ${k}: ${v}`);
  out.push(
    '',
    '## Per class',
    '',
    formatClassTable(r),
    '',
    '## Confusion matrix',
    '',
    formatConfusionTable(cm),
  );
  if (opts.svgFile) out.push('', `![confusion matrix](${opts.svgFile})`);
  return out.join('\n') + '\n';
}

const esc = (s: string): string => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');

/**
 * A heat-map SVG of the confusion matrix. Each cell's colour is its share of the row (recall
 * view); the diagonal is blue, errors are red, and every cell prints its count.
 */
export function confusionSvg(cm: readonly (readonly number[])[], title: string): string {
  const k = cm.length;
  const cell = 44;
  const left = 70;
  const top = 70;
  const w = left + k * cell + 20;
  const h = top + k * cell + 40;
  const parts: string[] = [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${w}" height="${h}" viewBox="0 0 ${w} ${h}" font-family="sans-serif">`,
    `<rect width="${w}" height="${h}" fill="#ffffff"/>`,
    `<text x="${w / 2}" y="22" text-anchor="middle" font-size="15" font-weight="bold">${esc(title)}</text>`,
    `<text x="${left + (k * cell) / 2}" y="${top - 28}" text-anchor="middle" font-size="12">predicted</text>`,
    `<text x="18" y="${top + (k * cell) / 2}" text-anchor="middle" font-size="12" transform="rotate(-90 18 ${top + (k * cell) / 2})">true</text>`,
  ];
  for (let i = 0; i < k; i++) {
    parts.push(
      `<text x="${left + i * cell + cell / 2}" y="${top - 8}" text-anchor="middle" font-size="12">${i}</text>`,
    );
    parts.push(
      `<text x="${left - 10}" y="${top + i * cell + cell / 2 + 4}" text-anchor="end" font-size="12">${i}</text>`,
    );
  }
  for (let t = 0; t < k; t++) {
    const row = cm[t]!;
    const total = row.reduce((a, b) => a + b, 0);
    for (let p = 0; p < k; p++) {
      const v = row[p]!;
      const share = total > 0 ? v / total : 0;
      // Errors are rare, so their colour scale is stretched (sqrt) to stay visible.
      const a = t === p ? share : Math.min(1, Math.sqrt(share) * 2);
      const rgb = t === p ? [33, 102, 172] : [203, 24, 29];
      const fill = v === 0 ? '#f7f7f7' : `rgba(${rgb.join(',')},${(0.1 + 0.9 * a).toFixed(3)})`;
      const x = left + p * cell;
      const y = top + t * cell;
      const ink = v !== 0 && a > 0.55 ? '#ffffff' : '#222222';
      parts.push(
        `<rect x="${x}" y="${y}" width="${cell}" height="${cell}" fill="${fill}" stroke="#cccccc"/>`,
      );
      parts.push(
        `<text x="${x + cell / 2}" y="${y + cell / 2 + 4}" text-anchor="middle" font-size="11" fill="${ink}">${v}</text>`,
      );
    }
  }
  parts.push(
    `<text x="${left}" y="${h - 14}" font-size="10" fill="#555555">cell colour = share of the true class (row); blue = correct, red = errors (sqrt scale)</text>`,
    '</svg>',
  );
  return parts.join('\n') + '\n';
}
