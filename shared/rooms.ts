/** The socket.io room of a board: used by servers and by workers' emitters alike. */
export function boardRoom(boardId: string): string {
  return `board:${boardId}`;
}

/** The socket.io room of a board's teachers (every owner connection): they also see every answer space. */
export function teacherRoom(boardId: string): string {
  return `teachers:${boardId}`;
}

/** The socket.io room of one person's connections to a board (to disconnect a removed student). */
export function userRoom(boardId: string, userId: string): string {
  return `user:${boardId}:${userId}`;
}
