// Checks every package under packages/ as it would be published: `pnpm check:packages` (which builds first).
//
// For each package: `pnpm pack` into a temporary directory (pnpm rewrites `workspace:` ranges into real
// versions, as `pnpm publish` does; `npm pack` would not), then, on that tarball:
//   - no build leftovers: no `.tsbuildinfo`, no `*.test.*` file, no `workspace:` range left in package.json;
//   - source maps are sane: every `sourceMappingURL` names a map in the tarball, and every source a map
//     lists is in the tarball too (or embedded in `sourcesContent`); a source missing from the repository
//     as well means stale output in dist of a deleted file, which `tsc -b` leaves behind;
//   - publint, through its Node API on the tarball's bytes (`pack: { tarball }`, publint 0.3), so it sees
//     exactly the published files; any message, suggestions included, is a failure;
//   - attw (@arethetypeswrong/cli) on the tarball with `--profile esm-only`: the packages are ESM-only
//     (`"type": "module"`, an `exports` map with `types` and `default` only), so `require()` resolution
//     (node16 from CJS) and the pre-`exports` node10 resolution are not supported ways to load them, and
//     their "ESM (dynamic import only)" / "resolution failed" rows are not problems. node16 from ESM and
//     bundler resolution must be clean.
// Prints one verdict line per package and exits non-zero when any package has a problem.
import { execFile } from "node:child_process";
import { existsSync } from "node:fs";
import { mkdir, mkdtemp, readdir, readFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { dirname, join, relative, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";
import { publint } from "publint";
import { formatMessage } from "publint/utils";

const run = promisify(execFile);
const root = resolve(dirname(fileURLToPath(import.meta.url)), "../..");
const attw = join(root, "node_modules/.bin/attw");

const packageDirs = [];
for (const name of (await readdir(join(root, "packages"))).sort()) {
  if (existsSync(join(root, "packages", name, "package.json"))) packageDirs.push(join(root, "packages", name));
}

const work = await mkdtemp(join(tmpdir(), "hermes-check-packages-"));
try {
  const started = performance.now();
  const verdicts = await Promise.all(packageDirs.map((dir) => check(dir)));
  let failed = 0;
  for (const { name, problems, summary } of verdicts) {
    if (problems.length === 0) {
      console.log(`ok    ${name}  ${summary}`);
    } else {
      failed++;
      console.log(`FAIL  ${name}  ${problems.length} problem(s)`);
      for (const problem of problems) console.log(`      - ${problem.replaceAll("\n", "\n        ")}`);
    }
  }
  const seconds = ((performance.now() - started) / 1000).toFixed(1);
  console.log(`${verdicts.length - failed}/${verdicts.length} packages ok (${seconds} s)`);
  if (failed > 0) process.exitCode = 1;
} finally {
  await rm(work, { recursive: true, force: true });
}

/** Packs one package and runs every check on its tarball; returns the problems found. */
async function check(dir) {
  const destination = join(work, relative(join(root, "packages"), dir));
  await mkdir(destination);
  const { stdout } = await run("pnpm", ["pack", "--json", "--pack-destination", destination], { cwd: dir });
  const packed = JSON.parse(stdout);
  const tarball = packed.filename;
  const files = packed.files.map((file) => file.path);
  const problems = [];

  // Build leftovers.
  for (const file of files) {
    if (file.endsWith(".tsbuildinfo")) problems.push(`build leftover in the tarball: ${file}`);
    if (/(^|\/)[^/]+\.test\.[^/]+$/.test(file)) problems.push(`test file in the tarball: ${file}`);
  }

  // Unpack (into <destination>/package) to read what was published, package.json and maps included.
  await run("tar", ["-xzf", tarball, "-C", destination]);
  const unpacked = join(destination, "package");
  const manifest = JSON.parse(await readFile(join(unpacked, "package.json"), "utf8"));
  for (const field of ["dependencies", "peerDependencies", "optionalDependencies"]) {
    for (const [dependency, range] of Object.entries(manifest[field] ?? {})) {
      if (String(range).startsWith("workspace:")) problems.push(`${field}.${dependency} is still "${range}"`);
    }
  }
  const published = new Set(files);
  const staleSources = new Set();
  for (const file of files) {
    if (/\.(m|c)?js$|\.d\.(m|c)?ts$/.test(file)) {
      const text = await readFile(join(unpacked, file), "utf8");
      const url = /\/\/# sourceMappingURL=(\S+)\s*$/.exec(text)?.[1];
      if (url && !url.startsWith("data:") && !published.has(join(dirname(file), url))) {
        problems.push(`${file} points to a missing source map: ${url}`);
      }
    }
    if (file.endsWith(".map")) {
      const map = JSON.parse(await readFile(join(unpacked, file), "utf8"));
      map.sources.forEach((source, index) => {
        if (typeof map.sourcesContent?.[index] === "string") return;
        const target = join(dirname(file), map.sourceRoot ?? "", source);
        if (published.has(target)) return;
        // A source that is not in the repository either: dist holds the output of a deleted source file
        // (`tsc -b` does not remove those), which would be published too.
        if (!existsSync(join(dir, target))) staleSources.add(target);
        else problems.push(`${file} points to a source missing from the tarball: ${source}`);
      });
    }
  }
  for (const source of staleSources) {
    problems.push(
      `stale build output of ${source}, which no longer exists: rebuild from an empty dist (rm -rf packages/*/dist && pnpm build)`,
    );
  }

  // publint on the tarball's bytes.
  const bytes = await readFile(tarball);
  const lint = await publint({ pack: { tarball: bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength) } });
  for (const message of lint.messages) {
    problems.push(`publint ${message.type}: ${formatMessage(message, lint.pkg, { color: false }) ?? message.code}`);
  }

  // attw on the tarball; it exits non-zero when a resolution the profile covers has a problem. The
  // packages carry their own types, so no @types package is looked up (--no-definitely-typed).
  try {
    await run(attw, [tarball, "--profile", "esm-only", "--no-definitely-typed", "--format", "ascii", "--no-color", "--no-emoji"]);
  } catch (error) {
    problems.push(`attw (profile esm-only) failed:\n${String(error.stdout || error.stderr || error.message).trim()}`);
  }

  const kilobytes = Math.round(bytes.byteLength / 1024);
  return { name: `${manifest.name}@${manifest.version}`, problems, summary: `${files.length} files, ${kilobytes} kB packed` };
}
