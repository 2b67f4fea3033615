import { rm } from "node:fs/promises";
import { type Route, readJson, route, sendJson } from "./http-json.js";
import { newBox, openSession, stopSession } from "./vercel-session-routes.js";
import {
  type Context,
  newId,
  routesJson,
  type SandboxState,
  sandboxJson,
  sendError,
  sessionJson,
  snapshotJson,
  type VercelState,
} from "./vercel-state.js";

const defaultTimeoutMs = 300_000;

/** Sandboxes by name: create (`/v3/sandboxes`, or `/v2/sandboxes` when the SDK is given a `runtime`), list, get (and resume), delete. */
export function sandboxRoutes(state: VercelState, projectId: string): Route<Context>[] {
  const sandboxOf = (context: Context, name: string | undefined): SandboxState | undefined => {
    const sandbox = state.sandboxes.get(name ?? "");
    if (!sandbox) sendError(context.response, 404, "not_found", `sandbox ${name} not found`);
    return sandbox;
  };
  const withSession = (sandbox: SandboxState) => ({
    sandbox: sandboxJson(sandbox),
    session: sessionJson(sandbox.session, sandbox),
    routes: routesJson(sandbox),
  });

  const create = async ({ request, response }: Context) => {
    const body = await readJson(request);
    if (body.projectId !== projectId) return sendError(response, 404, "not_found", `project ${body.projectId} not found`);
    const name = typeof body.name === "string" && body.name ? body.name : newId("sandbox");
    // The SDK's own tests show the service refusing a taken name with a 400 `bad_request`, not a 409.
    if (state.sandboxes.has(name)) return sendError(response, 400, "bad_request", `a sandbox named ${name} already exists in this project`);
    const source = body.source as { type?: string; snapshotId?: string } | undefined;
    if (source && source.type !== "snapshot")
      return sendError(response, 400, "bad_request", `the Vercel fake makes no sandbox from a ${source.type}`);
    if (body.mounts !== undefined) return sendError(response, 400, "bad_request", "the Vercel fake mounts no drives");
    const snapshot = source ? state.snapshots.get(source.snapshotId ?? "") : undefined;
    if (source && snapshot?.status !== "created")
      return sendError(response, 410, "snapshot_not_found", `snapshot ${source.snapshotId} not found`);
    const timeout = typeof body.timeout === "number" ? body.timeout : defaultTimeoutMs;
    const now = Date.now();
    const sandbox: SandboxState = {
      name,
      persistent: body.persistent === true,
      region: typeof body.region === "string" ? body.region : "iad1",
      vcpus: (body.resources as { vcpus?: number } | undefined)?.vcpus ?? 2,
      timeout,
      env: (body.env as Record<string, string> | undefined) ?? {},
      tags: (body.tags as Record<string, string> | undefined) ?? {},
      ports: (body.ports as number[] | undefined) ?? [],
      createdAt: now,
      updatedAt: now,
      box: await newBox(snapshot),
      session: openSession(state, name, timeout, snapshot?.id),
      ...(typeof body.runtime === "string" && { runtime: body.runtime }),
      ...(typeof body.image === "string" && { image: body.image }),
      ...(snapshot && { startFrom: snapshot.id }),
    };
    state.sandboxes.set(name, sandbox);
    sendJson(response, 200, withSession(sandbox));
  };

  return [
    route("POST", "/api/v3/sandboxes", create),
    route("POST", "/api/v2/sandboxes", create),
    route("GET", "/api/v2/sandboxes", ({ response, url }) => {
      const prefix = url.searchParams.get("namePrefix") ?? "";
      // The SDK sends one tag as `tags=key:value`.
      const tags = url.searchParams.getAll("tags").map((tag) => [tag.slice(0, tag.indexOf(":")), tag.slice(tag.indexOf(":") + 1)] as const);
      const order = url.searchParams.get("sortOrder") === "asc" ? 1 : -1;
      const byName = url.searchParams.get("sortBy") === "name";
      const matching = [...state.sandboxes.values()]
        .filter((s) => s.name.startsWith(prefix) && tags.every(([key, value]) => s.tags[key] === value))
        .sort((a, b) => order * (byName ? a.name.localeCompare(b.name) : a.createdAt - b.createdAt));
      // The cursor is an offset here; to the SDK it is opaque.
      const offset = Number(url.searchParams.get("cursor") ?? 0) || 0;
      const limit = Number(url.searchParams.get("limit")) || 50;
      const page = matching.slice(offset, offset + limit);
      const next = offset + limit < matching.length ? String(offset + limit) : null;
      sendJson(response, 200, { sandboxes: page.map(sandboxJson), pagination: { count: page.length, next } });
    }),
    // A stopped sandbox resumes with a new session: its own files when persistent, else a fresh start.
    route("GET", "/api/v2/sandboxes/:name", async (context, { name }) => {
      const sandbox = sandboxOf(context, name);
      if (!sandbox) return;
      const resume = context.url.searchParams.get("resume") === "true" && sandbox.session.status !== "running";
      if (resume) {
        const from = sandbox.startFrom === undefined ? undefined : state.snapshots.get(sandbox.startFrom);
        if (!sandbox.box && from?.status === "deleted")
          return sendError(context.response, 410, "snapshot_not_found", `snapshot ${from.id} of sandbox ${name} not found`);
        const fresh = !sandbox.box;
        sandbox.box ??= await newBox(from);
        sandbox.session = openSession(state, sandbox.name, sandbox.timeout, fresh ? from?.id : undefined);
        sandbox.updatedAt = Date.now();
      }
      sendJson(context.response, 200, { ...withSession(sandbox), resumed: resume });
    }),
    route("DELETE", "/api/v2/sandboxes/:name", async (context, { name }) => {
      const sandbox = sandboxOf(context, name);
      if (!sandbox) return;
      // Its sessions are taken now: a new sandbox may take the name while this one is being torn down.
      const sessions = [...state.sessions].filter(([, session]) => session.sandboxName === sandbox.name).map(([id]) => id);
      state.sandboxes.delete(sandbox.name);
      await stopSession(sandbox);
      await sandbox.box?.dispose();
      sandbox.box = undefined;
      for (const id of sessions) state.sessions.delete(id);
      if (context.url.searchParams.get("deleteOrphanSnapshots") === "true")
        for (const snapshot of state.snapshots.values())
          if (snapshot.sandboxName === sandbox.name && snapshot.status === "created") {
            snapshot.status = "deleted";
            await rm(snapshot.dir, { recursive: true, force: true });
          }
      sendJson(context.response, 200, { sandbox: sandboxJson(sandbox), routes: routesJson(sandbox) });
    }),
  ];
}

/** Snapshots by id; a deleted one stays known, as `deleted`. */
export function snapshotRoutes(state: VercelState): Route<Context>[] {
  return [
    route("GET", "/api/v2/sandboxes/snapshots", ({ response, url }) => {
      const name = url.searchParams.get("name");
      const snapshots = [...state.snapshots.values()].filter((s) => !name || s.sandboxName === name).map(snapshotJson);
      sendJson(response, 200, { snapshots, pagination: { count: snapshots.length, next: null } });
    }),
    route("GET", "/api/v2/sandboxes/snapshots/:id", ({ response }, { id }) => {
      const snapshot = state.snapshots.get(id ?? "");
      if (!snapshot) return sendError(response, 404, "not_found", `snapshot ${id} not found`);
      sendJson(response, 200, { snapshot: snapshotJson(snapshot) });
    }),
    route("DELETE", "/api/v2/sandboxes/snapshots/:id", async ({ response }, { id }) => {
      const snapshot = state.snapshots.get(id ?? "");
      if (!snapshot) return sendError(response, 404, "not_found", `snapshot ${id} not found`);
      snapshot.status = "deleted";
      snapshot.updatedAt = Date.now();
      await rm(snapshot.dir, { recursive: true, force: true });
      sendJson(response, 200, { snapshot: snapshotJson(snapshot) });
    }),
  ];
}
