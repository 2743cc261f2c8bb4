/**
 * An error written for a member: what happened and what to do instead. `code` is a
 * stable identifier tests and logs can match on. Anything that is not a UserError is
 * internal: it is logged with its ids and cause chain, and a member sees only a
 * plain sentence and a reference id.
 */
export class UserError extends Error {
  override readonly name = 'UserError';
  readonly code: string;

  constructor(code: string, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.code = code;
  }
}

export function isUserError(error: unknown): error is UserError {
  return error instanceof UserError;
}

/** A result for pure parsers: a value, or a UserError saying why not. */
export type Result<T> = { ok: true; value: T } | { ok: false; error: UserError };

export const ok = <T>(value: T): Result<T> => ({ ok: true, value });
export const fail = <T = never>(code: string, message: string): Result<T> => ({ ok: false, error: new UserError(code, message) });
