import type { ErrorObject, ErrorResponse } from './openai-types.js';

/** Base of every error the library throws: OpenAI's `status` and error body, as openai-node carries them. */
export class APIError extends Error {
  readonly status: number | undefined;
  readonly error: ErrorObject;
  readonly type: string;
  readonly param: string | null;
  readonly code: string | null;

  constructor(status: number | undefined, error: Partial<ErrorObject> & { message: string }) {
    super(error.message);
    this.name = new.target.name;
    this.status = status;
    this.error = {
      message: error.message,
      type: error.type ?? 'invalid_request_error',
      param: error.param ?? null,
      code: error.code ?? null,
    };
    this.type = this.error.type;
    this.param = this.error.param;
    this.code = this.error.code;
  }

  /** Return the wire body `{ error: { message, type, param, code } }`. */
  toJSON(): ErrorResponse {
    return { error: { ...this.error } };
  }
}

export class BadRequestError extends APIError {}
export class AuthenticationError extends APIError {}
export class PermissionDeniedError extends APIError {}
export class NotFoundError extends APIError {}
export class ConflictError extends APIError {}
export class UnprocessableEntityError extends APIError {}
export class RateLimitError extends APIError {}
export class InternalServerError extends APIError {}
/** No response arrived (network down, connection reset, CORS). */
export class APIConnectionError extends APIError {}
/** The request outlived its `timeout`. */
export class APIConnectionTimeoutError extends APIConnectionError {}
/** The caller aborted the request through its `AbortSignal`. */
export class APIUserAbortError extends APIError {}

const byName = {
  APIError, BadRequestError, AuthenticationError, PermissionDeniedError, NotFoundError, ConflictError,
  UnprocessableEntityError, RateLimitError, InternalServerError, APIConnectionError,
  APIConnectionTimeoutError, APIUserAbortError,
} as const;

/** Make the error subclass openai-node would raise for an HTTP status. */
export function makeError(status: number | undefined, error: Partial<ErrorObject> & { message: string }): APIError {
  const Class =
    status === 400 ? BadRequestError
    : status === 401 ? AuthenticationError
    : status === 403 ? PermissionDeniedError
    : status === 404 ? NotFoundError
    : status === 409 ? ConflictError
    : status === 422 ? UnprocessableEntityError
    : status === 429 ? RateLimitError
    : status !== undefined && status >= 500 ? InternalServerError
    : APIError;
  return new Class(status, error);
}

/** A 400 `invalid_request_error` naming the request field to fix. */
export function badRequest(message: string, param: string | null, code: string | null = null): BadRequestError {
  return new BadRequestError(400, { message, type: 'invalid_request_error', param, code });
}

/** Plain data that carries an APIError across a worker boundary. */
export interface SerializedError {
  name: string;
  message: string;
  stack?: string;
  status?: number;
  error?: ErrorObject;
}

/** Turn any thrown value into data that survives `postMessage`. */
export function serializeError(value: unknown): SerializedError {
  if (value instanceof APIError) {
    return { name: value.name, message: value.message, stack: value.stack, status: value.status, error: value.error };
  }
  if (value instanceof Error) return { name: value.name, message: value.message, stack: value.stack };
  return { name: 'Error', message: String(value) };
}

/** Rebuild the same error class from `serializeError` data. */
export function deserializeError(data: SerializedError): Error {
  if (data.error) {
    const Class = byName[data.name as keyof typeof byName] ?? APIError;
    const err = new Class(data.status, data.error);
    if (data.stack) err.stack = data.stack;
    return err;
  }
  const err = new Error(data.message);
  err.name = data.name;
  if (data.stack) err.stack = data.stack;
  return err;
}
