import type { ProblemCode } from './problem.js';

/** A typed outcome for expected business results (insufficient stock, illegal transition...). */
export type Ok<T> = { readonly ok: true; readonly value: T };
export type Err<E> = { readonly ok: false; readonly error: E };
export type Result<T, E = Failure> = Ok<T> | Err<E>;

/** An expected business failure: a stable code from the problem catalog plus context. */
export interface Failure {
  readonly code: ProblemCode;
  readonly detail: string;
  readonly extra?: Record<string, unknown>;
}

export const ok = <T>(value: T): Ok<T> => ({ ok: true, value });
export const err = <E>(error: E): Err<E> => ({ ok: false, error });
export const fail = (code: ProblemCode, detail: string, extra?: Record<string, unknown>): Err<Failure> =>
  err(extra === undefined ? { code, detail } : { code, detail, extra });
