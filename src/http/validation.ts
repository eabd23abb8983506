import { Ajv, type ErrorObject } from 'ajv';
import addFormats from 'ajv-formats';
import type { FastifySchemaCompiler } from 'fastify';
import type { FieldError } from '../kernel/problem.js';

/**
 * Two validators. Bodies are strict: no type coercion ("2" is not a quantity), unknown properties are
 * errors, every error is reported. Query strings and path parameters are text, so they are coerced.
 */
function makeAjv(coerce: boolean) {
  const ajv = new Ajv({
    allErrors: true,
    coerceTypes: coerce ? 'array' : false,
    removeAdditional: false,
    useDefaults: true,
    strict: false,
    allowUnionTypes: true,
  });
  addFormats.default(ajv, ['date', 'date-time', 'email', 'uri']);
  return ajv;
}

const bodyAjv = makeAjv(false);
const textAjv = makeAjv(true);

export const validatorCompiler: FastifySchemaCompiler<unknown> = ({ schema, httpPart }) => {
  const ajv = httpPart === 'body' ? bodyAjv : textAjv;
  return ajv.compile(schema as object) as ReturnType<FastifySchemaCompiler<unknown>>;
};

const fieldErrorsMax = 50;

/** Turns Ajv errors into field errors with JSON pointers relative to the request part. */
export function toFieldErrors(errors: readonly ErrorObject[], part: string | undefined): FieldError[] {
  const prefix = part && part !== 'body' ? `/${part}` : '';
  return errors.slice(0, fieldErrorsMax).map((e) => {
    let pointer = `${prefix}${e.instancePath}`;
    let detail = e.message ?? 'is not valid';
    if (e.keyword === 'additionalProperties') {
      const extra = (e.params as { additionalProperty: string }).additionalProperty;
      pointer = `${pointer}/${extra}`;
      detail = 'is not a known property';
    } else if (e.keyword === 'required') {
      const missing = (e.params as { missingProperty: string }).missingProperty;
      pointer = `${pointer}/${missing}`;
      detail = 'is required';
    } else if (e.keyword === 'enum') {
      detail = `must be one of ${(e.params as { allowedValues: unknown[] }).allowedValues.join(', ')}`;
    }
    return { pointer, detail };
  });
}

/** The body validator for use outside HTTP (the CLI importer validates each order exactly as the API does). */
export function compileBodyValidator(schema: object): { check(value: unknown): FieldError[] } {
  const validate = bodyAjv.compile(schema);
  return {
    check(value) {
      return validate(value) ? [] : toFieldErrors(validate.errors ?? [], 'body');
    },
  };
}
