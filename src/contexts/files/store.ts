import { createHash, randomBytes } from 'node:crypto';
import fs from 'node:fs';
import fsp from 'node:fs/promises';
import path from 'node:path';
import { type Readable, Transform, type TransformCallback } from 'node:stream';
import { pipeline } from 'node:stream/promises';

/** A byte range, both ends inclusive (as in HTTP `Range: bytes=start-end`). */
export interface ByteRange {
  readonly start: number;
  readonly end: number;
}

/** What the store wrote: where (opaque key), how many bytes and their SHA-256 (hex). */
export interface StoredBlob {
  readonly storageKey: string;
  readonly size: number;
  readonly sha256: string;
}

/**
 * Where file bytes live. Local disk by default; an S3-compatible store implements the same three calls
 * (put as a multipart upload computing the hash on the way, open as a ranged GET, remove as DELETE).
 * Metadata (name, type, size, hash) lives in the `files` table, not in the store.
 */
export interface FileStore {
  /** Streams `source` into the store, hashing it; rejects with `FileTooLargeError` past `maxBytes` and leaves nothing behind. */
  put(source: Readable, meta: { readonly name: string; readonly contentType: string; readonly maxBytes: number }): Promise<StoredBlob>;
  /** The bytes of a stored blob, or of one range of it, as a stream. */
  open(storageKey: string, range?: ByteRange): Readable;
  /** Deletes a blob; removing a missing blob is not an error. */
  remove(storageKey: string): Promise<void>;
}

export class FileTooLargeError extends Error {
  override name = 'FileTooLargeError';
  constructor(readonly maxBytes: number) {
    super(`the file is larger than ${maxBytes} bytes`);
  }
}

/** Counts and hashes bytes as they pass, failing once more than `maxBytes` went through. */
class HashingLimiter extends Transform {
  readonly hash = createHash('sha256');
  size = 0;
  constructor(private readonly maxBytes: number) {
    super();
  }
  override _transform(chunk: Buffer, _encoding: BufferEncoding, callback: TransformCallback): void {
    this.size += chunk.length;
    if (this.size > this.maxBytes) {
      callback(new FileTooLargeError(this.maxBytes));
      return;
    }
    this.hash.update(chunk);
    callback(null, chunk);
  }
}

const storageKeyPattern = /^[0-9a-f]{2}\/[0-9a-f]{32}$/;

/**
 * Files on local disk under `<root>`: written to `<root>/tmp/<random>.part` and renamed into
 * `<root>/<aa>/<32 hex>` once complete and hashed, so a reader never sees a half-written file and a crash
 * leaves at most a temporary file behind.
 */
export class LocalDiskFileStore implements FileStore {
  constructor(readonly root: string) {}

  async put(source: Readable, meta: { readonly maxBytes: number }): Promise<StoredBlob> {
    const name = randomBytes(16).toString('hex');
    const storageKey = `${name.slice(0, 2)}/${name}`;
    const tmpDir = path.join(this.root, 'tmp');
    const tmp = path.join(tmpDir, `${name}.part`);
    await fsp.mkdir(tmpDir, { recursive: true });
    const limiter = new HashingLimiter(meta.maxBytes);
    try {
      await pipeline(source, limiter, fs.createWriteStream(tmp, { flags: 'wx', mode: 0o600 }));
      const final = this.#path(storageKey);
      await fsp.mkdir(path.dirname(final), { recursive: true });
      await fsp.rename(tmp, final);
    } catch (error) {
      await fsp.rm(tmp, { force: true });
      // Stop reading the rest of a refused upload.
      if (!source.destroyed) source.resume();
      throw error;
    }
    return { storageKey, size: limiter.size, sha256: limiter.hash.digest('hex') };
  }

  open(storageKey: string, range?: ByteRange): Readable {
    return fs.createReadStream(this.#path(storageKey), range ? { start: range.start, end: range.end } : {});
  }

  async remove(storageKey: string): Promise<void> {
    await fsp.rm(this.#path(storageKey), { force: true });
  }

  #path(storageKey: string): string {
    if (!storageKeyPattern.test(storageKey)) throw new Error('not a storage key of this store');
    return path.join(this.root, storageKey);
  }
}
