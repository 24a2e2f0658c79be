// A minimal WebAssembly binary writer: just what src/train/simd/simd-codegen.ts needs to emit one module
// with one memory and a few functions. It writes bytes directly (no text format, no compiler), so the
// generator runs anywhere in a few kilobytes of code, including the browser trainer's lazily loaded chunk.
// Encodings follow the WebAssembly core spec (binary format, §5) and its SIMD proposal (prefix 0xFD).

export type ValType = "i32" | "i64" | "f32" | "f64" | "v128";
const VALTYPE: Record<ValType, number> = { i32: 0x7f, i64: 0x7e, f32: 0x7d, f64: 0x7c, v128: 0x7b };

/** Unsigned LEB128. */
export function uleb(v: number, out: number[] = []): number[] {
  if (!Number.isInteger(v) || v < 0) throw new Error(`uleb: ${v} is not a non-negative integer`);
  do {
    let byte = v % 128;
    v = Math.floor(v / 128);
    if (v > 0) byte |= 0x80;
    out.push(byte);
  } while (v > 0);
  return out;
}

/** Signed LEB128 of a 32-bit integer (i32.const's immediate). */
export function sleb32(v: number, out: number[] = []): number[] {
  v |= 0;
  for (;;) {
    const byte = v & 0x7f;
    v >>= 7;
    const done = (v === 0 && (byte & 0x40) === 0) || (v === -1 && (byte & 0x40) !== 0);
    out.push(done ? byte : byte | 0x80);
    if (done) return out;
  }
}

/** SIMD opcodes used by the generator (the number after the 0xFD prefix). */
export const SIMD = {
  "v128.load": 0, "v128.load32_splat": 9, "v128.store": 11, "v128.const": 12, "i8x16.shuffle": 13,
  "i32x4.splat": 17, "f32x4.splat": 19,
  "i32x4.extract_lane": 27, "f32x4.extract_lane": 31, "f64x2.extract_lane": 33,
  "i32x4.lt_u": 58, "i32x4.le_u": 62, "f32x4.gt": 68,
  "v128.and": 78, "v128.xor": 81, "v128.any_true": 83,
  "f64x2.promote_low_f32x4": 95,
  "i32x4.shr_u": 173, "i32x4.add": 174, "i32x4.mul": 181,
  "f32x4.add": 228, "f32x4.sub": 229, "f32x4.mul": 230, "f32x4.pmax": 235,
  "f64x2.add": 240, "f64x2.mul": 242,
  "f32x4.convert_i32x4_s": 250,
} as const;
export type SimdOp = keyof typeof SIMD;

/** Plain (one-byte) opcodes used by the generator. */
export const OP = {
  block: 0x02, loop: 0x03, if: 0x04, else: 0x05, end: 0x0b, br: 0x0c, br_if: 0x0d, return: 0x0f,
  "local.get": 0x20, "local.set": 0x21, "local.tee": 0x22,
  "f32.load": 0x2a, "f64.load": 0x2b, "f64.store": 0x39,
  "i32.const": 0x41, "f32.const": 0x43, "f64.const": 0x44,
  "i32.eqz": 0x45, "i32.le_u": 0x4d, "i32.ge_u": 0x4f,
  "i32.add": 0x6a, "i32.mul": 0x6c, "i32.and": 0x71, "i32.or": 0x72, "i32.xor": 0x73, "i32.shr_u": 0x76,
  "f64.add": 0xa0, "f64.mul": 0xa2, "f64.convert_i32_u": 0xb8, "f64.promote_f32": 0xbb,
} as const;

const EMPTY_BLOCK = 0x40;

/**
 * The body of one function: locals are declared as they are asked for, instructions appended as bytes.
 * Parameters are locals 0 … params.length − 1.
 */
export class FunctionBuilder {
  readonly code: number[] = [];
  private readonly locals: ValType[] = [];

  readonly params: ValType[];
  readonly results: ValType[];

  constructor(params: ValType[], results: ValType[]) {
    this.params = params;
    this.results = results;
  }

  /** A fresh local of type t; returns its index. */
  local(t: ValType): number {
    this.locals.push(t);
    return this.params.length + this.locals.length - 1;
  }

  get localCount(): number {
    return this.params.length + this.locals.length;
  }

  op(code: number, ...imm: number[]): this {
    this.code.push(code, ...imm);
    return this;
  }
  simd(name: SimdOp, ...imm: number[]): this {
    this.code.push(0xfd, ...uleb(SIMD[name]), ...imm);
    return this;
  }
  get(l: number): this {
    return this.op(OP["local.get"], ...uleb(l));
  }
  set(l: number): this {
    return this.op(OP["local.set"], ...uleb(l));
  }
  tee(l: number): this {
    return this.op(OP["local.tee"], ...uleb(l));
  }
  i32(v: number): this {
    return this.op(OP["i32.const"], ...sleb32(v));
  }
  f64(v: number): this {
    const b = new Uint8Array(new Float64Array([v]).buffer);
    return this.op(OP["f64.const"], ...b);
  }
  /** v128.const from four 32-bit integer lanes. */
  v128i32(lanes: [number, number, number, number]): this {
    const b = new Uint8Array(new Int32Array(lanes).buffer);
    return this.simd("v128.const", ...b);
  }
  /** memarg: alignment exponent and byte offset (the address operand is on the stack). */
  mem(name: "f32.load" | "f64.load" | "f64.store", align: number, offset: number): this {
    return this.op(OP[name], ...uleb(align), ...uleb(offset));
  }
  simdMem(name: "v128.load" | "v128.load32_splat" | "v128.store", align: number, offset: number): this {
    return this.simd(name, ...uleb(align), ...uleb(offset));
  }
  block(): this {
    return this.op(OP.block, EMPTY_BLOCK);
  }
  loop(): this {
    return this.op(OP.loop, EMPTY_BLOCK);
  }
  if(): this {
    return this.op(OP.if, EMPTY_BLOCK);
  }
  end(): this {
    return this.op(OP.end);
  }
  br(depth: number): this {
    return this.op(OP.br, ...uleb(depth));
  }
  brIf(depth: number): this {
    return this.op(OP.br_if, ...uleb(depth));
  }

  /** The function's entry in the code section: size, run-length-encoded locals, body, end. */
  encode(): number[] {
    const groups: [number, ValType][] = [];
    for (const t of this.locals) {
      const last = groups.at(-1);
      if (last && last[1] === t) last[0]++;
      else groups.push([1, t]);
    }
    const body: number[] = uleb(groups.length);
    for (const [count, t] of groups) body.push(...uleb(count), VALTYPE[t]);
    append(body, this.code);
    body.push(OP.end);
    return append(uleb(body.length), body);
  }
}

/** Appends `items` to `out` in a loop: a spread (`out.push(...items)`) overflows the call stack for
 *  the code of large models (hundreds of thousands of bytes). */
function append(out: number[], items: readonly number[]): number[] {
  for (let k = 0; k < items.length; k++) out.push(items[k]);
  return out;
}

function section(id: number, content: number[]): number[] {
  return append([id, ...uleb(content.length)], content);
}
function vec(items: number[][]): number[] {
  const out = uleb(items.length);
  for (const item of items) append(out, item);
  return out;
}
function name(s: string): number[] {
  const b = [...new TextEncoder().encode(s)];
  return [...uleb(b.length), ...b];
}

/**
 * A module with one exported memory ("memory", `pages` × 64 KiB, not growable) and the given exported
 * functions, each with its own type.
 */
export function encodeModule(pages: number, functions: { name: string; fn: FunctionBuilder }[]): Uint8Array<ArrayBuffer> {
  const types = functions.map(({ fn }) => [0x60, ...vec(fn.params.map((t) => [VALTYPE[t]])), ...vec(fn.results.map((t) => [VALTYPE[t]]))]);
  const parts = [
    [0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00], // "\0asm", version 1
    section(1, vec(types)),
    section(3, vec(functions.map((_, i) => uleb(i)))),
    section(5, vec([[0x01, ...uleb(pages), ...uleb(pages)]])), // one memory, min = max = pages
    section(7, vec([[...name("memory"), 0x02, 0x00], ...functions.map(({ name: n }, i) => [...name(n), 0x00, ...uleb(i)])])),
    section(10, vec(functions.map(({ fn }) => fn.encode()))),
  ];
  const bytes = new Uint8Array(parts.reduce((s, p) => s + p.length, 0));
  let at = 0;
  for (const p of parts) {
    bytes.set(p, at);
    at += p.length;
  }
  return bytes;
}
