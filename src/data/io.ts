// Reading and writing data files: validated both ways, written atomically (temp file + rename) so a
// crash or Ctrl-C never leaves a half-written file where a good one was.

import { mkdirSync, readFileSync, renameSync, rmSync, writeFileSync } from "node:fs";
import { basename, dirname } from "node:path";
import { dataFileSchema, describeIssues, type DataFile } from "./schema.ts";

export class DataFileError extends Error {
  readonly file: string;
  constructor(file: string, message: string) {
    super(`${file}: ${message}`);
    this.name = "DataFileError";
    this.file = file;
  }
}

/** Writes `text` to `path` through a temporary file in the same directory and a rename. */
export function writeFileAtomic(path: string, text: string): void {
  mkdirSync(dirname(path), { recursive: true });
  const tmp = `${dirname(path)}/.${basename(path)}.${process.pid}.${Date.now()}.tmp`;
  try {
    writeFileSync(tmp, text);
    renameSync(tmp, path);
  } catch (e) {
    rmSync(tmp, { force: true });
    throw e;
  }
}

/** Validates then writes a data file atomically. Throws (writing nothing) if it is invalid. */
export function writeDataFile(path: string, data: DataFile): void {
  const parsed = dataFileSchema.safeParse(data);
  if (!parsed.success) throw new DataFileError(path, `refusing to write an invalid data file: ${describeIssues(parsed.error)}`);
  writeFileAtomic(path, JSON.stringify(parsed.data) + "\n");
}

/** Parses and validates a data file's text; errors name the file. */
export function parseDataFile(path: string, text: string): DataFile {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (e) {
    throw new DataFileError(path, `not valid JSON (${(e as Error).message})`);
  }
  const parsed = dataFileSchema.safeParse(json);
  if (!parsed.success) throw new DataFileError(path, `does not match schema privileged-basis/1: ${describeIssues(parsed.error)}`);
  return parsed.data;
}

export function readDataFile(path: string): DataFile {
  let text: string;
  try {
    text = readFileSync(path, "utf8");
  } catch (e) {
    const err = e as NodeJS.ErrnoException;
    throw new DataFileError(path, err.code === "ENOENT" ? "file not found" : err.message);
  }
  return parseDataFile(path, text);
}
