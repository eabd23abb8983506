import type { FastifyError, FastifyInstance, FastifyReply } from 'fastify';
import { AssertionError } from '../kernel/assert.js';
import { type Problem, type ProblemCode, ProblemError, problem } from '../kernel/problem.js';
import type { Result } from '../kernel/result.js';
import { toFieldErrors } from './validation.js';

export const problemContentType = 'application/problem+json';

export function sendProblem(reply: FastifyReply, p: Problem): FastifyReply {
  return reply
    .code(p.status)
    .type(problemContentType)
    .send(JSON.stringify({ ...p, instance: reply.request.url.slice(0, 500) }));
}

/** Unwraps a use case result: the value, or a problem response thrown to the error handler. */
export function unwrap<T>(result: Result<T>): T {
  if (result.ok) return result.value;
  throw new ProblemError(result.error.code, result.error.detail, result.error.extra ?? {});
}

const fastifyCodes: Record<string, ProblemCode> = {
  FST_ERR_CTP_INVALID_JSON_BODY: 'malformed_json',
  FST_ERR_CTP_EMPTY_JSON_BODY: 'malformed_json',
  FST_ERR_CTP_BODY_TOO_LARGE: 'payload_too_large',
  FST_ERR_CTP_INVALID_MEDIA_TYPE: 'unsupported_media_type',
  FST_ERR_CTP_INVALID_CONTENT_LENGTH: 'validation_failed',
  FST_ERR_CTP_INVALID_TYPE: 'unsupported_media_type',
};

/** Errors the router raises before any route runs (bad percent-encoding, an over-long path parameter), as problems too. */
export function frameworkErrors(error: FastifyError, _request: unknown, reply: FastifyReply): FastifyReply {
  if (error.code === 'FST_ERR_BAD_URL' || error.code === 'FST_ERR_MAX_PARAM_LENGTH') {
    const detail = error.code === 'FST_ERR_BAD_URL' ? 'the path is not valid URL encoding' : 'a path parameter is too long';
    return sendProblem(reply, problem('validation_failed', detail, { errors: [{ pointer: '/params', detail }] }));
  }
  return sendProblem(reply, problem('internal', 'an internal error occurred; it has been logged'));
}

/** The one error handler: every failure leaves as an RFC 9457 problem document, never a stack trace. */
export function installErrorHandling(app: FastifyInstance): void {
  app.setErrorHandler((error: FastifyError, request, reply) => {
    if (error instanceof ProblemError) return sendProblem(reply, error.problem);
    if (error.validation) {
      const errors = toFieldErrors(error.validation as never, error.validationContext);
      const first = errors[0];
      return sendProblem(
        reply,
        problem('validation_failed', first ? `${first.pointer || '/'} ${first.detail}` : 'the request is not valid', { errors }),
      );
    }
    const mapped = error.code ? fastifyCodes[error.code] : undefined;
    if (mapped) return sendProblem(reply, problem(mapped, error.message));
    if (error instanceof SyntaxError) return sendProblem(reply, problem('malformed_json', 'the request body is not valid JSON'));
    if (typeof error.statusCode === 'number' && error.statusCode >= 400 && error.statusCode < 500) {
      const code: ProblemCode =
        error.statusCode === 413
          ? 'payload_too_large'
          : error.statusCode === 415
            ? 'unsupported_media_type'
            : error.statusCode === 404
              ? 'not_found'
              : 'validation_failed';
      return sendProblem(reply, problem(code, error.message));
    }
    request.log.error({ err: error, assertion: error instanceof AssertionError }, 'unhandled error');
    return sendProblem(reply, problem('internal', 'an internal error occurred; it has been logged'));
  });
  app.setNotFoundHandler((request, reply) =>
    sendProblem(reply, problem('route_not_found', `no route ${request.method} ${request.url.split('?')[0]?.slice(0, 200)}`)),
  );
}
