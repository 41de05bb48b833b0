/** What a board action changed: the server broadcasts it and queues the recognition jobs. */
import type { BoardStroke } from '../../shared/protocol.ts';
import type { RecognitionJob } from '../../shared/recognition-contract.ts';

export interface Outcome {
  added: BoardStroke[];
  removedIds: string[];
  /** One job per created or changed region. */
  jobs: RecognitionJob[];
  /** Regions that no longer exist (label.removed). */
  removedRegions: { regionId: string; version: number }[];
  /** The commit was a resend of a stroke the board already has; `added` holds the stored one, relayed again. */
  duplicate?: boolean;
}

export const emptyOutcome = (): Outcome => ({ added: [], removedIds: [], jobs: [], removedRegions: [] });

/** A rejection with its protocol error code. */
export class ActionError extends Error {
  constructor(
    readonly code:
      | 'FORBIDDEN'
      | 'LIMIT_REACHED'
      | 'NOT_FOUND'
      | 'NOTHING_TO_UNDO'
      | 'NOTHING_TO_REDO'
      | 'LOCKED'
      | 'READ_ONLY'
      | 'REMOVED'
      | 'ID_TAKEN',
    message: string,
  ) {
    super(message);
  }
}
