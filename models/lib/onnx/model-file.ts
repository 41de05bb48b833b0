/**
 * model.onnx next to a model's model.json: writing it, and telling whether it still matches the tfjs
 * files it came from (its metadata holds a SHA-256 of model.json and the weight files).
 */
import type * as tfTypes from '@tensorflow/tfjs';
import { createHash } from 'node:crypto';
import { existsSync } from 'node:fs';
import { readFile, rename, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { loadModel } from '../load-model.ts';
import { exportOnnx } from './export-model.ts';
import { onnx } from './proto.ts';

/** File name of the exported model inside a model directory. */
export const ONNX_FILE = 'model.onnx';
/** metadata_props key holding the digest of the tfjs files the ONNX model was exported from. */
export const SOURCE_DIGEST_KEY = 'source_sha256';

/** SHA-256 over model.json and its weight files, in manifest order. */
export async function sourceDigest(dir: string): Promise<string> {
  const hash = createHash('sha256');
  const json = await readFile(path.join(dir, 'model.json'));
  hash.update(json);
  const manifest = (JSON.parse(json.toString('utf8')) as { weightsManifest?: { paths: string[] }[] })
    .weightsManifest;
  for (const group of manifest ?? []) {
    for (const p of group.paths) hash.update(await readFile(path.join(dir, p)));
  }
  return hash.digest('hex');
}

/** The metadata of an ONNX model file. */
export function onnxMetadata(bytes: Uint8Array): Record<string, string> {
  const model = onnx.ModelProto.decode(bytes);
  return Object.fromEntries(model.metadataProps.map((p) => [p.key, p.value]));
}

/**
 * Exports `model` (loaded from `dir`) to `dir/model.onnx`, written to a temporary file then renamed.
 * Returns the file's path and size.
 */
export async function writeOnnx(
  model: tfTypes.LayersModel,
  dir: string,
): Promise<{ file: string; bytes: number; classes: number }> {
  const digest = await sourceDigest(dir);
  const bytes = exportOnnx(model, { metadata: { [SOURCE_DIGEST_KEY]: digest } });
  const file = path.join(dir, ONNX_FILE);
  const tmp = `${file}.${process.pid}.tmp`;
  await writeFile(tmp, bytes);
  await rename(tmp, file);
  return { file, bytes: bytes.length, classes: Number(onnxMetadata(bytes).classes) };
}

/** Loads the tfjs model in `dir` and writes its model.onnx. */
export async function exportModelDir(dir: string): Promise<{ file: string; bytes: number; classes: number }> {
  const model = await loadModel(dir);
  try {
    return await writeOnnx(model, dir);
  } finally {
    model.dispose();
  }
}

/**
 * The bytes of `dir/model.onnx` when it exists and was exported from the tfjs files now in `dir`;
 * otherwise `undefined` with the reason (missing, or stale after a new training run).
 */
export async function readCurrentOnnx(
  dir: string,
): Promise<{ bytes: Uint8Array; reason?: undefined } | { bytes?: undefined; reason: string }> {
  const file = path.join(dir, ONNX_FILE);
  if (!existsSync(file)) return { reason: `${file} does not exist` };
  const bytes = new Uint8Array(await readFile(file));
  let meta: Record<string, string>;
  try {
    meta = onnxMetadata(bytes);
  } catch (err) {
    return { reason: `${file} is not an ONNX model: ${(err as Error).message}` };
  }
  if (!existsSync(path.join(dir, 'model.json'))) return { bytes };
  const digest = await sourceDigest(dir);
  if (meta[SOURCE_DIGEST_KEY] !== digest) {
    return { reason: `${file} was exported from other weights than ${dir}/model.json now holds` };
  }
  return { bytes };
}
