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

/**
 * PostgreSQL text cannot hold U+0000 (SQLite can): a NUL anywhere in a body, query or path is refused at the
 * door on both databases, as a validation error with its pointer, instead of failing in the database as a 500.
 */
/** Whether a NUL is anywhere in a value: the cheap walk done for every request, without building pointers. */
function hasNul(value: unknown): boolean {
  const stack: unknown[] = [value];
  while (stack.length > 0) {
    const node = stack.pop();
    if (typeof node === 'string') {
      if (node.includes('\u0000')) return true;
    } else if (Array.isArray(node)) {
      for (const child of node) stack.push(child);
    } else if (node !== null && typeof node === 'object') {
      for (const key of Object.keys(node)) {
        if (key.includes('\u0000')) return true;
        stack.push((node as Record<string, unknown>)[key]);
      }
    }
  }
  return false;
}

function nulPointer(value: unknown, at = ''): string | undefined {
  if (!hasNul(value)) return undefined;
  const stack: [unknown, string][] = [[value, at]];
  for (let next = stack.pop(); next !== undefined; next = stack.pop()) {
    const [node, pointer] = next;
    if (typeof node === 'string') {
      if (node.includes('\u0000')) return pointer;
    } else if (Array.isArray(node)) {
      for (const [i, child] of node.entries()) stack.push([child, `${pointer}/${i}`]);
    } else if (node !== null && typeof node === 'object') {
      for (const [key, child] of Object.entries(node)) {
        const escaped = key.replaceAll('~', '~0').replaceAll('/', '~1');
        if (key.includes('\u0000')) return `${pointer}/${escaped}`;
        stack.push([child, `${pointer}/${escaped}`]);
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
