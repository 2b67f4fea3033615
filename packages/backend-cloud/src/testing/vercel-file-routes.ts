import { chmod, lstat, mkdir, readFile, realpath, writeFile } from "node:fs/promises";
import { dirname, posix } from "node:path";
import { gunzipSync } from "node:zlib";
import { type Route, readBody, readJson, route, sendJson } from "./http-json.js";
import type { LocalSandbox } from "./local-sandbox.js";
import { liveSession } from "./vercel-session-routes.js";
import { type Context, sendError, type VercelState, workDir } from "./vercel-state.js";

/**
 * The session's file calls as `@vercel/sandbox` makes them: a gzip'd tar whose entry names are relative to the
 * `x-cwd` header (each entry's mode applied, its parent dirs made), a file's bytes back as
 * application/octet-stream (404 when missing, which the SDK reads as null), and a one-level mkdir. Paths are
 * relative to the call's `cwd`, else the sandbox's working directory. Only the sandbox's own dirs can be
 * written: the rest of its filesystem is this machine's, read-only.
 */
export function fileRoutes(state: VercelState): Route<Context>[] {
  return [
    route("POST", "/api/v2/sandboxes/sessions/:session/fs/write", async (context, params) => {
      const body = await readBody(context.request);
      const found = liveSession(state, context, params.session);
      if (!found) return;
      const entries = await untar(body).catch(() => undefined);
      if (!entries) return sendError(context.response, 400, "bad_request", "the body is not a gzip'd tar");
      const base = String(context.request.headers["x-cwd"] ?? "/");
      const targets: string[] = [];
      for (const entry of entries) {
        const path = posix.resolve(base, entry.name);
        const target = await confined(found.box, path);
        if (!target) return readOnly(context, path);
        targets.push(target);
      }
      for (const [index, entry] of entries.entries()) {
        const target = targets[index] ?? "";
        if (entry.type === "directory") await mkdir(target, { recursive: true });
        else if (entry.type === "file") {
          await mkdir(dirname(target), { recursive: true });
          await writeFile(target, entry.data);
        } else continue;
        if (entry.mode !== undefined) await chmod(target, entry.mode & 0o7777);
      }
      sendJson(context.response, 200, {});
    }),
    route("POST", "/api/v2/sandboxes/sessions/:session/fs/read", async (context, params) => {
      const body = await readJson(context.request);
      const found = liveSession(state, context, params.session);
      if (!found) return;
      const path = resolvePath(body);
      const own = found.box.hostPath(path);
      // Outside its own dirs the sandbox sees this machine's files, read-only.
      const source = own === null ? path : await confined(found.box, path);
      if (source === null)
        return sendError(context.response, 400, "bad_request", `${path}: the fake follows no symlink out of the sandbox`);
      const content: Buffer | NodeJS.ErrnoException = await readFile(source).catch((error: NodeJS.ErrnoException) => error);
      if (Buffer.isBuffer(content)) {
        context.response.writeHead(200, { "content-type": "application/octet-stream", "content-length": content.length });
        return void context.response.end(content);
      }
      if (content.code === "ENOENT" || content.code === "ENOTDIR")
        return sendError(context.response, 404, "not_found", `${path}: no such file`);
      // What the service answers for a directory is not documented: a 400 is the most plausible (the path is a
      // bad argument to a file read, as it is for its other bad paths), and it is no 404, so the SDK throws
      // instead of reading "missing".
      const message = content.code === "EISDIR" ? `${path}: is a directory` : `${path}: ${content.message}`;
      sendError(context.response, 400, "bad_request", message);
    }),
    route("POST", "/api/v2/sandboxes/sessions/:session/fs/mkdir", async (context, params) => {
      const body = await readJson(context.request);
      const found = liveSession(state, context, params.session);
      if (!found) return;
      const path = resolvePath(body);
      const target = await confined(found.box, path);
      if (!target) return readOnly(context, path);
      // One level, like `mkdir` without -p: the SDK's recursive `fs.mkdir` runs `mkdir -p` as a command instead.
      const failed = await mkdir(target).then(
        () => undefined,
        (error: NodeJS.ErrnoException) => error,
      );
      if (failed)
        return sendError(context.response, 400, "bad_request", `mkdir ${path}: ${failed.code === "EEXIST" ? "file exists" : failed.code}`);
      sendJson(context.response, 200, {});
    }),
  ];
}

const resolvePath = (body: Record<string, unknown>) =>
  posix.resolve(typeof body.cwd === "string" ? body.cwd : workDir, typeof body.path === "string" ? body.path : "");

const readOnly = (context: Context, path: string) => sendError(context.response, 400, "bad_request", `${path}: read-only file system`);

/**
 * Where `path` is on this machine when it is in the sandbox's own dirs and stays there: a symlink out of them
 * would lead here to this machine's own files, not to the sandbox's view of them.
 */
async function confined(box: LocalSandbox, path: string): Promise<string | null> {
  const target = box.hostPath(path);
  if (target === null) return null;
  const root = await realpath(box.root);
  for (let probe = target; ; probe = dirname(probe)) {
    if (!(await lstat(probe).catch(() => undefined))) continue;
    const real = await realpath(probe).catch(() => undefined);
    return real !== undefined && (real === root || real.startsWith(`${root}/`)) ? target : null;
  }
}

interface TarEntry {
  name: string;
  type: string;
  mode: number | undefined;
  data: Buffer;
}

async function untar(gzipped: Buffer): Promise<TarEntry[]> {
  const tar = (await import("tar-stream")).default;
  const extract = tar.extract();
  const entries: TarEntry[] = [];
  const read = (async () => {
    for await (const entry of extract) {
      const chunks: Buffer[] = [];
      for await (const chunk of entry) chunks.push(chunk as Buffer);
      const { name, type, mode } = entry.header;
      entries.push({ name, type: type ?? "file", mode, data: Buffer.concat(chunks) });
    }
  })();
  extract.end(gunzipSync(gzipped));
  await read;
  return entries;
}
