// The population file: every model's final parameters, of every density level, beside the data file
// (public/data/<model>.population.bin). The data file keeps each level's winner as JSON; this keeps all
// K models of each level, which as JSON would be ~4× larger and slow to parse.
//
// Format (version 1), all integers and floats little-endian:
//
//   offset 0   8 bytes   magic "PBPOP" 0x00 0x00 0x01 — "PB" privileged-basis, "POP" population, two
//                        NUL bytes so no tool mistakes the file for text, and the format version (1).
//   offset 8   u32       H: byte length of the header
//   offset 12  H bytes   header: UTF-8 JSON, padded with spaces (JSON whitespace) so that 12 + H is a
//                        multiple of 4 — the data is then float32-aligned and a reader may view it in place
//   12 + H     float32   the parameters, in the order level, model, parameter: for each level (in the
//                        header's density order) its K models (0 … K−1), each W (m×n, row-major) then b (n)
//
// and nothing after: the file is exactly 12 + H + levels·K·P·4 bytes.
//
// Header: { schema: "privileged-basis/population/1", model: "relu-hidden" | "linear-hidden",
//           config: the data file's config, verbatim (K = modelsPerLevel, m = neurons, n = features),
//           densities: number[] (level order), params: P = m·n + n,
//           diverged: number[][] (per level, ascending indices of the models with a NaN/Inf parameter) }
//
// Diverged models are stored as they ended (their NaN/Inf included) rather than dropped, so model k of a
// level is always at the same offset and can be matched to its random streams by index; listing them in
// the header makes a NaN that appears any other way (corruption, a trainer bug) an error.
//
// encodePopulation and parsePopulation use only Uint8Array, DataView and TextEncoder/TextDecoder, so a
// browser can read the file; node:fs is used only by readPopulationFile and writePopulationFile.

import { readFileSync } from "node:fs";
import { z } from "zod";
import type { ModelKind, TrainConfig } from "../model/config.ts";
import { DataFileError, writeFileAtomic } from "./io.ts";
import { configSchema, describeIssues, MODEL_KINDS, type DataFile } from "./schema.ts";

export const POPULATION_SCHEMA = "privileged-basis/population/1";

/** The format version, also the magic's last byte; the header's schema id names the same version. */
const FORMAT_VERSION = 1;
const MAGIC = new Uint8Array([0x50, 0x42, 0x50, 0x4f, 0x50, 0x00, 0x00, FORMAT_VERSION]); // "PBPOP\0\0\x01"
/** Magic (8) + header length (4). */
const PREAMBLE = 12;

/** File name of an experiment's population, beside its data file in public/data/. */
export function populationFileName(name: string): string {
  return `${name}.population.bin`;
}

const finite = z.number().finite();

export const populationHeaderSchema = z
  .object({
    schema: z.literal(POPULATION_SCHEMA),
    model: z.enum(MODEL_KINDS),
    config: configSchema,
    densities: z.array(finite.gt(0).max(1)).min(1),
    params: z.number().int().positive(),
    diverged: z.array(z.array(z.number().int().nonnegative())),
  })
  .superRefine((h, ctx) => {
    const { features: n, neurons: m, modelsPerLevel: K } = h.config;
    if (h.config.importance.length !== n) ctx.addIssue({ code: "custom", path: ["config", "importance"], message: `expected ${n} entries` });
    if (h.params !== m * n + n) ctx.addIssue({ code: "custom", path: ["params"], message: `is ${h.params} but config gives ${m}×${n} + ${n} = ${m * n + n}` });
    const seen = new Set<number>();
    h.densities.forEach((d, l) => {
      if (seen.has(d)) ctx.addIssue({ code: "custom", path: ["densities", l], message: `duplicate density ${d}` });
      seen.add(d);
    });
    if (h.diverged.length !== h.densities.length) {
      ctx.addIssue({ code: "custom", path: ["diverged"], message: `has ${h.diverged.length} lists for ${h.densities.length} levels` });
    }
    h.diverged.forEach((list, l) => {
      for (let i = 0; i < list.length; i++) {
        if (list[i] >= K) {
          ctx.addIssue({ code: "custom", path: ["diverged", l, i], message: `model ${list[i]} is not one of the ${K} models (0 … ${K - 1})` });
          return;
        }
        if (i > 0 && list[i] <= list[i - 1]) {
          ctx.addIssue({ code: "custom", path: ["diverged", l, i], message: "model indices must be strictly ascending" });
          return;
        }
      }
    });
  });

export type PopulationHeader = z.infer<typeof populationHeaderSchema>;

export interface Population {
  header: PopulationHeader;
  /** levels·K·P float32s in the order level, model, parameter (see the format above). */
  data: Float32Array;
}

/** What the population must agree with: its data file's model, config and level densities. */
export interface PopulationExpectation {
  model: ModelKind;
  config: TrainConfig;
  densities: readonly number[];
}

/** The expectation a data file sets for the population beside it. */
export function populationExpectation(data: Pick<DataFile, "model" | "config" | "levels">): PopulationExpectation {
  return { model: data.model, config: data.config, densities: data.levels.map((l) => l.density) };
}

/** Level `levelIndex`'s K·P parameters: a view into pop.data, not a copy. */
export function levelParams(pop: Population, levelIndex: number): Float32Array {
  const { levels, K, P } = shape(pop.header);
  checkIndex("level", levelIndex, levels);
  return pop.data.subarray(levelIndex * K * P, (levelIndex + 1) * K * P);
}

/** One model's P parameters (W row-major, then b): a view into pop.data, not a copy. */
export function modelParams(pop: Population, levelIndex: number, model: number): Float32Array {
  const { levels, K, P } = shape(pop.header);
  checkIndex("level", levelIndex, levels);
  checkIndex("model", model, K);
  const at = (levelIndex * K + model) * P;
  return pop.data.subarray(at, at + P);
}

/**
 * Indices of the models in `levelData` (K·P float32s, e.g. levelParams) that hold a NaN or ±Inf: what
 * the header's `diverged` list of that level must be.
 */
export function nonFiniteModels(levelData: Float32Array, params: number): number[] {
  const out: number[] = [];
  for (let k = 0; k * params < levelData.length; k++) {
    if (firstNonFinite(levelData, k * params, params) >= 0) out.push(k);
  }
  return out;
}

/**
 * The file's bytes. Throws a DataFileError naming `file` (default "population"), and encodes nothing,
 * if the population is invalid: so no file this writes can fail parsePopulation.
 */
export function encodePopulation(pop: Population, file = "population"): Uint8Array {
  const checked = check(pop);
  if (typeof checked === "string") throw new DataFileError(file, `refusing to encode an invalid population: ${checked}`);
  return encode(checked, pop.data);
}

/**
 * Parses and validates a population file's bytes (errors are one-line DataFileErrors naming `file`):
 * the magic, the header's length, JSON and fields, the exact file size, that exactly the listed models
 * hold non-finite values and, with `expect`, that model, config and densities match the data file's.
 */
export function parsePopulation(file: string, bytes: Uint8Array, expect?: PopulationExpectation): Population {
  function fail(message: string): never {
    throw new DataFileError(file, message);
  }
  if (bytes.length < MAGIC.length || !MAGIC.every((v, i) => i === MAGIC.length - 1 || bytes[i] === v)) {
    fail(`not a population file: starts with ${showBytes(bytes.subarray(0, MAGIC.length))}, expected the magic ${showBytes(MAGIC)}`);
  }
  if (bytes[MAGIC.length - 1] !== FORMAT_VERSION) fail(`population format version ${bytes[MAGIC.length - 1]}; this reader knows only version ${FORMAT_VERSION}`);
  if (bytes.length < PREAMBLE) fail(`truncated: ${bytes.length} bytes, too short to hold the ${PREAMBLE}-byte magic and header length`);
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const headerLength = view.getUint32(MAGIC.length, true);
  const dataStart = PREAMBLE + headerLength;
  if (dataStart > bytes.length) fail(`header length ${headerLength} runs past the end of the file (${PREAMBLE} + ${headerLength} > ${bytes.length} bytes)`);
  if (dataStart % 4 !== 0) fail(`header length ${headerLength} puts the data at byte ${dataStart}, not a multiple of 4 (the header must be padded)`);

  let text = "";
  try {
    text = new TextDecoder("utf-8", { fatal: true }).decode(bytes.subarray(PREAMBLE, dataStart));
  } catch {
    fail("header is not valid UTF-8");
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (e) {
    // V8 quotes the offending text, newlines and all: keep the error on one line.
    fail(`header is not valid JSON (${(e as Error).message.replace(/\s+/g, " ")})`);
  }
  const parsed = populationHeaderSchema.safeParse(json);
  if (!parsed.success) fail(`header does not match schema ${POPULATION_SCHEMA}: ${describeIssues(parsed.error)}`);
  const header = parsed.data;

  const { levels, K, P } = shape(header);
  const count = levels * K * P;
  const expectedSize = dataStart + count * 4;
  if (bytes.length !== expectedSize) {
    const what = bytes.length < expectedSize ? "truncated" : `${bytes.length - expectedSize} extra bytes after the data`;
    fail(`${what}: expected ${expectedSize} bytes (${dataStart} of magic and header + ${levels} levels × ${K} models × ${P} params × 4), got ${bytes.length}`);
  }
  const pop: Population = { header, data: readFloats(bytes, dataStart, count) };
  const checked = check(pop);
  if (typeof checked === "string") fail(checked);
  if (expect) {
    const mismatch = findMismatch(header, expect);
    if (mismatch) fail(`does not match its data file: ${mismatch}`);
  }
  return pop;
}

/** Validates then writes a population file atomically: an invalid population writes nothing. */
export function writePopulationFile(path: string, pop: Population): void {
  const checked = check(pop);
  if (typeof checked === "string") throw new DataFileError(path, `refusing to write an invalid population: ${checked}`);
  writeFileAtomic(path, encode(checked, pop.data));
}

/** Reads and parses a population file; see parsePopulation. */
export function readPopulationFile(path: string, expect?: PopulationExpectation): Population {
  let bytes: Uint8Array;
  try {
    bytes = readFileSync(path);
  } catch (e) {
    const err = e as NodeJS.ErrnoException;
    throw new DataFileError(path, err.code === "ENOENT" ? "file not found" : err.message);
  }
  return parsePopulation(path, bytes, expect);
}

// ---------------------------------------------------------------------------------------------------

function shape(header: PopulationHeader): { levels: number; K: number; P: number } {
  return { levels: header.densities.length, K: header.config.modelsPerLevel, P: header.params };
}

function checkIndex(what: string, i: number, size: number): void {
  // subarray clamps out-of-range bounds silently: a wrong index would hand back another model's numbers.
  if (!Number.isInteger(i) || i < 0 || i >= size) throw new RangeError(`${what} ${i} is not one of the ${size} ${what}s (0 … ${size - 1})`);
}

/** Index (within the model) of the first non-finite of `length` values at `start`, or −1. */
function firstNonFinite(data: Float32Array, start: number, length: number): number {
  for (let i = 0; i < length; i++) if (!Number.isFinite(data[start + i])) return i;
  return -1;
}

/**
 * The population's header as the schema parses it (what the file will hold), or the first thing wrong
 * with the population: its header, its data's length, or a diverged list that is not exactly the models
 * holding a NaN/Inf.
 */
function check(pop: Population): PopulationHeader | string {
  const parsed = populationHeaderSchema.safeParse(pop.header);
  if (!parsed.success) return `header does not match schema ${POPULATION_SCHEMA}: ${describeIssues(parsed.error)}`;
  const header = parsed.data;
  const { levels, K, P } = shape(header);
  if (pop.data.length !== levels * K * P) {
    return `data holds ${pop.data.length} values, expected ${levels} levels × ${K} models × ${P} params = ${levels * K * P}`;
  }
  const n = header.config.features;
  for (let l = 0; l < levels; l++) {
    const listed = new Set(header.diverged[l]);
    const at = `level ${l} (density ${header.densities[l]})`;
    for (let k = 0; k < K; k++) {
      const bad = firstNonFinite(pop.data, (l * K + k) * P, P);
      if (bad >= 0 && !listed.has(k)) {
        const name = bad < P - n ? `W[${Math.floor(bad / n)}][${bad % n}]` : `b[${bad - (P - n)}]`;
        return `${at} model ${k} has a non-finite parameter (${name} = ${pop.data[(l * K + k) * P + bad]}) but is not listed as diverged`;
      }
      if (bad < 0 && listed.has(k)) return `${at} model ${k} is listed as diverged but all its parameters are finite`;
    }
  }
  return header;
}

/** Which of model, config and densities differ from the data file's, as "field: here vs there", or null. */
function findMismatch(header: PopulationHeader, expect: PopulationExpectation): string | null {
  if (header.model !== expect.model) return `model is ${header.model} here, ${expect.model} in the data file`;
  const config = firstDifference(header.config, expect.config, "config");
  if (config) return config;
  const here = header.densities;
  const there = expect.densities;
  if (here.length !== there.length) return `densities: ${here.length} levels here, ${there.length} in the data file`;
  const l = here.findIndex((d, i) => d !== there[i]);
  if (l >= 0) return `densities: level ${l} is ${here[l]} here, ${there[l]} in the data file`;
  return null;
}

/** The first path at which two JSON values differ, as "path: a here, b in the data file", or null. */
function firstDifference(a: unknown, b: unknown, path: string): string | null {
  if (a !== null && b !== null && typeof a === "object" && typeof b === "object" && Array.isArray(a) === Array.isArray(b)) {
    if (Array.isArray(a) && Array.isArray(b) && a.length !== b.length) return `${path}: ${a.length} entries here, ${b.length} in the data file`;
    const ao = a as Record<string, unknown>;
    const bo = b as Record<string, unknown>;
    for (const key of new Set([...Object.keys(ao), ...Object.keys(bo)])) {
      const d = firstDifference(ao[key], bo[key], Array.isArray(a) ? `${path}[${key}]` : `${path}.${key}`);
      if (d) return d;
    }
    return null;
  }
  return a === b ? null : `${path}: ${JSON.stringify(a)} here, ${JSON.stringify(b)} in the data file`;
}

const LITTLE_ENDIAN = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1;

/** Reverses each 4-byte group: float32 between host order and the file's little-endian order. */
function swap32(bytes: Uint8Array): void {
  for (let i = 0; i + 3 < bytes.length; i += 4) {
    const b0 = bytes[i];
    const b1 = bytes[i + 1];
    bytes[i] = bytes[i + 3];
    bytes[i + 1] = bytes[i + 2];
    bytes[i + 2] = b1;
    bytes[i + 3] = b0;
  }
}

// Floats travel as raw bytes, never through DataView.getFloat32/setFloat32: those pass each value through
// a JS number, which may change a NaN's payload bits, and the file must keep a diverged model's bits.
function readFloats(bytes: Uint8Array, start: number, count: number): Float32Array {
  const out = new Float32Array(count);
  const raw = new Uint8Array(out.buffer);
  raw.set(bytes.subarray(start, start + count * 4));
  if (!LITTLE_ENDIAN) swap32(raw);
  return out;
}

function encode(header: PopulationHeader, floats: Float32Array): Uint8Array {
  const json = JSON.stringify(header);
  const unpadded = new TextEncoder().encode(json).length;
  const text = new TextEncoder().encode(json + " ".repeat((4 - ((PREAMBLE + unpadded) % 4)) % 4));
  const out = new Uint8Array(PREAMBLE + text.length + floats.length * 4);
  out.set(MAGIC, 0);
  new DataView(out.buffer).setUint32(MAGIC.length, text.length, true);
  out.set(text, PREAMBLE);
  const data = out.subarray(PREAMBLE + text.length);
  data.set(new Uint8Array(floats.buffer, floats.byteOffset, floats.byteLength));
  if (!LITTLE_ENDIAN) swap32(data);
  return out;
}

function showBytes(bytes: Uint8Array): string {
  return `"${Array.from(bytes, (b) => (b >= 0x20 && b < 0x7f && b !== 0x22 && b !== 0x5c ? String.fromCharCode(b) : `\\x${b.toString(16).padStart(2, "0")}`)).join("")}"`;
}
