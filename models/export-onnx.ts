/**
 * Exports trained models to ONNX for onnxruntime-node:
 *
 *   npm run export:onnx -- best [seed ...]      (names under models/, or model directories)
 *
 * Writes model.onnx next to each model.json: batch norm folded, dropout dropped, input `input`
 * [batch, 28, 28, 1] (NHWC, as tfjs), output `probs` [batch, classes]. Its metadata records a digest of
 * the tfjs files, so the inference module notices a model.onnx left behind by an older training run.
 */
import { resolveModelDir } from './lib/model-dir.ts';
import { exportModelDir } from './lib/onnx/model-file.ts';

const names = process.argv.slice(2);
if (names.length === 0 || names.some((n) => n.startsWith('-'))) {
  process.stderr.write('usage: npm run export:onnx -- NAME|DIR [NAME|DIR ...]   e.g. best seed\n');
  process.exit(1);
}
for (const name of names) {
  try {
    const { file, bytes, classes } = await exportModelDir(resolveModelDir(name));
    process.stdout.write(`${file}: ${(bytes / 1024).toFixed(1)} KiB, ${classes} classes\n`);
  } catch (err) {
    process.stderr.write(`export-onnx ${name}: ${(err as Error).message}\n`);
    process.exitCode = 1;
  }
}
