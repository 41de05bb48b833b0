/**
 * The Inkboard realtime protocol: the one module the browser, the server and the workers import.
 *
 * - One socket.io event per direction (`EVENTS`), carrying messages that are discriminated unions on `type`.
 * - Every client message may pass an ack callback; the server answers it with an `Ack`.
 * - Runtime schemas (zod) validate everything that crosses the server edge.
 * - `PROTOCOL_VERSION` is checked in the socket.io handshake (`auth.protocolVersion`) and again on `join`.
 * Documented in docs/protocol.md; test/unit/protocol-docs.test.ts keeps the two in step.
 */
import { z } from 'zod';

/**
 * Bumped on any incompatible change to the messages below.
 * 2: live ink and cursors reach clients merged per room and tick (`live`), not as `stroke.points` and
 *    `cursor` messages one by one.
 * 3: classroom mode: roles owner (teacher) / member (student) / viewer, a student's ink goes to their own
 *    answer space (a board of its own), so board-scoped server messages name their `boardId`; teacher
 *    controls (`class.control`), label corrections, new error codes LOCKED, READ_ONLY, REMOVED.
 */
export const PROTOCOL_VERSION = 3;

/** The only two socket.io event names; nothing else names an event. */
export const EVENTS = {
  /** client -> server: a `ClientMessage`, optionally with an ack callback. */
  toServer: 'c2s',
  /** server -> client: a `ServerMessage`. */
  toClient: 's2c',
} as const;

/** Limits enforced by the server; sent to clients in the snapshot so they can respect them. */
export const LIMITS = {
  /** Largest socket.io message in bytes (socket.io `maxHttpBufferSize`). */
  maxMessageBytes: 256 * 1024,
  /** Points in one committed stroke. */
  maxPointsPerStroke: 4000,
  /** Points in one streamed batch while drawing. */
  maxPointsPerBatch: 256,
  /** Committed strokes on one board. */
  maxStrokesPerBoard: 20_000,
  /** Stroke ids in one erase. */
  maxEraseIds: 1000,
  /** Absolute value of a coordinate. */
  maxCoordinate: 1_000_000,
  /** Characters in a display name. */
  maxNameLength: 40,
  /** Messages per second per connection (burst allowed up to twice this). */
  messagesPerSecond: 120,
  /** Strokes in one HTTP recognize request. */
  maxStrokesPerRecognize: 200,
  /** Characters in a teacher's answer key and in a corrected label. */
  maxAnswerLength: 40,
  /** Students (answer spaces) in one class. */
  maxStudents: 200,
  /** Points in one HTTP recognize request, all strokes together. */
  maxPointsPerRecognize: 20_000,
  /** Strokes in one ink region: a stroke near a full region starts a new one (regions never merge past it). */
  maxStrokesPerRegion: 32,
  /** Points of all committed strokes on one board (its byte budget: about 20 bytes a point stored). */
  maxPointsPerBoard: 250_000,
} as const;

/** Error codes carried by every rejection: in acks, in `error` messages, in HTTP error bodies. */
export const ERROR_CODES = [
  'BAD_MESSAGE',
  'PROTOCOL_VERSION',
  'NOT_JOINED',
  'BOARD_NOT_FOUND',
  'FORBIDDEN',
  'TOO_LARGE',
  'LIMIT_REACHED',
  'RATE_LIMITED',
  'OUT_OF_ORDER',
  'NOT_FOUND',
  'NOTHING_TO_UNDO',
  'NOTHING_TO_REDO',
  'DEGRADED',
  'INTERNAL',
  'LOCKED',
  'READ_ONLY',
  'REMOVED',
  'BUSY',
  'ID_TAKEN',
] as const;
export type ErrorCode = (typeof ERROR_CODES)[number];

/** The one error shape. */
export const ProtocolErrorSchema = z.object({
  code: z.enum(ERROR_CODES),
  message: z.string(),
});
export type ProtocolError = z.infer<typeof ProtocolErrorSchema>;

// ---------------------------------------------------------------- building blocks

const coordinate = z.number().finite().min(-LIMITS.maxCoordinate).max(LIMITS.maxCoordinate);
export const PointSchema = z.tuple([coordinate, coordinate]);
/** Board and stroke ids: url-safe, short. Board ids are random (128 bits) and unguessable. */
export const IdSchema = z
  .string()
  .regex(/^[A-Za-z0-9_-]{1,64}$/, 'ids are 1-64 characters of A-Z a-z 0-9 _ -');
export const ColorSchema = z.string().regex(/^#[0-9a-fA-F]{6}$/, 'colours are #rrggbb');
export const WidthSchema = z.number().finite().min(0.5).max(64);
export const NameSchema = z.string().trim().min(1).max(LIMITS.maxNameLength);
/** A secret the client keeps (localStorage); the public user id is derived from it by the server. */
export const SecretSchema = z
  .string()
  .regex(/^[A-Za-z0-9_-]{16,128}$/, 'keys are 16-128 url-safe characters');

/** A committed stroke as stored on the board. */
export const StrokeSchema = z.object({
  id: IdSchema,
  author: IdSchema,
  color: ColorSchema,
  width: WidthSchema,
  points: z.array(PointSchema).min(1).max(LIMITS.maxPointsPerStroke),
  /** Server time of the commit, ms since epoch. */
  createdAt: z.number(),
});
export type BoardStroke = z.infer<typeof StrokeSchema>;

const AlternativeSchema = z.object({ label: z.number().int().min(0).max(9), confidence: z.number() });
const BBoxSchema = z.tuple([z.number(), z.number(), z.number(), z.number()]);

/** One recognised digit on the board: like the CLI's DigitResult, with stroke ids instead of indices. */
export const BoardDigitSchema = z.object({
  label: z.number().int().min(0).max(9),
  confidence: z.number(),
  alternatives: z.array(AlternativeSchema),
  bbox: BBoxSchema,
  strokeIds: z.array(IdSchema),
});
export type BoardDigit = z.infer<typeof BoardDigitSchema>;

/** The recognition result for one ink region at one version. */
export const RegionLabelSchema = z.object({
  regionId: IdSchema,
  version: z.number().int().nonnegative(),
  strokeIds: z.array(IdSchema),
  text: z.string(),
  digits: z.array(BoardDigitSchema),
  /** Region bounding box in board units. */
  bbox: BBoxSchema,
  /** Server time the strokes of this version were committed (pen-up), ms since epoch. */
  penUpAt: z.number(),
  recognizedAt: z.number(),
});
export type RegionLabel = z.infer<typeof RegionLabelSchema>;

/** owner: the teacher (board key); member: a student or participant; viewer: watches, never writes. */
export const ROLES = ['owner', 'member', 'viewer'] as const;
export type Role = (typeof ROLES)[number];

export const PeerSchema = z.object({
  userId: IdSchema,
  name: z.string(),
  color: ColorSchema,
  role: z.enum(ROLES),
});
export type Peer = z.infer<typeof PeerSchema>;

/** A label corrected by a person: `text` replaces the recognised text of that region version. */
export const CorrectionTextSchema = z
  .string()
  .max(LIMITS.maxAnswerLength)
  .regex(/^[0-9]+( [0-9]+)*$/, 'a correction is digits (groups separated by one space)');
export interface LabelCorrection {
  regionId: string;
  /** The region version corrected; a later version (more ink) is recognised afresh. */
  version: number;
  text: string;
  /** User id of who corrected it. */
  by: string;
  at: number;
}

export interface BoardSnapshot {
  id: string;
  createdAt: number;
  strokes: BoardStroke[];
  labels: RegionLabel[];
  /** Corrections of labels of the regions' current versions. */
  corrections: LabelCorrection[];
}

/** A student of a class: their answer space is the board `spaceId`. */
export interface Student {
  userId: string;
  name: string;
  color: string;
  spaceId: string;
  joinedAt: number;
}

/** The teacher's controls and the class list, as every member of a board sees them. */
export interface ClassroomView {
  /** Classroom mode: every member writes in their own answer space. */
  classroom: boolean;
  /** Short join code (resolve with `GET /api/v1/codes/<code>`). */
  joinCode: string | null;
  /** Members may not write anywhere. */
  locked: boolean;
  /** Students see no recognised labels of their own answers until revealed. */
  answersHidden: boolean;
  /** The member holding the pen: in a class they write on the teacher's board; elsewhere only they write. */
  pen: string | null;
  /** Members who may not write. */
  readOnly: string[];
  /** Members removed by the teacher: they cannot join again until re-admitted. */
  removed: string[];
  students: Student[];
  /** The expected answer; sent to the teacher only (absent for others). */
  answerKey?: string | null;
}

/** A teacher control (`class.control`); owner only. */
export const ClassControlSchema = z.discriminatedUnion('action', [
  z.object({ action: z.literal('lock'), locked: z.boolean() }),
  z.object({ action: z.literal('readOnly'), userId: IdSchema, readOnly: z.boolean() }),
  z.object({ action: z.literal('pen'), userId: IdSchema.nullable() }),
  z.object({ action: z.literal('remove'), userId: IdSchema }),
  z.object({ action: z.literal('readmit'), userId: IdSchema }),
  z.object({ action: z.literal('clear'), notice: z.string().trim().max(200).optional() }),
  z.object({ action: z.literal('answers'), hidden: z.boolean() }),
  z.object({
    action: z.literal('answerKey'),
    answerKey: z.string().trim().max(LIMITS.maxAnswerLength).nullable(),
  }),
]);
export type ClassControl = z.infer<typeof ClassControlSchema>;

// ---------------------------------------------------------------- client -> server

export const JoinSchema = z.object({
  type: z.literal('join'),
  protocolVersion: z.number().int(),
  boardId: IdSchema,
  /** The client's secret user key; the same key after a reconnect keeps the same user (and undo history). */
  userKey: SecretSchema,
  name: NameSchema,
  color: ColorSchema,
  /**
   * The teacher key returned when the board was created (it travels in the teacher link, so it works from
   * any device): grants the owner role (teacher controls, clear the whole board).
   */
  ownerKey: SecretSchema.optional(),
  /** Join as a viewer (a projector): sees the teacher's board, never writes, is not a student. */
  viewer: z.boolean().optional(),
});

/** Points of a stroke still being drawn, streamed in small batches so others see ink live. */
export const StrokePointsSchema = z.object({
  type: z.literal('stroke.points'),
  strokeId: IdSchema,
  /** Batch number within the stroke: 0, 1, 2, ... */
  seq: z.number().int().nonnegative(),
  color: ColorSchema,
  width: WidthSchema,
  points: z.array(PointSchema).min(1).max(LIMITS.maxPointsPerBatch),
});

/** Pen-up: the whole stroke. Idempotent: committing the same id again is acknowledged, not doubled. */
export const StrokeCommitSchema = z.object({
  type: z.literal('stroke.commit'),
  stroke: z.object({
    id: IdSchema,
    color: ColorSchema,
    width: WidthSchema,
    points: z.array(PointSchema).min(1).max(LIMITS.maxPointsPerStroke),
  }),
});

/** Stroke eraser: members erase their own strokes, the owner any. */
export const EraseSchema = z.object({
  type: z.literal('erase'),
  strokeIds: z.array(IdSchema).min(1).max(LIMITS.maxEraseIds),
});

export const UndoSchema = z.object({ type: z.literal('undo') });
export const RedoSchema = z.object({ type: z.literal('redo') });

/** `mine`: the sender's strokes; `all`: the whole board (owner only). */
export const ClearSchema = z.object({ type: z.literal('clear'), scope: z.enum(['mine', 'all']) });

/** Cursor position in board units, or null when the pointer leaves the board. */
export const CursorSchema = z.object({ type: z.literal('cursor'), cursor: PointSchema.nullable() });

/** Presence change: name and colour. */
export const ProfileSchema = z.object({ type: z.literal('profile'), name: NameSchema, color: ColorSchema });

/** Ask for a fresh snapshot (the client does this after every reconnect). */
export const ResyncSchema = z.object({ type: z.literal('resync') });

/** A teacher control (owner only). */
export const ClassControlMessageSchema = z.object({
  type: z.literal('class.control'),
  control: ClassControlSchema,
});

/**
 * Correct a label: `boardId` is the board or answer space holding the region, `version` the region version
 * seen, `text` the right digits. The teacher may correct any label of the class; others the labels of the
 * board they write on.
 */
export const LabelCorrectSchema = z.object({
  type: z.literal('label.correct'),
  boardId: IdSchema,
  regionId: IdSchema,
  version: z.number().int().nonnegative(),
  text: CorrectionTextSchema,
});

export const ClientMessageSchema = z.discriminatedUnion('type', [
  JoinSchema,
  StrokePointsSchema,
  StrokeCommitSchema,
  EraseSchema,
  UndoSchema,
  RedoSchema,
  ClearSchema,
  CursorSchema,
  ProfileSchema,
  ResyncSchema,
  ClassControlMessageSchema,
  LabelCorrectSchema,
]);
export type ClientMessage = z.infer<typeof ClientMessageSchema>;
export type ClientMessageType = ClientMessage['type'];
export type ClientMessageOf<T extends ClientMessageType> = Extract<ClientMessage, { type: T }>;

// ---------------------------------------------------------------- server -> client

/**
 * Board-scoped messages carry `boardId`: the teacher's board or one answer space (a client may see
 * several). Absent only from servers before protocol 3.
 */
export type ServerMessage =
  /**
   * Answer to join and resync: the whole board, the answer spaces you may see (yours as a student, all as
   * the teacher), the class, who you are, who is here.
   */
  | {
      type: 'snapshot';
      board: BoardSnapshot;
      spaces: BoardSnapshot[];
      classroom: ClassroomView;
      you: Peer;
      peers: Peer[];
      degraded: boolean;
    }
  /** What moved in the room during one relay tick: `stroke.points` batches and cursors. */
  | { type: 'live'; boardId?: string; batches: LiveBatch[]; cursors: LiveCursor[] }
  /** Strokes committed, or restored by undo/redo. */
  | { type: 'strokes.added'; boardId?: string; strokes: BoardStroke[] }
  /** Strokes erased, undone or cleared. */
  | { type: 'strokes.removed'; boardId?: string; strokeIds: string[] }
  /** A region's recognition result; clients keep the highest version per region. */
  | { type: 'label'; boardId?: string; label: RegionLabel }
  /** A region no longer exists (all its strokes removed). */
  | { type: 'label.removed'; boardId?: string; regionId: string; version: number }
  /** A label was corrected by a person. */
  | { type: 'label.corrected'; boardId: string; correction: LabelCorrection }
  /** The class changed (controls, students). */
  | { type: 'class.state'; classroom: ClassroomView }
  /** A new answer space (to the teacher). */
  | { type: 'space.added'; space: BoardSnapshot; student: Student }
  /** Something everyone should read: the board was cleared, you were removed. */
  | { type: 'class.notice'; kind: 'cleared' | 'removed'; text: string }
  /** Everyone on the board now. */
  | { type: 'presence'; peers: Peer[] }
  /** The board store or queue is unreachable (degraded) or back (not degraded). */
  | { type: 'status'; degraded: boolean; reason?: string }
  /** A rejected message that came without an ack callback. */
  | { type: 'error'; error: ProtocolError; ref?: string };
export type ServerMessageType = ServerMessage['type'];

/** One `stroke.points` batch as relayed to the room, stamped with its author's user id. */
export interface LiveBatch {
  author: string;
  strokeId: string;
  seq: number;
  color: string;
  width: number;
  points: [number, number][];
}

/** Someone's latest cursor position in the tick (`null`: the pointer left the board). */
export interface LiveCursor {
  userId: string;
  cursor: [number, number] | null;
}

/** All server message types, for docs and exhaustiveness tests. */
export const SERVER_MESSAGE_TYPES: readonly ServerMessageType[] = [
  'snapshot',
  'live',
  'strokes.added',
  'strokes.removed',
  'label',
  'label.removed',
  'label.corrected',
  'class.state',
  'space.added',
  'class.notice',
  'presence',
  'status',
  'error',
];
export const CLIENT_MESSAGE_TYPES: readonly ClientMessageType[] = ClientMessageSchema.options.map(
  (o) => o.shape.type.value,
);

/** The answer to every client message that passed an ack callback. */
export type Ack<T = unknown> = { ok: true; data?: T } | { ok: false; error: ProtocolError };

// ---------------------------------------------------------------- socket.io typed event maps

export interface ClientToServerEvents {
  [EVENTS.toServer]: (msg: ClientMessage, ack?: (res: Ack) => void) => void;
}
export interface ServerToClientEvents {
  [EVENTS.toClient]: (msg: ServerMessage) => void;
}
/** What the client sends in the socket.io handshake (`io(url, { auth })`). */
export interface HandshakeAuth {
  protocolVersion: number;
}

// ---------------------------------------------------------------- HTTP

/** `POST /api/v1/boards` with an optional body `{ "classroom": true }`. */
export const CreateBoardRequestSchema = z.object({ classroom: z.boolean().optional() }).strict();

/** `POST /api/v1/boards` answers this. */
export interface CreateBoardResponse {
  boardId: string;
  ownerKey: string;
  url: string;
  /** Short code students type instead of the link (`GET /api/v1/codes/<code>`). */
  joinCode: string;
  /** The teacher link: opens the board as the teacher on any device (keep it private). */
  teacherUrl: string;
  classroom: boolean;
}

/** `GET /api/v1/codes/<code>` answers this. */
export interface ResolveCodeResponse {
  boardId: string;
  url: string;
}

/** Join codes: 6 characters without look-alikes (0/O, 1/I). */
export const JOIN_CODE_ALPHABET = 'ABCDEFGHJKLMNPQRSTUVWXYZ23456789';
export const JoinCodeSchema = z
  .string()
  .trim()
  .transform((s) => s.toUpperCase())
  .pipe(z.string().regex(/^[A-HJ-NP-Z2-9]{6}$/, 'a join code is 6 letters and digits'));

export const RecognizeRequestSchema = z.object({
  strokes: z
    .array(z.array(PointSchema).min(1).max(LIMITS.maxPointsPerStroke))
    .max(LIMITS.maxStrokesPerRecognize),
});

/** HTTP error body. */
export interface HttpErrorBody {
  error: ProtocolError;
}

// ---------------------------------------------------------------- helpers

/** Builds the one error shape. */
export function protocolError(code: ErrorCode, message: string): ProtocolError {
  return { code, message };
}

/**
 * Validates an incoming client message. Returns the typed message or a coded error whose message names
 * the first offending field, e.g. `stroke.points: points: Too big: expected array to have <=256 items`.
 */
export function parseClientMessage(
  input: unknown,
): { ok: true; msg: ClientMessage } | { ok: false; error: ProtocolError } {
  const fast = fastStrokePoints(input);
  if (fast) return { ok: true, msg: fast };
  const res = ClientMessageSchema.safeParse(input);
  if (res.success) return { ok: true, msg: res.data };
  const type =
    typeof input === 'object' && input && 'type' in input ? String((input as { type: unknown }).type) : '?';
  const issue = res.error.issues[0];
  const where = issue?.path.length ? issue.path.join('.') + ': ' : '';
  const tooBig = res.error.issues.some((i) => i.code === 'too_big');
  return {
    ok: false,
    error: protocolError(
      tooBig ? 'TOO_LARGE' : 'BAD_MESSAGE',
      `${type}: ${where}${issue?.message ?? 'invalid message'}`,
    ),
  };
}

const ID_RE = /^[A-Za-z0-9_-]{1,64}$/;
const COLOR_RE = /^#[0-9a-fA-F]{6}$/;
const isCoordinate = (v: unknown): v is number =>
  typeof v === 'number' && Number.isFinite(v) && Math.abs(v) <= LIMITS.maxCoordinate;

/**
 * `stroke.points` is most of the traffic (every drawing client, every 40-50 ms), so a plain check accepts
 * the well-formed ones several times faster than the schema. It only ever accepts what
 * `StrokePointsSchema` accepts and returns the same value (known keys only); anything else, including
 * every invalid message, goes through the schema, which gives the error.
 */
function fastStrokePoints(input: unknown): ClientMessageOf<'stroke.points'> | undefined {
  if (typeof input !== 'object' || input === null) return undefined;
  const m = input as Record<string, unknown>;
  if (m.type !== 'stroke.points') return undefined;
  const { strokeId, seq, color, width, points } = m;
  if (typeof strokeId !== 'string' || !ID_RE.test(strokeId)) return undefined;
  if (typeof seq !== 'number' || !Number.isSafeInteger(seq) || seq < 0) return undefined;
  if (typeof color !== 'string' || !COLOR_RE.test(color)) return undefined;
  if (typeof width !== 'number' || !Number.isFinite(width) || width < 0.5 || width > 64) return undefined;
  if (!Array.isArray(points) || points.length < 1 || points.length > LIMITS.maxPointsPerBatch)
    return undefined;
  const copy: [number, number][] = new Array(points.length);
  for (let i = 0; i < points.length; i++) {
    const p: unknown = points[i];
    if (!Array.isArray(p) || p.length !== 2) return undefined;
    const [x, y] = p as unknown[];
    if (!isCoordinate(x) || !isCoordinate(y)) return undefined;
    copy[i] = [x, y];
  }
  return { type: 'stroke.points', strokeId, seq, color, width, points: copy };
}
