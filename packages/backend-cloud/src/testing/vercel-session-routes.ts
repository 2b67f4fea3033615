import { randomUUID } from "node:crypto";
import { lstat, readdir } from "node:fs/promises";
import { join } from "node:path";
import { type Route, readJson, route, sendJson } from "./http-json.js";
import { LocalSandbox } from "./local-sandbox.js";
import {
  type Context,
  home,
  newId,
  routesJson,
  type SandboxState,
  type SessionState,
  type SnapshotState,
  sandboxJson,
  sendError,
  sessionJson,
  snapshotJson,
  type VercelState,
  workDir,
} from "./vercel-state.js";

/**
 * A session is one run of a sandbox (one VM on the real service). It stops when asked, when its timeout
 * passes, or when it is snapshotted; calls on a stopped one answer 410 `sandbox_stopped`, and the SDK then
 * resumes the sandbox (`GET /v2/sandboxes/{name}?resume=true`, a new session) and retries.
 */

/** Opens a running session for the sandbox `name` and arms its timeout. */
export function openSession(state: VercelState, name: string, timeout: number, sourceSnapshotId?: string): SessionState {
  const now = Date.now();
  const session: SessionState = {
    id: newId("sbx"),
    sandboxName: name,
    status: "running",
    createdAt: now,
    updatedAt: now,
    timeout,
    commands: new Map(),
    ...(sourceSnapshotId !== undefined && { sourceSnapshotId }),
  };
  state.sessions.set(session.id, session);
  armTimeout(state, session);
  return session;
}

function armTimeout(state: VercelState, session: SessionState): void {
  clearTimeout(session.timer);
  const left = Math.min(session.createdAt + session.timeout - Date.now(), 2 ** 31 - 1);
  session.timer = setTimeout(
    () => {
      const sandbox = state.sandboxes.get(session.sandboxName);
      if (sandbox?.session === session) stopSession(sandbox).catch(() => {});
    },
    Math.max(left, 0),
  ).unref();
}

/** A new sandbox's files: a copy of the snapshot, or empty. */
export const newBox = (from?: SnapshotState) => LocalSandbox.create(randomUUID(), home, { workDir, ...(from && { from: from.dir }) });

/** Ends every process of the session; the files stay only when the sandbox is persistent. */
export async function stopSession(sandbox: SandboxState): Promise<void> {
  const { session } = sandbox;
  if (session.status !== "running") return;
  session.status = "stopped";
  session.stoppedAt = session.updatedAt = Date.now();
  clearTimeout(session.timer);
  await sandbox.box?.killAll();
  if (sandbox.persistent) return;
  await sandbox.box?.dispose();
  sandbox.box = undefined;
}

/** The session and its sandbox, or a 404 sent. */
export function sessionOf(state: VercelState, context: Context, id: string | undefined) {
  const session = state.sessions.get(id ?? "");
  const sandbox = session && state.sandboxes.get(session.sandboxName);
  if (session && sandbox) return { session, sandbox };
  sendError(context.response, 404, "not_found", `session ${id} not found`);
  return undefined;
}

/** The session, its sandbox and its files when it is running, or a 404 or 410 sent. */
export function liveSession(state: VercelState, context: Context, id: string | undefined) {
  const found = sessionOf(state, context, id);
  const box = found?.sandbox.box;
  if (found && box && found.session.status === "running") return { ...found, box };
  if (found) sendError(context.response, 410, "sandbox_stopped", `the session ${id} of sandbox ${found.sandbox.name} has stopped`);
  return undefined;
}

export function sessionRoutes(state: VercelState): Route<Context>[] {
  return [
    route("GET", "/api/v2/sandboxes/sessions", ({ response, url }) => {
      const name = url.searchParams.get("name");
      const sessions = [...state.sessions.values()]
        .filter((session) => !name || session.sandboxName === name)
        .flatMap((session) => {
          const sandbox = state.sandboxes.get(session.sandboxName);
          return sandbox ? [sessionJson(session, sandbox)] : [];
        });
      sendJson(response, 200, { sessions, pagination: { count: sessions.length, next: null } });
    }),
    route("GET", "/api/v2/sandboxes/sessions/:session", (context, params) => {
      const found = sessionOf(state, context, params.session);
      if (found) sendJson(context.response, 200, { session: sessionJson(found.session, found.sandbox), routes: routesJson(found.sandbox) });
    }),
    // Stopping a stopped session is no error: it answers what it is.
    route("POST", "/api/v2/sandboxes/sessions/:session/stop", async (context, params) => {
      await readJson(context.request);
      const found = sessionOf(state, context, params.session);
      if (!found) return;
      if (found.sandbox.session === found.session) await stopSession(found.sandbox);
      sendJson(context.response, 200, { session: sessionJson(found.session, found.sandbox), sandbox: sandboxJson(found.sandbox) });
    }),
    route("POST", "/api/v2/sandboxes/sessions/:session/extend-timeout", async (context, params) => {
      const body = await readJson(context.request);
      const found = liveSession(state, context, params.session);
      if (!found) return;
      found.session.timeout += typeof body.duration === "number" ? body.duration : 0;
      found.session.updatedAt = Date.now();
      armTimeout(state, found.session);
      sendJson(context.response, 200, { session: sessionJson(found.session, found.sandbox) });
    }),
    // The real service stops the session to snapshot it; the SDK's later calls resume the sandbox.
    route("POST", "/api/v2/sandboxes/sessions/:session/snapshot", async (context, params) => {
      const body = await readJson(context.request);
      const found = liveSession(state, context, params.session);
      if (!found) return;
      const { session, sandbox, box } = found;
      const now = Date.now();
      const id = newId("snap");
      const dir = join(state.snapshotRoot, id);
      await box.killAll();
      await box.copyTo(dir);
      const expiration = typeof body.expiration === "number" && body.expiration > 0 ? body.expiration : undefined;
      const snapshot: SnapshotState = {
        id,
        sandboxName: sandbox.name,
        sourceSessionId: session.id,
        region: sandbox.region,
        status: "created",
        sizeBytes: await sizeOf(dir),
        createdAt: now,
        updatedAt: now,
        dir,
        ...(expiration !== undefined && { expiresAt: now + expiration }),
      };
      state.snapshots.set(id, snapshot);
      sandbox.startFrom = sandbox.currentSnapshotId = id;
      session.snapshottedAt = now;
      await stopSession(sandbox);
      sendJson(context.response, 200, { snapshot: snapshotJson(snapshot), session: sessionJson(session, sandbox) });
    }),
  ];
}

async function sizeOf(dir: string): Promise<number> {
  let total = 0;
  for (const entry of await readdir(dir, { recursive: true, withFileTypes: true })) {
    if (entry.isFile()) total += (await lstat(join(entry.parentPath, entry.name))).size;
  }
  return total;
}
