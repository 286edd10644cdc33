// Shared helpers of the JavaScript tests: the vector files and the paths of the modules under test.

import { readdirSync, readFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

export const ROOT = join(dirname(fileURLToPath(import.meta.url)), "..", "..");
export const VECTOR_DIR = join(ROOT, "tests", "vectors");

/** The parsed content of tests/vectors/<name>. */
export function vector(name) {
  return JSON.parse(readFileSync(join(VECTOR_DIR, name), "utf8"));
}

/** The names of every vector file. */
export function vectorFiles() {
  return readdirSync(VECTOR_DIR)
    .filter((f) => f.endsWith(".json"))
    .sort();
}

/** A transcript part of a vector file ({"bytes": hex} | {"str": s} | {"int": n}) as a JS part. */
export function vectorPart(part, fromHex) {
  if ("bytes" in part) {
    return fromHex(part.bytes);
  }
  if ("str" in part) {
    return part.str;
  }
  return part.int;
}
