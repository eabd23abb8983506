import { inflateSync } from 'node:zlib';

/**
 * A small PDF reader for tests: it checks the file's structure (header, cross-reference table, trailer,
 * every object where the table says), walks the page tree to count pages, and extracts image XObjects
 * as raw pixels. Enough to prove a generated PDF is a real, consistent PDF, not a general parser.
 */

export type PdfValue =
  | { readonly kind: 'number'; readonly value: number }
  | { readonly kind: 'name'; readonly value: string }
  | { readonly kind: 'string'; readonly value: Buffer }
  | { readonly kind: 'keyword'; readonly value: string }
  | { readonly kind: 'ref'; readonly num: number }
  | { readonly kind: 'array'; readonly items: PdfValue[] }
  | { readonly kind: 'dict'; readonly entries: Map<string, PdfValue> };

export interface PdfObject {
  readonly num: number;
  readonly value: PdfValue;
  readonly stream?: Buffer;
}

export interface PdfImage {
  readonly num: number;
  readonly width: number;
  readonly height: number;
  /** Components per pixel: 1 gray, 3 RGB. */
  readonly colors: number;
  /** Rows of `width * colors` bytes, top to bottom, filters undone. */
  readonly pixels: Buffer;
  readonly isSoftMask: boolean;
}

export interface PdfDocument {
  readonly version: string;
  readonly objects: ReadonlyMap<number, PdfObject>;
  readonly pageCount: number;
  readonly pages: readonly PdfValue[];
  readonly images: readonly PdfImage[];
  readonly info: ReadonlyMap<string, PdfValue>;
}

const delimiters = new Set('()<>[]{}/%'.split('').map((c) => c.charCodeAt(0)));
const isSpace = (b: number | undefined) => b === 0x20 || b === 0x0a || b === 0x0d || b === 0x09 || b === 0x0c || b === 0x00;

type Token = { kind: 'open'; value: '<<' | '[' } | { kind: 'close'; value: '>>' | ']' } | { kind: 'value'; value: PdfValue };

class Lexer {
  constructor(
    readonly buf: Buffer,
    public pos: number,
  ) {}

  skipSpace(): void {
    for (;;) {
      while (isSpace(this.buf[this.pos])) this.pos += 1;
      if (this.buf[this.pos] !== 0x25) return;
      while (this.pos < this.buf.length && this.buf[this.pos] !== 0x0a && this.buf[this.pos] !== 0x0d) this.pos += 1;
    }
  }

  literalString(): Buffer {
    const out: number[] = [];
    let depth = 1;
    this.pos += 1;
    while (depth > 0) {
      const b = this.buf[this.pos++];
      if (b === undefined) throw new Error('unterminated string');
      if (b === 0x5c) out.push(this.buf[this.pos++] ?? 0);
      else {
        if (b === 0x28) depth += 1;
        if (b === 0x29) depth -= 1;
        if (depth > 0) out.push(b);
      }
    }
    return Buffer.from(out);
  }

  next(): Token | undefined {
    this.skipSpace();
    const b = this.buf[this.pos];
    if (b === undefined) return undefined;
    const two = this.buf.toString('latin1', this.pos, this.pos + 2);
    if (two === '<<' || two === '>>') {
      this.pos += 2;
      return two === '<<' ? { kind: 'open', value: two } : { kind: 'close', value: two };
    }
    if (b === 0x5b || b === 0x5d) {
      this.pos += 1;
      return b === 0x5b ? { kind: 'open', value: '[' } : { kind: 'close', value: ']' };
    }
    if (b === 0x28) return { kind: 'value', value: { kind: 'string', value: this.literalString() } };
    if (b === 0x3c) {
      const end = this.buf.indexOf('>', this.pos);
      const hex = this.buf.toString('latin1', this.pos + 1, end).replace(/\s/g, '');
      this.pos = end + 1;
      return { kind: 'value', value: { kind: 'string', value: Buffer.from(hex, 'hex') } };
    }
    const start = b === 0x2f ? this.pos + 1 : this.pos;
    let end = start;
    while (end < this.buf.length && !isSpace(this.buf[end]) && !delimiters.has(this.buf[end] ?? 0)) end += 1;
    const word = this.buf.toString('latin1', start, end);
    this.pos = end;
    if (b === 0x2f) return { kind: 'value', value: { kind: 'name', value: word } };
    if (/^[+-]?(\d+\.?\d*|\.\d+)$/.test(word)) return { kind: 'value', value: { kind: 'number', value: Number(word) } };
    if (word === '') throw new Error(`unexpected byte ${b} at ${this.pos}`);
    return { kind: 'value', value: { kind: 'keyword', value: word } };
  }
}

type Frame = { kind: 'dict'; items: PdfValue[] } | { kind: 'array'; items: PdfValue[] };

function close(frame: Frame): PdfValue {
  if (frame.kind === 'array') return { kind: 'array', items: foldRefs(frame.items) };
  const items = foldRefs(frame.items);
  const entries = new Map<string, PdfValue>();
  for (let i = 0; i + 1 < items.length; i += 2) {
    const key = items[i];
    const value = items[i + 1];
    if (key?.kind !== 'name' || value === undefined) throw new Error('dictionary key is not a name');
    entries.set(key.value, value);
  }
  return { kind: 'dict', entries };
}

/** `12 0 R` arrives as three tokens; fold them into a reference. */
function foldRefs(items: PdfValue[]): PdfValue[] {
  const out: PdfValue[] = [];
  for (const item of items) {
    const [a, b] = [out.at(-2), out.at(-1)];
    if (item.kind === 'keyword' && item.value === 'R' && a?.kind === 'number' && b?.kind === 'number') {
      out.splice(-2, 2, { kind: 'ref', num: a.value });
    } else out.push(item);
  }
  return out;
}

/** One value at the lexer's position, nested dictionaries and arrays included (an explicit stack, no recursion). */
function readValue(lexer: Lexer): PdfValue {
  const stack: Frame[] = [];
  for (;;) {
    const token = lexer.next();
    if (token === undefined) throw new Error('unexpected end of file');
    let value: PdfValue | undefined;
    if (token.kind === 'open') stack.push({ kind: token.value === '<<' ? 'dict' : 'array', items: [] });
    else if (token.kind === 'close') {
      const frame = stack.pop();
      if (frame === undefined || (frame.kind === 'dict') !== (token.value === '>>')) throw new Error('unbalanced brackets');
      value = close(frame);
    } else value = token.value;
    if (value === undefined) continue;
    const top = stack.at(-1);
    if (top === undefined) return value;
    top.items.push(value);
  }
}

const dictOf = (value: PdfValue | undefined): Map<string, PdfValue> => {
  if (value?.kind !== 'dict') throw new Error('expected a dictionary');
  return value.entries;
};
const numberOf = (value: PdfValue | undefined): number => {
  if (value?.kind !== 'number') throw new Error('expected a number');
  return value.value;
};

function readObject(buf: Buffer, num: number, offset: number): PdfObject {
  const header = new RegExp(`^${num} (\\d+) obj`).exec(buf.toString('latin1', offset, offset + 32));
  if (header === null) throw new Error(`object ${num}: the cross-reference offset ${offset} does not point at "${num} 0 obj"`);
  const lexer = new Lexer(buf, offset + header[0].length);
  const value = readValue(lexer);
  const after = lexer.next();
  if (after?.kind === 'value' && after.value.kind === 'keyword' && after.value.value === 'stream') {
    let start = lexer.pos;
    if (buf[start] === 0x0d) start += 1;
    if (buf[start] === 0x0a) start += 1;
    const length = numberOf(dictOf(value).get('Length'));
    const stream = buf.subarray(start, start + length);
    if (!buf.toString('latin1', start + length, start + length + 12).includes('endstream'))
      throw new Error(`object ${num}: stream length is wrong`);
    return { num, value, stream };
  }
  if (after?.kind !== 'value' || after.value.kind !== 'keyword' || after.value.value !== 'endobj')
    throw new Error(`object ${num}: no endobj`);
  return { num, value };
}

function readXref(buf: Buffer): { offsets: Map<number, number>; trailer: Map<string, PdfValue> } {
  const tail = buf.toString('latin1', Math.max(0, buf.length - 64));
  const startxref = /startxref\s+(\d+)\s+%%EOF\s*$/.exec(tail);
  if (startxref?.[1] === undefined) throw new Error('no startxref / %%EOF at the end');
  const lexer = new Lexer(buf, Number(startxref[1]));
  const keyword = lexer.next();
  if (keyword?.kind !== 'value' || keyword.value.kind !== 'keyword' || keyword.value.value !== 'xref')
    throw new Error('startxref does not point at xref');
  const offsets = new Map<number, number>();
  lexer.skipSpace();
  const section = /^(\d+) (\d+)\s+/.exec(buf.toString('latin1', lexer.pos, lexer.pos + 40));
  if (section?.[1] === undefined || section[2] === undefined) throw new Error('bad xref subsection');
  const [first, count] = [Number(section[1]), Number(section[2])];
  let pos = lexer.pos + section[0].length;
  for (let i = 0; i < count; i += 1, pos += 20) {
    const entry = /^(\d{10}) (\d{5}) ([nf])/.exec(buf.toString('latin1', pos, pos + 20));
    if (entry?.[1] === undefined) throw new Error(`bad xref entry ${i}`);
    if (entry[3] === 'n') offsets.set(first + i, Number(entry[1]));
  }
  lexer.pos = pos;
  const trailerKeyword = lexer.next();
  if (trailerKeyword?.kind !== 'value' || trailerKeyword.value.kind !== 'keyword' || trailerKeyword.value.value !== 'trailer')
    throw new Error('no trailer');
  const trailer = dictOf(readValue(lexer));
  if (numberOf(trailer.get('Size')) !== count) throw new Error('trailer /Size differs from the xref table');
  return { offsets, trailer };
}

function pngUnfilter(data: Buffer, width: number, colors: number): Buffer {
  const stride = width * colors;
  const rows = data.length / (stride + 1);
  const out = Buffer.alloc(rows * stride);
  for (let y = 0; y < rows; y += 1) {
    const filter = data[y * (stride + 1)];
    for (let x = 0; x < stride; x += 1) {
      const raw = data[y * (stride + 1) + 1 + x] ?? 0;
      const left = x >= colors ? (out[y * stride + x - colors] ?? 0) : 0;
      const up = y > 0 ? (out[(y - 1) * stride + x] ?? 0) : 0;
      const upLeft = y > 0 && x >= colors ? (out[(y - 1) * stride + x - colors] ?? 0) : 0;
      const p = left + up - upLeft;
      const paeth =
        Math.abs(p - left) <= Math.abs(p - up) && Math.abs(p - left) <= Math.abs(p - upLeft)
          ? left
          : Math.abs(p - up) <= Math.abs(p - upLeft)
            ? up
            : upLeft;
      const predicted = [0, left, up, (left + up) >> 1, paeth][filter ?? 0] ?? 0;
      out[y * stride + x] = (raw + predicted) & 0xff;
    }
  }
  return out;
}

function readImage(
  object: PdfObject,
  softMasks: ReadonlySet<number>,
  deref: (v: PdfValue | undefined) => PdfValue | undefined,
): PdfImage | undefined {
  if (object.value.kind !== 'dict' || object.stream === undefined) return undefined;
  const dict = object.value.entries;
  const subtype = dict.get('Subtype');
  if (subtype?.kind !== 'name' || subtype.value !== 'Image') return undefined;
  const width = numberOf(dict.get('Width'));
  const height = numberOf(dict.get('Height'));
  const space = dict.get('ColorSpace');
  const colors = space?.kind === 'name' && space.value === 'DeviceRGB' ? 3 : 1;
  if (numberOf(dict.get('BitsPerComponent')) !== 8) throw new Error('only 8-bit images are read');
  const inflated = inflateSync(object.stream);
  const parms = deref(dict.get('DecodeParms'));
  const predictor = parms?.kind === 'dict' ? numberOf(parms.entries.get('Predictor') ?? { kind: 'number', value: 1 }) : 1;
  const pixels = predictor >= 10 ? pngUnfilter(inflated, width, colors) : inflated;
  if (pixels.length !== width * height * colors)
    throw new Error(`image ${object.num}: ${pixels.length} bytes for ${width}x${height}x${colors}`);
  return { num: object.num, width, height, colors, pixels, isSoftMask: softMasks.has(object.num) };
}

function pageTree(objects: ReadonlyMap<number, PdfObject>, root: PdfValue | undefined): PdfValue[] {
  const deref = (v: PdfValue | undefined) => (v?.kind === 'ref' ? objects.get(v.num)?.value : v);
  const catalog = dictOf(deref(root));
  const pages: PdfValue[] = [];
  const stack = [deref(catalog.get('Pages'))];
  for (let node = stack.pop(); node !== undefined; node = stack.pop()) {
    const dict = dictOf(node);
    const type = dict.get('Type');
    if (type?.kind === 'name' && type.value === 'Page') {
      if (!dict.has('MediaBox') && !dict.has('Parent')) throw new Error('a page without MediaBox');
      pages.push(node);
      continue;
    }
    const kids = dict.get('Kids');
    if (kids?.kind !== 'array') throw new Error('a page tree node without Kids');
    for (const kid of [...kids.items].reverse()) stack.push(deref(kid));
  }
  const count = numberOf(dictOf(deref(catalog.get('Pages'))).get('Count'));
  if (count !== pages.length) throw new Error(`/Count ${count} but ${pages.length} pages in the tree`);
  return pages;
}

export function readPdf(bytes: Uint8Array): PdfDocument {
  const buf = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const version = /^%PDF-(\d\.\d)/.exec(buf.toString('latin1', 0, 16))?.[1];
  if (version === undefined) throw new Error('not a PDF: no %PDF- header');
  const { offsets, trailer } = readXref(buf);
  const objects = new Map<number, PdfObject>();
  for (const [num, offset] of offsets) objects.set(num, readObject(buf, num, offset));
  const softMasks = new Set<number>();
  for (const object of objects.values()) {
    const mask = object.value.kind === 'dict' ? object.value.entries.get('SMask') : undefined;
    if (mask?.kind === 'ref') softMasks.add(mask.num);
  }
  const deref = (v: PdfValue | undefined) => (v?.kind === 'ref' ? objects.get(v.num)?.value : v);
  const images = [...objects.values()].map((o) => readImage(o, softMasks, deref)).filter((i): i is PdfImage => i !== undefined);
  const infoRef = trailer.get('Info');
  const info = infoRef?.kind === 'ref' ? dictOf(objects.get(infoRef.num)?.value) : new Map<string, PdfValue>();
  const pages = pageTree(objects, trailer.get('Root'));
  return { version, objects, pageCount: pages.length, pages, images, info };
}
