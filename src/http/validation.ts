import { Ajv, type ErrorObject, type ValidateFunction } from 'ajv';
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

/** A value met while looking for a NUL, with the way to it: the pointer is only spelled out for a hit. */
interface Step {
  readonly node: unknown;
  readonly parent: Step | undefined;
  /** The array index or object key that leads from the parent to this node. */
  readonly key: string;
}

/** A JSON pointer segment (RFC 6901). */
const segment = (key: string): string => `/${key.replaceAll('~', '~0').replaceAll('/', '~1')}`;

function pointerTo(step: Step, tail = ''): string {
  let pointer = tail;
  for (let s: Step | undefined = step; s?.parent !== undefined; s = s.parent) pointer = `${segment(s.key)}${pointer}`;
  return pointer;
}

/**
 * PostgreSQL text cannot hold U+0000 (SQLite can): a NUL anywhere in a body, query or path is refused at the
 * door on both databases, as a validation error with its pointer, instead of failing in the database as a 500.
 * Every request is walked, so the walk builds no strings; the pointer is spelled out only for the NUL found.
 */
function nulPointer(value: unknown): string | undefined {
  const stack: Step[] = [{ node: value, parent: undefined, key: '' }];
  for (let step = stack.pop(); step !== undefined; step = stack.pop()) {
    const { node } = step;
    if (typeof node === 'string') {
      if (node.includes('\u0000')) return pointerTo(step);
    } else if (Array.isArray(node)) {
      for (let i = 0; i < node.length; i += 1) stack.push({ node: node[i], parent: step, key: String(i) });
    } else if (node !== null && typeof node === 'object') {
      for (const key of Object.keys(node)) {
        if (key.includes('\u0000')) return pointerTo(step, segment(key));
        stack.push({ node: (node as Record<string, unknown>)[key], parent: step, key });
      }
    }
  }
  return undefined;
}

const nulError = (pointer: string): ErrorObject => ({
  instancePath: pointer,
  schemaPath: '#',
  keyword: 'nul',
  params: {},
  message: 'must not contain the NUL character (U+0000)',
});

function withoutNul(validate: ValidateFunction): ValidateFunction {
  const checked = ((data: unknown, ctx?: Parameters<ValidateFunction>[1]) => {
    const valid = validate(data, ctx);
    checked.errors = validate.errors;
    if (!valid) return false;
    const pointer = nulPointer(data);
    if (pointer === undefined) return true;
    checked.errors = [nulError(pointer)];
    return false;
  }) as ValidateFunction;
  // Fastify passes the parent context (needed for coercion of a root value) only to functions that carry these.
  return Object.assign(checked, { schema: validate.schema, schemaEnv: validate.schemaEnv });
}

export const validatorCompiler: FastifySchemaCompiler<unknown> = ({ schema, httpPart }) => {
  const ajv = httpPart === 'body' ? bodyAjv : textAjv;
  return withoutNul(ajv.compile(schema as object)) as ReturnType<FastifySchemaCompiler<unknown>>;
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
  const validate = withoutNul(bodyAjv.compile(schema));
  return {
    check(value) {
      return validate(value) ? [] : toFieldErrors(validate.errors ?? [], 'body');
    },
  };
}
