// Copies the parts of @noble/curves and @noble/hashes that the browser pages import into
// static/vendor/noble/, so that the booth and the challenge checker load them from our own origin
// as plain ES modules (no bundler, no third-party host at run time).
//
// Starting from the entry points below, the script follows every static import, copies each file
// it reaches, and rewrites the bare "@noble/hashes/..." specifiers into relative paths (a browser
// cannot resolve bare specifiers without an import map, and an inline import map would need a CSP
// exception). Source-map comments are dropped because the maps are not copied. The packages'
// licence files are copied beside the code. Run through `npm run build` (or `make assets`).

import { createHash } from "node:crypto";
import { copyFileSync, existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { dirname, join, posix, relative, resolve } from "node:path";
import { fileURLToPath } from "node:url";

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), "..");
const MODULES = join(ROOT, "node_modules", "@noble");
const OUT = join(ROOT, "static", "vendor", "noble");
const PACKAGES = ["curves", "hashes"];
const ENTRY_POINTS = [
  ["curves", "ed25519.js"],
  ["hashes", "sha2.js"],
];

// Static import and re-export statements start a line; examples inside doc comments do not.
const IMPORT_RE = /^((?:import|export)\b[^;"']*?\bfrom\s*|import\s*)(["'])([^"']+)\2/gm;

function fail(message) {
  console.error(`build-assets: ${message}`);
  process.exit(1);
}

/** Resolve one import specifier of `fromFile` (package, path inside it) to [package, path]. */
function resolveSpecifier(pkg, fromFile, spec) {
  const bare = /^@noble\/(curves|hashes)\/(.+)$/.exec(spec);
  if (bare) {
    return [bare[1], bare[2]];
  }
  if (spec.startsWith("./") || spec.startsWith("../")) {
    const target = posix.normalize(posix.join(posix.dirname(fromFile), spec));
    if (target.startsWith("../")) {
      fail(`${pkg}/${fromFile} imports ${spec}, outside its package`);
    }
    return [pkg, target];
  }
  fail(`${pkg}/${fromFile} imports ${spec}, which this script does not know how to vendor`);
  return null;
}

function build() {
  for (const pkg of PACKAGES) {
    if (!existsSync(join(MODULES, pkg, "package.json"))) {
      fail(`node_modules/@noble/${pkg} is missing: run "npm ci" first`);
    }
  }
  rmSync(OUT, { recursive: true, force: true });
  const seen = new Set();
  const queue = ENTRY_POINTS.map(([pkg, file]) => [pkg, file]);
  const files = [];
  while (queue.length) {
    const [pkg, file] = queue.shift();
    const key = `${pkg}/${file}`;
    if (seen.has(key)) {
      continue;
    }
    seen.add(key);
    const source = readFileSync(join(MODULES, pkg, file), "utf8");
    const rewritten = source
      .replace(IMPORT_RE, (whole, keyword, quote, spec) => {
        const [targetPkg, targetFile] = resolveSpecifier(pkg, file, spec);
        queue.push([targetPkg, targetFile]);
        let rel = posix.relative(posix.dirname(posix.join(pkg, file)), posix.join(targetPkg, targetFile));
        if (!rel.startsWith(".")) {
          rel = `./${rel}`;
        }
        return `${keyword}${quote}${rel}${quote}`;
      })
      .replace(/^\/\/# sourceMappingURL=.*$/gm, "");
    const target = join(OUT, pkg, file);
    mkdirSync(dirname(target), { recursive: true });
    writeFileSync(target, rewritten);
    files.push(key);
  }
  const versions = {};
  for (const pkg of PACKAGES) {
    const meta = JSON.parse(readFileSync(join(MODULES, pkg, "package.json"), "utf8"));
    versions[`@noble/${pkg}`] = meta.version;
    copyFileSync(join(MODULES, pkg, "LICENSE"), join(OUT, pkg, "LICENSE"));
  }
  const digest = createHash("sha256");
  for (const key of [...files].sort()) {
    digest.update(key);
    digest.update(readFileSync(join(OUT, key)));
  }
  const manifest = { packages: versions, files: files.sort(), sha256: digest.digest("hex") };
  writeFileSync(join(OUT, "manifest.json"), `${JSON.stringify(manifest, null, 2)}\n`);
  console.log(`build-assets: ${files.length} files into ${relative(ROOT, OUT)} (${Object.entries(versions).map(([k, v]) => `${k}@${v}`).join(", ")})`);
}

build();
