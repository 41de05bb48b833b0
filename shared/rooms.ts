/** The socket.io room of a board: used by servers and by workers' emitters alike. */
export function boardRoom(boardId: string): string {
  return `board:${boardId}`;
}
