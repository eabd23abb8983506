import { isCountry } from '../../../kernel/countries.js';
import type { FieldError } from '../../../kernel/problem.js';
import { emailProblem } from './email.js';

/**
 * A form's fields (docs/leads.md#fields). `email` is always there and required; `name`, `company`, `phone`
 * and `country` are standard fields with fixed types; any other name is a custom field of type text, number,
 * boolean or select. Every field has limits, so a submission is bounded whatever the form says.
 */
export type FieldType = 'email' | 'text' | 'phone' | 'country' | 'number' | 'boolean' | 'select';

export interface FieldDefinition {
  readonly name: string;
  readonly type: FieldType;
  readonly label: string | null;
  readonly required: boolean;
  /** text, phone, email: at most this many characters. */
  readonly max_length: number | null;
  /** number: bounds (inclusive) and whether it must be whole. */
  readonly min: number | null;
  readonly max: number | null;
  readonly integer: boolean;
  /** select: the allowed values. */
  readonly options: readonly string[] | null;
}

export const fieldLimits = {
  fieldsMax: 30,
  fieldNameLengthMax: 40,
  labelLengthMax: 200,
  textLengthMax: 2_000,
  textLengthDefault: 200,
  emailLengthMax: 254,
  phoneLengthMax: 40,
  selectOptionsMax: 100,
  selectOptionLengthMax: 100,
} as const;

export const standardFieldTypes: Readonly<Record<string, FieldType>> = {
  email: 'email',
  name: 'text',
  company: 'text',
  phone: 'phone',
  country: 'country',
};
const customTypes: readonly FieldType[] = ['text', 'number', 'boolean', 'select'];
/** Names the hosted page and the JSON body use for themselves. */
const reservedNames = new Set(['consent', 'hp_website', 'render_token', 'page_uri', 'hutk', 'locale', 'form', 'data']);
const fieldNamePattern = /^[a-z][a-z0-9_]{0,39}$/;

/** The definitions as a client sends them (validated here beyond the schema: names, types, limits). */
export interface FieldInput {
  readonly name: string;
  readonly type?: FieldType | undefined;
  readonly label?: string | undefined;
  readonly required?: boolean | undefined;
  readonly max_length?: number | undefined;
  readonly min?: number | undefined;
  readonly max?: number | undefined;
  readonly integer?: boolean | undefined;
  readonly options?: readonly string[] | undefined;
}

/** Checks and normalizes field definitions; errors point into `/fields/<i>/...`. */
export function defineFields(inputs: readonly FieldInput[]): { fields: FieldDefinition[]; errors: FieldError[] } {
  const errors: FieldError[] = [];
  const seen = new Set<string>();
  const fields: FieldDefinition[] = [];
  for (const [i, input] of inputs.entries()) {
    const at = `/fields/${i}`;
    const standard = standardFieldTypes[input.name];
    const type = input.type ?? standard ?? 'text';
    if (!fieldNamePattern.test(input.name))
      errors.push({ pointer: `${at}/name`, detail: 'must be a lower-case letter then letters, digits or _' });
    else if (reservedNames.has(input.name)) errors.push({ pointer: `${at}/name`, detail: `"${input.name}" is reserved` });
    else if (seen.has(input.name)) errors.push({ pointer: `${at}/name`, detail: `"${input.name}" is defined twice` });
    seen.add(input.name);
    if (standard !== undefined && type !== standard)
      errors.push({ pointer: `${at}/type`, detail: `the ${input.name} field has type ${standard}` });
    if (standard === undefined && !customTypes.includes(type)) {
      errors.push({ pointer: `${at}/type`, detail: `a custom field's type is one of ${customTypes.join(', ')}` });
    }
    const lengthCap =
      type === 'email' ? fieldLimits.emailLengthMax : type === 'phone' ? fieldLimits.phoneLengthMax : fieldLimits.textLengthMax;
    if (input.max_length !== undefined && !['text', 'email', 'phone'].includes(type)) {
      errors.push({ pointer: `${at}/max_length`, detail: 'only text, email and phone fields have a length' });
    }
    if (input.max_length !== undefined && input.max_length > lengthCap)
      errors.push({ pointer: `${at}/max_length`, detail: `must be at most ${lengthCap}` });
    if ((input.min !== undefined || input.max !== undefined || input.integer !== undefined) && type !== 'number') {
      errors.push({
        pointer: `${at}/${input.min !== undefined ? 'min' : input.max !== undefined ? 'max' : 'integer'}`,
        detail: 'only number fields have bounds',
      });
    }
    if (input.min !== undefined && input.max !== undefined && input.min > input.max)
      errors.push({ pointer: `${at}/min`, detail: 'must not exceed max' });
    if (type === 'select') {
      const options = input.options ?? [];
      if (options.length === 0) errors.push({ pointer: `${at}/options`, detail: 'a select field needs at least one option' });
      if (new Set(options).size !== options.length) errors.push({ pointer: `${at}/options`, detail: 'options must be distinct' });
    } else if (input.options !== undefined) errors.push({ pointer: `${at}/options`, detail: 'only select fields have options' });
    fields.push({
      name: input.name,
      type,
      label: input.label?.trim() || null,
      required: input.name === 'email' ? true : (input.required ?? false),
      max_length: ['text', 'email', 'phone'].includes(type)
        ? Math.min(input.max_length ?? (type === 'text' ? fieldLimits.textLengthDefault : lengthCap), lengthCap)
        : null,
      min: type === 'number' ? (input.min ?? null) : null,
      max: type === 'number' ? (input.max ?? null) : null,
      integer: type === 'number' ? (input.integer ?? false) : false,
      options: type === 'select' ? [...(input.options ?? [])] : null,
    });
  }
  const email = inputs.findIndex((f) => f.name === 'email');
  if (email === -1) errors.push({ pointer: '/fields', detail: 'an email field is required' });
  else if (inputs[email]?.required === false)
    errors.push({ pointer: `/fields/${email}/required`, detail: 'the email field is always required' });
  if (inputs.length > fieldLimits.fieldsMax) errors.push({ pointer: '/fields', detail: `at most ${fieldLimits.fieldsMax} fields` });
  return { fields, errors };
}

export type FieldValue = string | number | boolean;

/** The raw values of a submission: JSON values from the API, strings from an HTML form. */
export type RawValues = Readonly<Record<string, unknown>>;

/**
 * Checks submitted values against the form's fields. Unknown names are errors (only defined fields are
 * accepted); empty optional fields are left out. `fromHtml` reads booleans and numbers from form text
 * ("on", "12"). Errors point at `${base}/<field>`.
 */
export function checkValues(
  fields: readonly FieldDefinition[],
  raw: RawValues,
  options: { readonly fromHtml: boolean; readonly base: string },
): { values: Record<string, FieldValue>; errors: FieldError[] } {
  const errors: FieldError[] = [];
  const values: Record<string, FieldValue> = {};
  const byName = new Map(fields.map((f) => [f.name, f]));
  for (const key of Object.keys(raw)) {
    if (!byName.has(key)) errors.push({ pointer: `${options.base}/${escapePointer(key)}`, detail: 'is not a field of this form' });
  }
  for (const field of fields) {
    const at = `${options.base}/${field.name}`;
    const value = raw[field.name];
    const empty = value === undefined || value === null || (typeof value === 'string' && value.trim() === '');
    if (empty) {
      if (field.type === 'boolean' && options.fromHtml && !field.required) values[field.name] = false;
      else if (field.required) errors.push({ pointer: at, detail: field.type === 'boolean' ? 'must be checked' : 'is required' });
      continue;
    }
    const checked = checkValue(field, value, options.fromHtml);
    if (typeof checked === 'object') errors.push({ pointer: at, detail: checked.error });
    else values[field.name] = checked;
  }
  return { values, errors };
}

function checkValue(field: FieldDefinition, value: unknown, fromHtml: boolean): FieldValue | { error: string } {
  switch (field.type) {
    case 'boolean': {
      if (typeof value === 'boolean') return field.required && !value ? { error: 'must be checked' } : value;
      if (fromHtml && typeof value === 'string' && ['on', 'true', '1', 'yes'].includes(value)) return true;
      return { error: 'must be true or false' };
    }
    case 'number': {
      const n =
        typeof value === 'number'
          ? value
          : fromHtml && typeof value === 'string' && /^-?\d+(\.\d+)?$/.test(value.trim())
            ? Number(value)
            : Number.NaN;
      if (!Number.isFinite(n)) return { error: 'must be a number' };
      if (field.integer && !Number.isInteger(n)) return { error: 'must be a whole number' };
      if (field.min !== null && n < field.min) return { error: `must be at least ${field.min}` };
      if (field.max !== null && n > field.max) return { error: `must be at most ${field.max}` };
      return n;
    }
    default:
      break;
  }
  if (typeof value !== 'string') return { error: 'must be text' };
  const text = value.trim();
  if (controlCharacters.test(text)) return { error: 'must not contain control characters' };
  if (field.max_length !== null && [...text].length > field.max_length) return { error: `must be at most ${field.max_length} characters` };
  switch (field.type) {
    case 'email': {
      const problem = emailProblem(text);
      return problem ? { error: problem } : text;
    }
    case 'phone':
      return /^\+?[0-9 ().-]{4,40}$/.test(text) ? text : { error: 'must be a phone number (digits, spaces, + ( ) . -)' };
    case 'country': {
      const code = text.toUpperCase();
      return isCountry(code) ? code : { error: 'must be an ISO 3166-1 alpha-2 country code' };
    }
    case 'select':
      return field.options?.includes(text) ? text : { error: `must be one of ${(field.options ?? []).join(', ')}` };
    default:
      if (/[\r\n]/.test(text)) return { error: 'must be one line' };
      return text;
  }
}

const controlCharacters = /[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f]/;

const escapePointer = (key: string): string => key.slice(0, 100).replaceAll('~', '~0').replaceAll('/', '~1');
