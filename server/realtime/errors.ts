/** Maps thrown errors to protocol errors. */
import { protocolError, type ProtocolError } from '../../shared/protocol.ts';
import { ActionError } from '../board/outcome.ts';
import { BoardNotFoundError, StoreUnavailableError } from '../store/board-store.ts';
import { JournalCorruptError } from '../store/journal.ts';

/** A rejection carrying its protocol code, thrown by message handlers. */
export class Rejection extends Error {
  constructor(readonly error: ProtocolError) {
    super(error.message);
  }
}

export function toProtocolError(err: unknown): ProtocolError | undefined {
  if (err instanceof Rejection) return err.error;
  if (err instanceof ActionError) return protocolError(err.code, err.message);
  if (err instanceof BoardNotFoundError) return protocolError('BOARD_NOT_FOUND', 'no such board');
  if (err instanceof JournalCorruptError)
    return protocolError('INTERNAL', "this board's saved data is damaged; the operator has been told");
  if (err instanceof StoreUnavailableError)
    return protocolError('DEGRADED', 'the board store is unreachable; try again shortly');
  return undefined;
}
