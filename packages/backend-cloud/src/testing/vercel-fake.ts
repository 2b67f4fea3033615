import { mkdtemp, rm } from "node:fs/promises";
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { matchRoute, type Route, readBody } from "./http-json.js";
import { commandRoutes } from "./vercel-command-routes.js";
import { fileRoutes } from "./vercel-file-routes.js";
import { sandboxRoutes, snapshotRoutes } from "./vercel-sandbox-routes.js";
import { sessionRoutes } from "./vercel-session-routes.js";
import { type Context, sendError, type VercelState } from "./vercel-state.js";

export interface VercelFakeOptions {
  /** The only token the fake accepts (`Authorization: Bearer <token>`). */
  token: string;
  /** The only team (`?teamId=`) and project the token may use. */
  teamId: string;
  projectId: string;
}

export interface VercelFake {
  /** What replaces the SDK's `https://vercel.com/api` (ends in `/api`). */
  readonly url: string;
  /** Names of the sandboxes that exist now (stopped ones too; deleted ones not). */
  sandboxNames(): string[];
  /** Answers the next `times` requests whose path contains `pathPart` with `status` (a vendor outage). */
  failNext(fault: { status: number; times: number; pathPart?: string }): void;
  /**
   * Holds the next `times` requests of `method` (any, if not given) whose path contains `pathPart`, and never
   * answers them: a vendor that accepted a call and will not answer it (nor carry it out). Each is dropped
   * when its client gives up, or at `close()`.
   */
  hangNext(fault: { times: number; pathPart?: string; method?: string }): void;
  /** Every request, as `METHOD path`. */
  readonly requests: readonly string[];
  close(): Promise<void>;
}

/**
 * Vercel Sandbox's REST API on 127.0.0.1, enough of it for `@vercel/sandbox` to create (v3, or v2 with a
 * runtime), get and resume, list, stop, snapshot and delete sandboxes, run commands with their NDJSON log
 * streams, and move files (a gzip'd tar in, bytes out). Commands run in a `LocalSandbox` whose working
 * directory is /vercel/sandbox. Anything else is a 404 that names the call, so an SDK update that adds one
 * fails loudly.
 */
export async function startVercelFake(options: VercelFakeOptions): Promise<VercelFake> {
  const state: VercelState = {
    sandboxes: new Map(),
    sessions: new Map(),
    snapshots: new Map(),
    snapshotRoot: await mkdtemp(join(tmpdir(), "hermes-fake-vercel-snapshots-")),
  };
  const requests: string[] = [];
  const faults: Array<{ status: number; times: number; pathPart: string }> = [];
  const hangs: Array<{ times: number; pathPart: string; method: string | undefined }> = [];

  // The sandbox routes come last: `/v2/sandboxes/:name` would take `sessions` and `snapshots` for names.
  const routes: Route<Context>[] = [
    ...snapshotRoutes(state),
    ...sessionRoutes(state),
    ...commandRoutes(state),
    ...fileRoutes(state),
    ...sandboxRoutes(state, options.projectId),
  ];

  const server = createServer((request, response) => {
    const url = new URL(request.url ?? "/", "http://fake");
    requests.push(`${request.method} ${url.pathname}`);
    void (async () => {
      const refusal = refused(request.headers.authorization, url);
      if (refusal) {
        await readBody(request);
        return sendError(response, refusal.status, refusal.code, refusal.message);
      }
      const hang = hangs.find((h) => h.times > 0 && url.pathname.includes(h.pathPart) && (h.method ?? request.method) === request.method);
      if (hang) {
        hang.times--;
        request.resume();
        return;
      }
      const fault = faults.find((f) => f.times > 0 && url.pathname.includes(f.pathPart));
      if (fault) {
        fault.times--;
        await readBody(request);
        return sendError(response, fault.status, "fake_fault", `fake fault ${fault.status}`);
      }
      const found = matchRoute(routes, request.method ?? "GET", url.pathname);
      if (!found) {
        await readBody(request);
        return sendError(response, 404, "not_found", `the Vercel fake does not serve ${request.method} ${url.pathname}`);
      }
      await found.route.handle({ request, response, url }, found.params);
    })().catch((error: unknown) => {
      if (!response.headersSent) sendError(response, 500, "internal_server_error", String(error));
    });
  });

  // A wrong token is a 401 here (the public API is known to answer 403 with `invalidToken: true`); another
  // team is not this token's (403); another project does not exist for it (404).
  function refused(authorization: string | undefined, url: URL) {
    if (authorization !== `Bearer ${options.token}`) return { status: 401, code: "unauthorized", message: "the token is not valid" };
    const team = url.searchParams.get("teamId");
    if (team !== options.teamId) return { status: 403, code: "forbidden", message: `not authorized for team ${team}` };
    const project = url.searchParams.get("projectId") ?? url.searchParams.get("project");
    if (project !== null && project !== options.projectId)
      return { status: 404, code: "not_found", message: `project ${project} not found` };
    return undefined;
  }

  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/api`,
    requests,
    sandboxNames: () => [...state.sandboxes.keys()],
    failNext: ({ status, times, pathPart = "" }) => void faults.push({ status, times, pathPart }),
    hangNext: ({ times, pathPart = "", method }) => void hangs.push({ times, pathPart, method }),
    close: async () => {
      for (const sandbox of state.sandboxes.values()) {
        clearTimeout(sandbox.session.timer);
        await sandbox.box?.dispose();
      }
      state.sandboxes.clear();
      await rm(state.snapshotRoot, { recursive: true, force: true });
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
