import path from 'node:path';
import type { Readable } from 'node:stream';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { ConfigError } from '../../kernel/config.js';
import { ProblemError } from '../../kernel/problem.js';
import type { Tx } from '../../storage/index.js';
import type { PlatformDeps } from '../deps.js';
import { type ByteRange, type FileStore, FileTooLargeError, LocalDiskFileStore, type StoredBlob } from './store.js';

export { type ByteRange, type FileStore, FileTooLargeError, LocalDiskFileStore, type StoredBlob } from './store.js';

/**
 * Stored files (docs/digital.md#files): bytes in a FileStore (local disk under `<dataDir>/files` by
 * default), metadata in the `files` table. Used by digital deliverables and by lead-form attachments.
 * Files are streamed in and out, never held in memory whole.
 */
export interface StoredFile {
  readonly id: string;
  readonly name: string;
  readonly contentType: string;
  readonly size: number;
  /** Hex SHA-256 of the bytes; also the file's ETag. */
  readonly sha256: string;
  readonly createdAt: string;
}

/** Deps with an optional store; without one, files go to local disk under `<dataDir>/files`. */
export type FilesDeps = PlatformDeps & { readonly fileStore?: FileStore };

/** Default size limit of one upload when `FILES_MAX_BYTES` is not set: 512 MiB. */
export const defaultFilesMaxBytes = 512 * 1024 * 1024;

/** `FILES_MAX_BYTES` from the environment (bytes, at least 1), or the default. */
export function filesMaxBytes(env: NodeJS.ProcessEnv = process.env): number {
  const raw = env.FILES_MAX_BYTES?.trim();
  if (!raw) return defaultFilesMaxBytes;
  const value = Number(raw);
  if (!Number.isSafeInteger(value) || value < 1) throw new ConfigError('FILES_MAX_BYTES must be a positive whole number of bytes');
  return value;
}

const stores = new Map<string, FileStore>();

/** The deps' file store, or the local-disk store of their data directory (one per directory). */
export function fileStoreOf(deps: FilesDeps): FileStore {
  if (deps.fileStore) return deps.fileStore;
  const root = path.join(deps.dataDir, 'files');
  let store = stores.get(root);
  if (!store) {
    store = new LocalDiskFileStore(root);
    stores.set(root, store);
  }
  return store;
}

export const fileNameLengthMax = 255;
const contentTypePattern =
  /^[a-z0-9][a-z0-9!#$&^_.+-]{0,62}\/[a-z0-9][a-z0-9!#$&^_.+-]{0,62}(\s*;\s*[a-z0-9_.+-]{1,40}=("[^"\\\r\n]{0,100}"|[a-z0-9_.+-]{1,100}))*$/i;

/** A file name as given by a client, reduced to a last path segment without control characters; undefined when nothing is left. */
export function cleanFileName(raw: string): string | undefined {
  const name = (raw.split(/[\\/]/).pop() ?? '').replace(/[\u0000-\u001f\u007f]/g, '').trim();
  if (!name || name === '.' || name === '..' || name.length > fileNameLengthMax) return undefined;
  return name;
}

export const isContentType = (value: string): boolean => value.length <= 255 && contentTypePattern.test(value);

type FileRow = { id: string; name: string; content_type: string; size: number | string; sha256: string; created_at: string };

/** Where a file found through this module lives: carried (not enumerable) so `sendStoredFile` needs no deps. */
const location = Symbol('fileLocation');
type Located = { [location]?: { store: FileStore; storageKey: string } };

function toStoredFile(row: FileRow & { storage_key: string }, store: FileStore): StoredFile {
  const file: StoredFile = {
    id: row.id,
    name: row.name,
    contentType: row.content_type,
    size: Number(row.size),
    sha256: row.sha256,
    createdAt: row.created_at,
  };
  Object.defineProperty(file, location, { value: { store, storageKey: row.storage_key }, enumerable: false });
  return file;
}

/**
 * Streams `source` into the store (temporary file, then rename), hashing on the way, and records a `files`
 * row. Too large is `payload_too_large` (413), an empty file or a bad name/type `validation_failed`; nothing
 * is left behind either way.
 */
export async function saveFile(
  deps: FilesDeps,
  source: Readable,
  meta: { readonly name: string; readonly contentType: string; readonly maxBytes?: number; readonly createdBy?: string },
): Promise<StoredFile> {
  const name = cleanFileName(meta.name);
  if (!name) {
    source.resume();
    throw new ProblemError('validation_failed', 'the file name must be 1 to 255 characters', {
      errors: [{ pointer: '/query/name', detail: 'invalid file name' }],
    });
  }
  const contentType = meta.contentType.trim();
  if (!isContentType(contentType)) {
    source.resume();
    throw new ProblemError('validation_failed', 'the Content-Type is not a valid media type', {
      errors: [{ pointer: '/headers/content-type', detail: 'invalid media type' }],
    });
  }
  const store = fileStoreOf(deps);
  const maxBytes = meta.maxBytes ?? filesMaxBytes();
  let blob: StoredBlob;
  try {
    blob = await store.put(source, { name, contentType, maxBytes });
  } catch (error) {
    if (error instanceof FileTooLargeError) {
      throw new ProblemError('payload_too_large', `the file is larger than the limit of ${maxBytes} bytes`, { max_bytes: maxBytes });
    }
    throw error;
  }
  if (blob.size === 0) {
    await store.remove(blob.storageKey);
    throw new ProblemError('validation_failed', 'the file is empty', { errors: [{ pointer: '/body', detail: 'empty file' }] });
  }
  const row = {
    id: deps.ids.next('digitalFile'),
    name,
    content_type: contentType,
    size: blob.size,
    sha256: blob.sha256,
    storage_key: blob.storageKey,
    created_by: meta.createdBy ?? 'system',
    created_at: deps.clock.now().toISOString(),
  };
  try {
    await deps.db.transaction((tx) => tx.insertInto('files').values(row).execute());
  } catch (error) {
    await store.remove(blob.storageKey);
    throw error;
  }
  return toStoredFile(row, store);
}

const fileColumns = ['id', 'name', 'content_type', 'size', 'sha256', 'created_at', 'storage_key'] as const;

export async function findFile(deps: FilesDeps, id: string, tx?: Tx): Promise<StoredFile | undefined> {
  const row = await (tx ?? deps.db.read).selectFrom('files').select(fileColumns).where('id', '=', id).executeTakeFirst();
  return row ? toStoredFile(row, fileStoreOf(deps)) : undefined;
}

/** Several files by id, in no particular order; unknown ids are simply absent. */
export async function findFiles(deps: FilesDeps, ids: readonly string[], tx?: Tx): Promise<StoredFile[]> {
  if (ids.length === 0) return [];
  const rows = await (tx ?? deps.db.read).selectFrom('files').select(fileColumns).where('id', 'in', ids).execute();
  const store = fileStoreOf(deps);
  return rows.map((row) => toStoredFile(row, store));
}

/**
 * Deletes a file's row and bytes. Refused (`conflict`) while a digital item delivers it. The row goes first,
 * so a failure to delete the bytes leaves an orphan blob, never a row without bytes.
 */
export async function removeFile(deps: FilesDeps, id: string): Promise<boolean> {
  const storageKey = await deps.db.transaction(async (tx) => {
    const used = await tx.selectFrom('digital_product_files').select('item_id').where('file_id', '=', id).executeTakeFirst();
    if (used) throw new ProblemError('conflict', 'the file is a deliverable of a digital item; detach it first');
    const row = await tx.deleteFrom('files').where('id', '=', id).returning('storage_key').executeTakeFirst();
    return row?.storage_key;
  });
  if (storageKey === undefined) return false;
  await fileStoreOf(deps).remove(storageKey);
  return true;
}

/** The file's JSON view for the API. */
export const fileView = (file: StoredFile) => ({
  id: file.id,
  name: file.name,
  content_type: file.contentType,
  size: file.size,
  sha256: file.sha256,
  created_at: file.createdAt,
});

export type RangeRequest =
  | { readonly kind: 'full' }
  | { readonly kind: 'partial'; readonly range: ByteRange }
  | { readonly kind: 'unsatisfiable' };

/**
 * The request's `Range` header against a file of `size` bytes (RFC 9110 section 14). One range is served as
 * 206; several ranges, a non-byte unit or a syntax error are ignored (a full 200), as the RFC allows; a
 * range starting past the end is 416. An `If-Range` that does not match the ETag also means the full file.
 */
export function parseRange(header: string | undefined, size: number, ifRange?: string, etag?: string): RangeRequest {
  if (!header) return { kind: 'full' };
  if (ifRange !== undefined && ifRange !== etag) return { kind: 'full' };
  const match = /^bytes=(\d*)-(\d*)$/.exec(header.trim());
  if (!match) return { kind: 'full' };
  const [, first = '', last = ''] = match;
  if (first === '' && last === '') return { kind: 'full' };
  if (first === '') {
    const suffix = Number(last);
    if (suffix === 0) return { kind: 'unsatisfiable' };
    return { kind: 'partial', range: { start: Math.max(0, size - suffix), end: size - 1 } };
  }
  const start = Number(first);
  const end = last === '' ? size - 1 : Math.min(Number(last), size - 1);
  if (!Number.isSafeInteger(start) || start >= size) return { kind: 'unsatisfiable' };
  if (end < start) return { kind: 'full' };
  return { kind: 'partial', range: { start, end } };
}

/** `attachment; filename="ascii"; filename*=UTF-8''encoded`: safe whatever the stored name holds (RFC 6266). */
export function contentDisposition(name: string, disposition: 'attachment' | 'inline' = 'attachment'): string {
  const ascii = name.replace(/[^A-Za-z0-9._ ()-]/g, '_').slice(0, 150) || 'download';
  const encoded = encodeURIComponent(name).replace(/['()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`);
  return `${disposition}; filename="${ascii}"; filename*=UTF-8''${encoded}`;
}

export interface SendFileOptions {
  readonly disposition?: 'attachment' | 'inline';
  /** Default `private, no-store`: download links are personal. */
  readonly cacheControl?: string;
  /** Answer `If-None-Match` with 304 (default true). */
  readonly conditional?: boolean;
  /** The range to serve, when the caller already parsed it (to count downloads before sending). */
  readonly range?: RangeRequest;
}

/**
 * Streams a stored file as the reply: 200 with the whole file, 206 with one range, 416 when the range is
 * past the end, 304 when `If-None-Match` names its ETag. The ETag is the SHA-256. The bytes are piped from
 * the store; the file is never loaded whole. A client that goes away stops the read.
 */
export async function sendStoredFile(
  request: FastifyRequest,
  reply: FastifyReply,
  file: StoredFile,
  options: SendFileOptions = {},
): Promise<FastifyReply> {
  const where = (file as Located)[location];
  if (!where) throw new Error('sendStoredFile needs a file from saveFile, findFile or findFiles');
  const etag = `"${file.sha256}"`;
  reply
    .header('etag', etag)
    .header('accept-ranges', 'bytes')
    .header('cache-control', options.cacheControl ?? 'private, no-store')
    .header('x-content-type-options', 'nosniff')
    .header('content-security-policy', "sandbox; default-src 'none'")
    .header('content-disposition', contentDisposition(file.name, options.disposition));
  if ((options.conditional ?? true) && request.headers['if-none-match'] === etag) return reply.code(304).send();
  const ifRange = request.headers['if-range'] as string | undefined;
  const range = options.range ?? parseRange(request.headers.range, file.size, ifRange, etag);
  if (range.kind === 'unsatisfiable') {
    return reply.code(416).header('content-range', `bytes */${file.size}`).type('text/plain').send('range not satisfiable');
  }
  const { store, storageKey } = where;
  reply.type(file.contentType);
  if (range.kind === 'partial') {
    const { start, end } = range.range;
    reply
      .code(206)
      .header('content-range', `bytes ${start}-${end}/${file.size}`)
      .header('content-length', String(end - start + 1));
    if (request.method === 'HEAD') return reply.send();
    return reply.send(store.open(storageKey, range.range));
  }
  reply.code(200).header('content-length', String(file.size));
  if (request.method === 'HEAD') return reply.send();
  return reply.send(store.open(storageKey));
}
