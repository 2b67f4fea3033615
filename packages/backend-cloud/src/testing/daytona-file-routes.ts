import { randomUUID } from "node:crypto";
import { chmod, mkdir, readFile, writeFile } from "node:fs/promises";
import { dirname } from "node:path";
import type { Context, FakeSandbox } from "./daytona-fake.js";
import { type Route, readBody, readJson, route, sendJson } from "./http-json.js";

/**
 * The toolbox daemon's file calls as `@daytonaio/sdk` makes them: multipart upload (`files[i].path` and
 * `files[i].file` fields), multipart download (a `file` part named after its source path, or an `error`
 * part with a JSON body), permissions. Paths outside the sandbox's private dirs are read-only.
 */
export function fileRoutes(sandboxOf: (context: Context, id: string | undefined) => FakeSandbox | undefined): Route<Context>[] {
  return [
    route("POST", "/toolbox/:id/files/bulk-upload", async (context, { id }) => {
      const sandbox = sandboxOf(context, id);
      if (!sandbox) return;
      const busboy = await loadBusboy();
      const paths = new Map<string, string>();
      const contents = new Map<string, Buffer>();
      await new Promise<void>((resolve, reject) => {
        const parser = busboy({ headers: context.request.headers });
        parser.on("field", (name, value) => paths.set(name.replace(/\.path$/, ""), value));
        parser.on("file", (name, stream) => {
          const chunks: Buffer[] = [];
          stream.on("data", (chunk: Buffer) => chunks.push(chunk));
          stream.on("end", () => contents.set(name.replace(/\.file$/, ""), Buffer.concat(chunks)));
        });
        parser.on("close", resolve).on("error", reject);
        context.request.pipe(parser);
      });
      for (const [key, path] of paths) {
        const target = sandbox.box.hostPath(path);
        if (!target) return sendJson(context.response, 403, { statusCode: 403, message: `${path}: read-only file system` });
        await mkdir(dirname(target), { recursive: true });
        await writeFile(target, contents.get(key) ?? Buffer.alloc(0));
      }
      sendJson(context.response, 200, undefined);
    }),
    route("POST", "/toolbox/:id/files/permissions", async (context, { id }) => {
      await readBody(context.request);
      const sandbox = sandboxOf(context, id);
      if (!sandbox) return;
      const path = context.url.searchParams.get("path") ?? "";
      const mode = context.url.searchParams.get("mode");
      const target = sandbox.box.hostPath(path);
      if (!target) return sendJson(context.response, 403, { statusCode: 403, message: `${path}: read-only file system` });
      if (mode) await chmod(target, Number.parseInt(mode, 8));
      sendJson(context.response, 200, undefined);
    }),
    route("POST", "/toolbox/:id/files/bulk-download", async (context, { id }) => {
      const body = await readJson(context.request);
      const sandbox = sandboxOf(context, id);
      if (!sandbox) return;
      const boundary = `fake-${randomUUID()}`;
      const parts: Buffer[] = [];
      for (const path of (body.paths as string[] | undefined) ?? []) {
        const hostPath = sandbox.box.hostPath(path) ?? path;
        const content: Buffer | NodeJS.ErrnoException = await readFile(hostPath).catch((error: NodeJS.ErrnoException) => error);
        const head = (name: string, type: string) =>
          Buffer.from(
            `--${boundary}\r\nContent-Disposition: form-data; name="${name}"; filename="${path}"\r\nContent-Type: ${type}\r\n\r\n`,
          );
        if (Buffer.isBuffer(content)) parts.push(head("file", "application/octet-stream"), content, Buffer.from("\r\n"));
        else {
          const missing = content.code === "ENOENT" || content.code === "ENOTDIR";
          const status = missing ? 404 : content.code === "EISDIR" ? 400 : 403;
          const error = {
            message: `${path}: ${missing ? "file not found" : content.message}`,
            statusCode: status,
            code: missing ? "FILE_NOT_FOUND" : "BAD_REQUEST",
          };
          parts.push(head("error", "application/json"), Buffer.from(JSON.stringify(error)), Buffer.from("\r\n"));
        }
      }
      parts.push(Buffer.from(`--${boundary}--\r\n`));
      const payload = Buffer.concat(parts);
      context.response.writeHead(200, { "content-type": `multipart/form-data; boundary=${boundary}`, "content-length": payload.length });
      context.response.end(payload);
    }),
  ];
}

async function loadBusboy() {
  return (await import("busboy")).default;
}
