// The population file (every model's parameters, every level): round trip bit for bit, the documented
// byte layout, rejection of each kind of corrupt file with its name, and refused writes that leave the
// directory as it was.
import { readdirSync, readFileSync, statSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { sampleDataFile, tempDirs } from "./fixtures.ts";
import { DataFileError } from "../src/data/io.ts";
import {
  encodePopulation,
  levelParams,
  modelParams,
  nonFiniteModels,
  parsePopulation,
  populationExpectation,
  populationFileName,
  POPULATION_SCHEMA,
  readPopulationFile,
  writePopulationFile,
  type Population,
  type PopulationExpectation,
} from "../src/data/population.ts";

const temps = tempDirs();
const tmp = () => temps.make("pb-pop-");
afterAll(temps.cleanup);

const FILE = "public/data/relu-hidden.population.bin";
const P = 5 * 10 + 10;
/** A NaN with a payload: a reader that passes floats through JS numbers could change these bits. */
const PAYLOAD_NAN_BITS = 0x7fa01234;

/**
 * A valid population matching sampleDataFile (K = 3, densities 1 and 0.1): distinct finite values
 * everywhere except level 1's model 1, which diverged (a payload NaN in W[0][0], +Inf in b[9]).
 */
function samplePopulation(): Population {
  const data = sampleDataFile();
  const K = data.config.modelsPerLevel;
  const floats = new Float32Array(2 * K * P).map((_, i) => Math.sin(i + 1) / (1 + (i % 7)));
  new Uint32Array(floats.buffer)[(1 * K + 1) * P] = PAYLOAD_NAN_BITS;
  floats[(1 * K + 1) * P + P - 1] = Infinity;
  return {
    header: { schema: POPULATION_SCHEMA, model: data.model, config: data.config, densities: [1, 0.1], params: P, diverged: [[], [1]] },
    data: floats,
  };
}

const expectation = (): PopulationExpectation => populationExpectation(sampleDataFile());

/** A file laid out by hand (not by the module's encoder), so a test can give it any header at all. */
function rawFile(header: unknown, floats: Float32Array, { pad = true } = {}): Uint8Array {
  let json = JSON.stringify(header);
  if (pad) while ((12 + Buffer.byteLength(json)) % 4 !== 0) json += " ";
  else if ((12 + Buffer.byteLength(json)) % 4 === 0) json += " ";
  const text = Buffer.from(json, "utf8");
  const out = new Uint8Array(12 + text.length + floats.length * 4);
  out.set(Buffer.from("PBPOP\0\0\x01", "latin1"), 0);
  const view = new DataView(out.buffer);
  view.setUint32(8, text.length, true);
  out.set(text, 12);
  floats.forEach((v, i) => view.setFloat32(12 + text.length + i * 4, v, true));
  return out;
}

/** Byte offset of the data in a file made by encodePopulation. */
const dataStart = (bytes: Uint8Array) => 12 + new DataView(bytes.buffer, bytes.byteOffset).getUint32(8, true);

/** The error `f` throws; fails the test if it throws none. */
function thrown(f: () => unknown): Error {
  try {
    f();
  } catch (e) {
    return e as Error;
  }
  throw new Error("expected an error, none was thrown");
}

const parseError = (bytes: Uint8Array, expect?: PopulationExpectation) => thrown(() => parsePopulation(FILE, bytes, expect));

function expectFileError(err: Error, file: string, message: RegExp): void {
  expect(err).toBeInstanceOf(DataFileError);
  expect(err.message.startsWith(`${file}: `)).toBe(true);
  expect(err.message).toMatch(message);
  expect(err.message).not.toContain("\n");
}

const bits = (f: Float32Array) => Array.from(new Uint32Array(f.buffer, f.byteOffset, f.length));

describe("population files", () => {
  it("are named after the model, beside its data file", () => {
    expect(populationFileName("relu-hidden")).toBe("relu-hidden.population.bin");
    expect(populationFileName("linear-hidden")).toBe("linear-hidden.population.bin");
  });

  it("round-trip through write and read with the same bits, a diverged model's NaN payload and Inf included", () => {
    const dir = tmp();
    const path = join(dir, populationFileName("relu-hidden"));
    const pop = samplePopulation();
    writePopulationFile(path, pop);
    const back = readPopulationFile(path, expectation());
    expect(back.header).toEqual(pop.header);
    expect(bits(back.data)).toEqual(bits(pop.data));
    expect(new Uint32Array(modelParams(back, 1, 1).buffer, modelParams(back, 1, 1).byteOffset, 1)[0]).toBe(PAYLOAD_NAN_BITS);
    expect(readdirSync(dir)).toEqual(["relu-hidden.population.bin"]); // no temp file left behind
  });

  it("replace an existing file by a rename (a new inode), never by rewriting it in place", () => {
    // Rewriting in place would let a crash or a concurrent reader see a half-written file.
    const dir = tmp();
    const path = join(dir, "relu-hidden.population.bin");
    writePopulationFile(path, samplePopulation());
    const before = statSync(path).ino;
    const pop = samplePopulation();
    pop.data[0] = 0.25;
    writePopulationFile(path, pop);
    expect(statSync(path).ino).not.toBe(before);
    expect(readPopulationFile(path).data[0]).toBe(0.25);
    expect(readdirSync(dir)).toEqual(["relu-hidden.population.bin"]);
  });

  it("lays the file out as documented: magic, little-endian header length, padded JSON header, little-endian float32s", () => {
    const pop = samplePopulation();
    const bytes = encodePopulation(pop);
    expect(Buffer.from(bytes.subarray(0, 8)).toString("latin1")).toBe("PBPOP\0\0\x01");
    const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
    const H = view.getUint32(8, true);
    expect((12 + H) % 4).toBe(0);
    const text = Buffer.from(bytes.subarray(12, 12 + H)).toString("utf8");
    expect(text).toMatch(/^\{.*\} {0,3}$/);
    expect(JSON.parse(text)).toEqual(pop.header);
    expect(bytes.length).toBe(12 + H + 2 * 3 * P * 4);
    // Level 0 model 2's b[0], then level 1 model 0's W[0][0]: the order is level, model, parameter.
    for (const at of [(0 * 3 + 2) * P + 50, (1 * 3 + 0) * P]) expect(view.getFloat32(12 + H + at * 4, true)).toBe(pop.data[at]);
  });

  it("encode a population whose data is a view into a larger buffer", () => {
    const pop = samplePopulation();
    const larger = new Float32Array(pop.data.length + 5);
    larger.set(pop.data, 3);
    const back = parsePopulation(FILE, encodePopulation({ header: pop.header, data: larger.subarray(3, 3 + pop.data.length) }));
    expect(bits(back.data)).toEqual(bits(pop.data));
  });

  it("parse bytes at any offset of any buffer (a Node Buffer from the pool, an unaligned copy)", () => {
    const bytes = encodePopulation(samplePopulation());
    const shifted = new Uint8Array(bytes.length + 1);
    shifted.set(bytes, 1);
    const pop = parsePopulation(FILE, shifted.subarray(1), expectation());
    expect(bits(pop.data)).toEqual(bits(samplePopulation().data));
  });

  it("give views of a level and of a model, and refuse indices outside the population", () => {
    const pop = samplePopulation();
    const level = levelParams(pop, 1);
    expect(level.length).toBe(3 * P);
    expect(level.buffer).toBe(pop.data.buffer); // a view, not a copy
    expect(level[0]).toBe(pop.data[3 * P]);
    const model = modelParams(pop, 0, 2);
    expect(model.length).toBe(P);
    expect(model[0]).toBe(pop.data[2 * P]);
    expect(nonFiniteModels(level, P)).toEqual([1]);
    expect(nonFiniteModels(levelParams(pop, 0), P)).toEqual([]);
    expect(() => levelParams(pop, 2)).toThrow(/level 2 is not one of the 2 levels/);
    expect(() => modelParams(pop, 0, 3)).toThrow(/model 3 is not one of the 3 models/);
    expect(() => modelParams(pop, 0, -1)).toThrow(/model -1/);
  });

  it("read a missing file as 'file not found'", () => {
    const path = join(tmp(), "relu-hidden.population.bin");
    expectFileError(thrown(() => readPopulationFile(path)), path, /: file not found$/);
  });
});

describe("corrupt population files are rejected with the file's name and what is wrong", () => {
  const good = () => encodePopulation(samplePopulation());
  const goodSize = good().length;
  const bad = samplePopulation();
  const withHeader = (change: (h: any) => void) => {
    const h: any = structuredClone(bad.header);
    change(h);
    return rawFile(h, bad.data);
  };

  const cases: [string, () => Uint8Array, RegExp][] = [
    ["a truncated file", () => good().subarray(0, goodSize - 4), new RegExp(`truncated: expected ${goodSize} bytes .*got ${goodSize - 4}$`)],
    ["a file cut inside the magic", () => good().subarray(0, 5), /not a population file/],
    ["a file cut inside the header length", () => good().subarray(0, 10), /truncated: 10 bytes/],
    ["extra bytes after the data", () => new Uint8Array([...good(), 0, 0, 0, 0]), new RegExp(`4 extra bytes after the data: expected ${goodSize} bytes .*got ${goodSize + 4}$`)],
    ["a bad magic", () => { const b = good(); b[0] = 0x89; return b; }, /not a population file: starts with "\\x89BPOP\\x00\\x00\\x01", expected the magic "PBPOP\\x00\\x00\\x01"/],
    ["another format version", () => { const b = good(); b[7] = 2; return b; }, /population format version 2; this reader knows only version 1/],
    ["a header length past the end", () => { const b = good(); new DataView(b.buffer).setUint32(8, goodSize, true); return b; }, new RegExp(`header length ${goodSize} runs past the end of the file \\(12 \\+ ${goodSize} > ${goodSize} bytes\\)`)],
    ["an unpadded header", () => rawFile(bad.header, bad.data, { pad: false }), /not a multiple of 4/],
    ["a header that is not JSON", () => { const b = good(); b[12] = "x".charCodeAt(0); return b; }, /header is not valid JSON \(/],
    ["a header that is not JSON, across lines (the error stays on one line)", () => { const b = good(); b[12] = "x".charCodeAt(0); b[13] = "\n".charCodeAt(0); return b; }, /header is not valid JSON \(.*x .*\)/],
    ["a header that is not UTF-8", () => { const b = good(); b[13] = 0xff; return b; }, /header is not valid UTF-8/],
    ["a header missing a field", () => withHeader((h) => delete h.densities), /header does not match schema privileged-basis\/population\/1: densities/],
    ["a header of another schema", () => withHeader((h) => (h.schema = "privileged-basis/population/0")), /schema/],
    ["params ≠ m·n + n", () => withHeader((h) => (h.params = 59)), /params: is 59 but config gives 5×10 \+ 10 = 60/],
    ["a diverged list per level missing", () => withHeader((h) => h.diverged.pop()), /diverged: has 1 lists for 2 levels/],
    ["a diverged index out of range", () => withHeader((h) => (h.diverged[1] = [1, 3])), /diverged\.1\.1: model 3 is not one of the 3 models/],
    ["diverged indices not ascending", () => withHeader((h) => (h.diverged[0] = [2, 0])), /diverged\.0\.1: model indices must be strictly ascending/],
    ["duplicate densities", () => withHeader((h) => (h.densities = [0.1, 0.1])), /densities\.1: duplicate density 0\.1/],
    ["a NaN in a model not listed as diverged", () => { const b = good(); new DataView(b.buffer).setFloat32(dataStart(b) + (0 * 3 + 1) * P * 4 + 5 * 4, NaN, true); return b; }, /level 0 \(density 1\) model 1 has a non-finite parameter \(W\[0\]\[5\] = NaN\) but is not listed as diverged/],
    ["an Inf in a model not listed as diverged", () => { const b = good(); new DataView(b.buffer).setFloat32(dataStart(b) + (1 * 3 + 2) * P * 4 + 53 * 4, -Infinity, true); return b; }, /level 1 \(density 0\.1\) model 2 has a non-finite parameter \(b\[3\] = -Infinity\)/],
    ["a listed model whose parameters are all finite", () => withHeader((h) => (h.diverged[0] = [0])), /level 0 \(density 1\) model 0 is listed as diverged but all its parameters are finite/],
  ];
  for (const [what, make, message] of cases) {
    it(`rejects ${what}`, () => expectFileError(parseError(make()), FILE, message));
  }

  const mismatches: [string, (e: PopulationExpectation) => void, RegExp][] = [
    ["another seed", (e) => (e.config.seed = 1), /does not match its data file: config\.seed: 0 here, 1 in the data file$/],
    ["another optimizer setting", (e) => (e.config.optimizer.lr = 3e-3), /config\.optimizer\.lr: 0\.001 here, 0\.003 in the data file/],
    ["another importance", (e) => (e.config.importance[9] = 0), /config\.importance\[9\]: [0-9.e-]+ here, 0 in the data file/],
    ["other densities", (e) => (e.densities = [1, 0.2]), /does not match its data file: densities: level 1 is 0\.1 here, 0\.2 in the data file$/],
    ["fewer levels", (e) => (e.densities = [1]), /densities: 2 levels here, 1 in the data file/],
    ["another model kind", (e) => (e.model = "linear-hidden"), /does not match its data file: model is relu-hidden here, linear-hidden in the data file$/],
  ];
  for (const [what, change, message] of mismatches) {
    it(`rejects a population whose data file has ${what}`, () => {
      const e = structuredClone(expectation());
      change(e);
      expectFileError(parseError(good(), e), FILE, message);
    });
  }

  it("names the file it read", () => {
    const path = join(tmp(), "linear-hidden.population.bin");
    writeFileSync(path, good().subarray(0, goodSize - 100));
    expectFileError(thrown(() => readPopulationFile(path)), path, /truncated/);
  });
});

describe("writing an invalid population", () => {
  const invalid: [string, (p: Population) => void, RegExp][] = [
    ["a NaN in a model not listed as diverged", (p) => (p.data[7] = NaN), /refusing to write an invalid population: level 0 \(density 1\) model 0 has a non-finite parameter/],
    ["a listed model with finite parameters", (p) => (p.header.diverged = [[], [1, 2]]), /refusing to write an invalid population: level 1 \(density 0\.1\) model 2 is listed as diverged/],
    ["too few values", (p) => (p.data = p.data.subarray(1)), /refusing to write an invalid population: data holds 359 values, expected 2 levels × 3 models × 60 params = 360/],
    ["an invalid header", (p) => ((p.header as any).params = 0), /refusing to write an invalid population: header does not match schema/],
  ];
  for (const [what, corrupt, message] of invalid) {
    it(`with ${what} throws and writes nothing`, () => {
      const dir = tmp();
      const path = join(dir, "relu-hidden.population.bin");
      const pop = samplePopulation();
      corrupt(pop);
      expectFileError(thrown(() => writePopulationFile(path, pop)), path, message);
      expect(readdirSync(dir)).toEqual([]); // neither the file nor a temp file
      expect(() => encodePopulation(pop)).toThrow(/^population: refusing to encode an invalid population: /);
    });
  }

  it("leaves an existing good file as it was", () => {
    const dir = tmp();
    const path = join(dir, "relu-hidden.population.bin");
    writePopulationFile(path, samplePopulation());
    const before = readFileSync(path);
    const pop = samplePopulation();
    pop.data[0] = NaN;
    expect(() => writePopulationFile(path, pop)).toThrow(DataFileError);
    expect(readFileSync(path).equals(before)).toBe(true);
    expect(readdirSync(dir)).toEqual(["relu-hidden.population.bin"]);
  });
});
