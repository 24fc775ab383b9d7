import { ErrorCode, OmnifuseError } from '@omnifuse/core';

/** An error answered with its own status and a JSON body `{ error: { code, message, field? } }`. */
export class HttpError extends Error {
  override readonly name = 'HttpError';
  constructor(
    readonly statusCode: number,
    readonly code: string,
    message: string,
    readonly field?: string,
    readonly headers: Readonly<Record<string, string>> = {},
  ) {
    super(message);
  }
}

export interface ErrorBody {
  readonly error: { readonly code: string; readonly message: string; readonly field?: string };
}

/** HTTP status of an omnifuse error: the caller's input is 400/422, anything else is the server's fault. */
const STATUS_OF_CODE: Partial<Record<string, number>> = {
  [ErrorCode.MissingField]: 400,
  [ErrorCode.Manifest]: 400,
  [ErrorCode.PathOutsideRoot]: 400,
  [ErrorCode.InvalidInput]: 422,
};

/** Status and body for anything a route threw: our errors, omnifuse errors, fastify's own errors. */
export function errorResponse(error: unknown): {
  status: number;
  body: ErrorBody;
  headers: Record<string, string>;
} {
  if (error instanceof HttpError) {
    return {
      status: error.statusCode,
      body: {
        error: { code: error.code, message: error.message, ...(error.field ? { field: error.field } : {}) },
      },
      headers: { ...error.headers },
    };
  }
  if (OmnifuseError.isInstance(error)) {
    const status = STATUS_OF_CODE[error.code] ?? 500;
    const message = status === 500 ? 'internal error while predicting' : error.message;
    return {
      status,
      body: { error: { code: error.code, message, ...(error.field ? { field: error.field } : {}) } },
      headers: {},
    };
  }
  const fastifyError = error as { statusCode?: number; code?: string; message?: string };
  const status = typeof fastifyError.statusCode === 'number' ? fastifyError.statusCode : 500;
  if (status >= 400 && status < 500) {
    return {
      status,
      body: {
        error: { code: fastifyError.code ?? 'E_REQUEST', message: fastifyError.message ?? 'bad request' },
      },
      headers: {},
    };
  }
  return {
    status: 500,
    body: { error: { code: 'E_INTERNAL', message: 'internal server error' } },
    headers: {},
  };
}
