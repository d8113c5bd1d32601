// The IDX file format of MNIST and Fashion-MNIST (http://yann.lecun.com/exdb/mnist/, "FILE FORMATS"):
// a 4-byte magic number (two zero bytes, a type code, the number of dimensions), one big-endian uint32
// per dimension, then the values in row-major order, big-endian. Files may be gzip-compressed.
import * as fs from 'node:fs';
import * as zlib from 'node:zlib';

/** Thrown when a file is not a well-formed IDX file; the message names the file and what is wrong. */
export class IdxFormatError extends Error {
  override name = 'IdxFormatError';
  constructor(
    readonly file: string,
    problem: string,
  ) {
    super(`${file}: ${problem}`);
  }
}

export type IdxValues = Uint8Array | Int8Array | Int16Array | Int32Array | Float32Array | Float64Array;

interface IdxType {
  name: string;
  bytes: number;
  read(view: DataView, offset: number, count: number): IdxValues;
}

/** Reads `count` big-endian values with `get` into a new typed array. */
function bigEndian<A extends Int16Array | Int32Array | Float32Array | Float64Array>(
  make: (n: number) => A,
  bytes: number,
  get: (view: DataView, at: number) => number,
) {
  return (view: DataView, offset: number, count: number): A => {
    const out = make(count);
    for (let i = 0; i < count; i++) out[i] = get(view, offset + i * bytes);
    return out;
  };
}

const IDX_TYPES: Record<number, IdxType> = {
  0x08: { name: 'unsigned byte', bytes: 1, read: (v, o, n) => new Uint8Array(v.buffer, v.byteOffset + o, n) },
  0x09: { name: 'signed byte', bytes: 1, read: (v, o, n) => new Int8Array(v.buffer, v.byteOffset + o, n) },
  0x0b: { name: 'short', bytes: 2, read: bigEndian((n) => new Int16Array(n), 2, (v, at) => v.getInt16(at)) },
  0x0c: { name: 'int', bytes: 4, read: bigEndian((n) => new Int32Array(n), 4, (v, at) => v.getInt32(at)) },
  0x0d: { name: 'float', bytes: 4, read: bigEndian((n) => new Float32Array(n), 4, (v, at) => v.getFloat32(at)) },
  0x0e: { name: 'double', bytes: 8, read: bigEndian((n) => new Float64Array(n), 8, (v, at) => v.getFloat64(at)) },
};

export interface IdxArray {
  /** The file it came from (for messages). */
  file: string;
  /** The type code of the magic number's third byte, e.g. 0x08 for unsigned bytes. */
  typeCode: number;
  dims: number[];
  values: IdxValues;
}

const GZIP_MAGIC = [0x1f, 0x8b];

/** Reads an IDX file, raw or gzip-compressed (recognised by its content, not its name). */
export function readIdx(file: string): IdxArray {
  let bytes: Uint8Array;
  try {
    bytes = fs.readFileSync(file);
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    throw new IdxFormatError(file, code === 'ENOENT' ? 'no such file' : `cannot be read (${(e as Error).message})`);
  }
  return parseIdx(isGzip(bytes) ? gunzip(bytes, file) : bytes, file);
}

function isGzip(bytes: Uint8Array): boolean {
  return bytes.length >= 2 && bytes[0] === GZIP_MAGIC[0] && bytes[1] === GZIP_MAGIC[1];
}

function gunzip(bytes: Uint8Array, file: string): Uint8Array {
  try {
    return zlib.gunzipSync(bytes);
  } catch (e) {
    throw new IdxFormatError(file, `is a damaged or truncated gzip file (${(e as Error).message}); download or install it again`);
  }
}

/** Parses the bytes of an IDX file; `file` is only used in error messages. */
export function parseIdx(bytes: Uint8Array, file: string): IdxArray {
  if (bytes.length < 4) {
    throw new IdxFormatError(file, `is truncated: ${bytes.length} bytes, shorter than the 4-byte IDX magic number`);
  }
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const magic = view.getUint32(0);
  const typeCode = bytes[2];
  const rank = bytes[3];
  const type = IDX_TYPES[typeCode];
  if (bytes[0] !== 0 || bytes[1] !== 0 || !type || rank === 0) {
    throw new IdxFormatError(
      file,
      `wrong magic number 0x${hex(magic)}: an IDX file starts with 0x0000TTDD, TT a type code ` +
        `(08 for unsigned bytes, as in MNIST) and DD the number of dimensions (at least 1)`,
    );
  }
  const headerBytes = 4 + 4 * rank;
  if (bytes.length < headerBytes) {
    throw new IdxFormatError(file, `is truncated: its magic number 0x${hex(magic)} announces ${rank} dimensions, but the file ends inside the header`);
  }
  const dims = Array.from({ length: rank }, (_, i) => view.getUint32(4 + 4 * i));
  const count = dims.reduce((a, b) => a * b, 1);
  const expected = headerBytes + count * type.bytes;
  if (bytes.length < expected) {
    throw new IdxFormatError(
      file,
      `is truncated: its header announces ${dims.join('x')} ${type.name} values (${expected} bytes), ` +
        `but the file has ${bytes.length} bytes; download or install it again`,
    );
  }
  if (bytes.length > expected) {
    throw new IdxFormatError(
      file,
      `has ${bytes.length - expected} bytes after the ${dims.join('x')} values its header announces; it is not a valid IDX file`,
    );
  }
  return { file, typeCode, dims, values: type.read(view, headerBytes, count) };
}

function hex(value: number): string {
  return value.toString(16).padStart(8, '0');
}

/** Writes an unsigned-byte IDX file (raw, or gzip when the name ends in .gz): for tests and tools. */
export function writeIdxUint8(file: string, dims: number[], values: Uint8Array): void {
  const header = Buffer.alloc(4 + 4 * dims.length);
  header.writeUInt32BE(0x0800 | dims.length, 0);
  dims.forEach((d, i) => header.writeUInt32BE(d, 4 + 4 * i));
  const raw = Buffer.concat([header, values]);
  fs.writeFileSync(file, file.endsWith('.gz') ? zlib.gzipSync(raw) : raw);
}
