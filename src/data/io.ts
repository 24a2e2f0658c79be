// Reading and writing data files: validated both ways, written atomically (temp file + rename) so a
// crash or Ctrl-C never leaves a half-written file where a good one was.

import { existsSync, mkdirSync, readFileSync, renameSync, rmSync, statSync, writeFileSync } from "node:fs";
import { basename, dirname, sep } from "node:path";
import { SCHEMA_IDS, dataFileSchema, describeIssues, type DataFile } from "./schema.ts";

export class DataFileError extends Error {
  readonly file: string;
  constructor(file: string, message: string) {
    super(`${file}: ${message}`);
    this.name = "DataFileError";
    this.file = file;
  }
}

/** The temporary file writeFileAtomic writes before renaming it to `path`. */
function tempPathFor(path: string): string {
  return `${dirname(path)}/.${basename(path)}.${process.pid}.${Date.now()}.tmp`;
}

/**
 * Writes `contents` (text, as UTF-8, or bytes such as a population file) to `path` through a temporary
 * file in the same directory and a rename.
 */
export function writeFileAtomic(path: string, contents: string | Uint8Array): void {
  mkdirSync(dirname(path), { recursive: true });
  const tmp = tempPathFor(path);
  try {
    writeFileSync(tmp, contents);
    renameSync(tmp, path);
  } catch (e) {
    try {
      rmSync(tmp, { force: true });
    } catch {
      // The cleanup's own failure (e.g. the same ENAMETOOLONG) must not hide why the write failed.
    }
    throw e;
  }
}

/**
 * Checks, before any work is done, that writeFileAtomic can later write each of `paths` (a data file
 * and its checkpoint): none names a directory or anything but a regular file (a rename would replace a
 * device such as /dev/null), the nearest existing ancestor is a directory, and a temporary file of the
 * longest name it will use can be created there (this catches read-only file systems, missing
 * permissions and over-long names). Creates missing parent directories, as the write would. Throws an
 * Error whose one-line message names the path.
 */
export function checkWritableFile(...paths: string[]): void {
  for (const path of paths) {
    if (path.endsWith("/") || path.endsWith(sep)) throw new Error(`'${path}' names a directory; give a file name`);
    if (existsSync(path)) {
      const st = statSync(path);
      if (st.isDirectory()) throw new Error(`'${path}' is a directory; give a file name`);
      if (!st.isFile()) throw new Error(`'${path}' exists and is not a regular file; refusing to replace it`);
    }
    let ancestor = dirname(path);
    while (!existsSync(ancestor) && dirname(ancestor) !== ancestor) ancestor = dirname(ancestor);
    if (existsSync(ancestor) && !statSync(ancestor).isDirectory()) throw new Error(`cannot write '${path}': '${ancestor}' is not a directory`);
    const probe = tempPathFor(path);
    try {
      mkdirSync(dirname(path), { recursive: true });
      writeFileSync(probe, "");
    } catch (e) {
      const err = e as NodeJS.ErrnoException;
      // "EACCES: permission denied, open '<probe>'" → "(EACCES: permission denied)".
      throw new Error(`cannot write '${path}' (${err.code ? `${err.code}: ` : ""}${err.message.replace(/^[A-Z]+: /, "").split(",")[0]})`);
    } finally {
      try {
        rmSync(probe, { force: true });
      } catch {
        // Nothing was created.
      }
    }
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
  if (!parsed.success) throw new DataFileError(path, `does not match schema ${SCHEMA_IDS.join(" or ")}: ${describeIssues(parsed.error)}`);
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
