/**
 * The size a recognition job may have. Regions are capped when they are built (`maxStrokesPerRegion`), but
 * a board stored before the cap, or by an older server, may hold a larger one: such a job is refused by
 * every queue (logged, never retried), so it cannot poison recognition for everyone after each restart.
 */
import { LIMITS } from '../../shared/protocol.ts';
import type { RecognitionJob } from '../../shared/recognition-contract.ts';

/** Points of one job at most: a full region of long strokes (about 80 ms of recognition on one thread). */
export const MAX_JOB_POINTS = LIMITS.maxStrokesPerRegion * 500;

/** Why the job is too large to recognise, or undefined if it is fine. */
export function jobTooLarge(job: Pick<RecognitionJob, 'strokes'>): string | undefined {
  if (job.strokes.length > LIMITS.maxStrokesPerRegion)
    return `region has ${job.strokes.length} strokes (at most ${LIMITS.maxStrokesPerRegion})`;
  const points = job.strokes.reduce((n, s) => n + s.points.length, 0);
  if (points > MAX_JOB_POINTS) return `region has ${points} points (at most ${MAX_JOB_POINTS})`;
  return undefined;
}
