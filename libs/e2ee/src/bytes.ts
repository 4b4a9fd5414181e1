import { utf8Decode, utf8Encode } from '@nullroom/protocol';

/** Bytes backed by a plain ArrayBuffer: what WebCrypto's BufferSource accepts. */
export type Bytes = Uint8Array<ArrayBuffer>;

export function concat(...parts: readonly Uint8Array[]): Bytes {
  let length = 0;
  for (const p of parts) length += p.byteLength;
  const out = new Uint8Array(length);
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.byteLength;
  }
  return out;
}

/** A view WebCrypto accepts; copies only when the input is backed by a SharedArrayBuffer. */
export function toBytes(data: Uint8Array): Bytes {
  return data.buffer instanceof ArrayBuffer ? (data as Bytes) : new Uint8Array(data);
}

export function u32(value: number): Bytes {
  const out = new Uint8Array(4);
  new DataView(out.buffer).setUint32(0, value >>> 0);
  return out;
}

export function utf8(text: string): Bytes {
  return toBytes(utf8Encode(text));
}

export { utf8Decode };

/** Length-prefixed (u8) ASCII/UTF-8 string, used for room and client ids in signed contexts. */
export function lp8(text: string): Bytes {
  const body = utf8(text);
  if (body.byteLength > 255) throw new RangeError('text: longer than 255 bytes');
  return concat(Uint8Array.of(body.byteLength), body);
}

/** Constant-time comparison for MACs, hashes and commitments. */
export function bytesEqual(a: Uint8Array, b: Uint8Array): boolean {
  if (a.byteLength !== b.byteLength) return false;
  let diff = 0;
  for (let i = 0; i < a.byteLength; i++) diff |= a[i]! ^ b[i]!;
  return diff === 0;
}

export function toHex(bytes: Uint8Array): string {
  let out = '';
  for (const b of bytes) out += b.toString(16).padStart(2, '0');
  return out;
}

export function fromHex(hex: string): Bytes {
  if (hex.length % 2 !== 0 || !/^[0-9a-f]*$/i.test(hex))
    throw new TypeError('hex: not a hex string');
  const out = new Uint8Array(hex.length / 2);
  for (let i = 0; i < out.length; i++) out[i] = parseInt(hex.slice(2 * i, 2 * i + 2), 16);
  return out;
}

/** Builds a frame field by field. */
export class ByteWriter {
  private readonly parts: Uint8Array[] = [];

  u8(value: number): this {
    this.parts.push(Uint8Array.of(value & 0xff));
    return this;
  }
  u16(value: number): this {
    this.parts.push(Uint8Array.of((value >>> 8) & 0xff, value & 0xff));
    return this;
  }
  u32(value: number): this {
    this.parts.push(u32(value));
    return this;
  }
  bytes(value: Uint8Array): this {
    this.parts.push(value);
    return this;
  }
  /** u8 length + bytes. */
  str8(text: string): this {
    this.parts.push(lp8(text));
    return this;
  }
  /** u16 length + bytes. */
  bytes16(value: Uint8Array): this {
    if (value.byteLength > 0xffff) throw new RangeError('value: longer than 65535 bytes');
    return this.u16(value.byteLength).bytes(value);
  }
  finish(): Bytes {
    return concat(...this.parts);
  }
}

/**
 * Reads peer input. Never throws: every read returns `undefined` past the end, and `ok` stays
 * false from the first failed read on, so a decoder can read everything and check once.
 */
export class ByteReader {
  private at = 0;
  private failed = false;

  constructor(private readonly data: Uint8Array) {}

  get offset(): number {
    return this.at;
  }
  get remaining(): number {
    return this.data.byteLength - this.at;
  }
  get ok(): boolean {
    return !this.failed;
  }
  get done(): boolean {
    return !this.failed && this.at === this.data.byteLength;
  }

  u8(): number | undefined {
    if (!this.need(1)) return undefined;
    return this.data[this.at++];
  }
  u16(): number | undefined {
    if (!this.need(2)) return undefined;
    const v = (this.data[this.at]! << 8) | this.data[this.at + 1]!;
    this.at += 2;
    return v;
  }
  u32(): number | undefined {
    if (!this.need(4)) return undefined;
    const d = this.data;
    const v =
      ((d[this.at]! << 24) | (d[this.at + 1]! << 16) | (d[this.at + 2]! << 8) | d[this.at + 3]!) >>>
      0;
    this.at += 4;
    return v;
  }
  bytes(n: number): Bytes | undefined {
    if (!this.need(n)) return undefined;
    const out = this.data.slice(this.at, this.at + n);
    this.at += n;
    return out;
  }
  /** u8 length + UTF-8; undefined when truncated or not valid UTF-8. */
  str8(): string | undefined {
    const n = this.u8();
    if (n === undefined) return undefined;
    const raw = this.bytes(n);
    if (raw === undefined) return undefined;
    const text = utf8Decode(raw);
    if (text === undefined) this.failed = true;
    return text;
  }
  bytes16(): Bytes | undefined {
    const n = this.u16();
    return n === undefined ? undefined : this.bytes(n);
  }
  /** Everything left except the last `keep` bytes. */
  rest(keep = 0): Bytes | undefined {
    const n = this.remaining - keep;
    if (n < 0) {
      this.failed = true;
      return undefined;
    }
    return this.bytes(n);
  }

  private need(n: number): boolean {
    if (this.failed || n < 0 || this.at + n > this.data.byteLength) {
      this.failed = true;
      return false;
    }
    return true;
  }
}
