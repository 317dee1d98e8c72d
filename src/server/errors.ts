/** HTTP errors in OpenAI's shape: `{ "error": { "message", "type", "code", "param" } }`. */

/** OpenAI-style error categories this server uses. */
export type ApiErrorType = 'invalid_request_error' | 'rate_limit_error' | 'timeout_error' | 'server_error';

/** The JSON body of every error response. */
export interface ApiErrorBody {
  error: {
    message: string;
    type: ApiErrorType;
    /** Stable machine-readable reason, e.g. "input_too_long", "voice_not_found". */
    code: string;
    /** The request field at fault, or null. */
    param: string | null;
  };
}

/** An error that becomes an HTTP response with a JSON body. */
export class ApiError extends Error {
  override name = 'ApiError';
  constructor(
    readonly status: number,
    readonly type: ApiErrorType,
    readonly code: string,
    message: string,
    readonly param: string | null = null,
    /** Extra response headers, e.g. Retry-After on 429. */
    readonly headers: Readonly<Record<string, string>> = {},
  ) {
    super(message);
  }

  body(): ApiErrorBody {
    return { error: { message: this.message, type: this.type, code: this.code, param: this.param } };
  }
}

/** 400 invalid_request_error for field `param`. */
export function badRequest(code: string, message: string, param: string | null = null): ApiError {
  return new ApiError(400, 'invalid_request_error', code, message, param);
}
