// The API's one catalogue of error codes, and the one error shape every failure takes:
// { "error": { "code": "NOT_FOUND", "message": "..." } }. Clients branch on `code`;
// `message` is for people.
import type { FastifyError, FastifyInstance } from 'fastify';
import { Type } from '@fastify/type-provider-typebox';

export const ERROR_STATUS = {
  BAD_REQUEST: 400,
  VALIDATION_FAILED: 400,
  UNAUTHORIZED: 401,
  /** No API token is configured, so writes are closed rather than open to anyone. */
  WRITES_DISABLED: 403,
  NOT_FOUND: 404,
  /** The request contradicts the resource's state (e.g. deleting a config target). */
  CONFLICT: 409,
  PAYLOAD_TOO_LARGE: 413,
  UNSUPPORTED_MEDIA_TYPE: 415,
  INTERNAL: 500,
  UNAVAILABLE: 503,
} as const;

export type ErrorCode = keyof typeof ERROR_STATUS;

export class ApiError extends Error {
  override readonly name = 'ApiError';
  constructor(
    readonly code: ErrorCode,
    message: string,
  ) {
    super(message);
  }

  get status(): number {
    return ERROR_STATUS[this.code];
  }
}

export const ErrorResponse = Type.Object(
  {
    error: Type.Object({
      code: Type.Union(Object.keys(ERROR_STATUS).map((c) => Type.Literal(c))),
      message: Type.String(),
    }),
  },
  { $id: 'ErrorResponse', description: 'Every error: a code from the catalogue and a message for people' },
);

export function errorBody(code: ErrorCode, message: string) {
  return { error: { code, message } };
}

/** Fastify's own 4xx errors (bad JSON, body too large ...) mapped onto the catalogue. */
function codeOf(err: FastifyError): ErrorCode {
  if (err instanceof ApiError) return err.code;
  if (err.validation) return 'VALIDATION_FAILED';
  if (err.statusCode === 409) return 'CONFLICT';
  if (err.statusCode === 413) return 'PAYLOAD_TOO_LARGE';
  if (err.statusCode === 415) return 'UNSUPPORTED_MEDIA_TYPE';
  if (err.statusCode === 503) return 'UNAVAILABLE';
  if (err.statusCode !== undefined && err.statusCode >= 400 && err.statusCode < 500) return 'BAD_REQUEST';
  return 'INTERNAL';
}

export function installErrorHandlers(app: FastifyInstance): void {
  app.setErrorHandler((err: FastifyError, req, reply) => {
    const code = codeOf(err);
    if (code === 'INTERNAL') {
      req.log.error({ err }, 'request failed');
      // The cause stays in the log: a 500 tells the client nothing about internals.
      return reply.status(500).send(errorBody('INTERNAL', 'internal error; the server log has the details'));
    }
    return reply.status(ERROR_STATUS[code]).send(errorBody(code, err.message));
  });
  app.setNotFoundHandler((req, reply) => {
    return reply.status(404).send(errorBody('NOT_FOUND', `no route ${req.method} ${req.url.split('?')[0]}`));
  });
}
