/**
 * `npm run --silent export:corrections -- > corrections.jsonl`: every corrected label (strokes + the
 * corrected text) as training data, one JSON line each (see classroom/training-export.ts). Reads the
 * boards of this configuration: Redis when REDIS_URL is set, else the journals in DATA_DIR.
 */
import { loadConfig } from '../shared/config.ts';
import { correctionsFromDataDir, correctionsFromRedis } from './classroom/training-export.ts';

const config = loadConfig(process.env);
const lines = config.REDIS_URL
  ? await correctionsFromRedis(config.REDIS_URL, config.REDIS_PREFIX)
  : await correctionsFromDataDir(config.DATA_DIR);
for (const l of lines) process.stdout.write(JSON.stringify(l) + '\n');
process.stderr.write(`${lines.length} corrections\n`);
