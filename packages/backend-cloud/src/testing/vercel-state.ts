import { randomBytes } from "node:crypto";
import type { IncomingMessage, ServerResponse } from "node:http";
import type { FakeCommand } from "./fake-command.js";
import { sendJson } from "./http-json.js";
import type { LocalSandbox } from "./local-sandbox.js";

/** What the fake keeps of Vercel's sandboxes, sessions, commands and snapshots, and how each goes on the wire. */

export interface Context {
  request: IncomingMessage;
  response: ServerResponse;
  url: URL;
}

export interface SandboxState {
  name: string;
  persistent: boolean;
  region: string;
  vcpus: number;
  timeout: number;
  runtime?: string;
  image?: string;
  env: Record<string, string>;
  tags: Record<string, string>;
  ports: number[];
  createdAt: number;
  updatedAt: number;
  /** Its files: none while it is stopped and not persistent (they went with its session). */
  box: LocalSandbox | undefined;
  session: SessionState;
  /** What a session starts from when the sandbox has no files: the snapshot it was made from, or the last one taken of it. */
  startFrom?: string;
  currentSnapshotId?: string;
}

export interface SessionState {
  id: string;
  sandboxName: string;
  status: "running" | "stopped";
  createdAt: number;
  updatedAt: number;
  stoppedAt?: number;
  snapshottedAt?: number;
  timeout: number;
  sourceSnapshotId?: string;
  commands: Map<string, CommandState>;
  /** Stops the session when its timeout passes, as Vercel does. */
  timer?: NodeJS.Timeout;
}

export interface CommandState {
  id: string;
  name: string;
  args: string[];
  cwd: string;
  sessionId: string;
  startedAt: number;
  durationMs?: number;
  run: FakeCommand;
}

export interface SnapshotState {
  id: string;
  sandboxName: string;
  sourceSessionId: string;
  region: string;
  status: "created" | "deleted";
  sizeBytes: number;
  createdAt: number;
  updatedAt: number;
  expiresAt?: number;
  /** The copy of the sandbox's directories. */
  dir: string;
}

export interface VercelState {
  sandboxes: Map<string, SandboxState>;
  /** Every session, stopped ones too: calls on those answer 410, which the SDK takes as "resume and retry". */
  sessions: Map<string, SessionState>;
  snapshots: Map<string, SnapshotState>;
  snapshotRoot: string;
}

/** The sandbox's working directory and the default user's home (commands may `cd ~`). */
export const workDir = "/vercel/sandbox";
export const home = "/home/vercel-sandbox";
const memoryPerCpuMb = 2048;

export const newId = (prefix: string) => `${prefix}_${randomBytes(12).toString("hex")}`;

export function sendError(response: ServerResponse, status: number, code: string, message: string): void {
  sendJson(response, status, { error: { code, message } });
}

export const sandboxJson = (sandbox: SandboxState) => ({
  name: sandbox.name,
  persistent: sandbox.persistent,
  region: sandbox.region,
  vcpus: sandbox.vcpus,
  memory: sandbox.vcpus * memoryPerCpuMb,
  ...(sandbox.runtime !== undefined && { runtime: sandbox.runtime }),
  ...(sandbox.image !== undefined && { image: sandbox.image }),
  timeout: sandbox.timeout,
  createdAt: sandbox.createdAt,
  updatedAt: sandbox.updatedAt,
  currentSessionId: sandbox.session.id,
  ...(sandbox.currentSnapshotId !== undefined && { currentSnapshotId: sandbox.currentSnapshotId }),
  status: sandbox.session.status,
  statusUpdatedAt: sandbox.session.updatedAt,
  cwd: workDir,
  tags: sandbox.tags,
});

export const sessionJson = (session: SessionState, sandbox: SandboxState) => ({
  id: session.id,
  memory: sandbox.vcpus * memoryPerCpuMb,
  vcpus: sandbox.vcpus,
  region: sandbox.region,
  ...(sandbox.runtime !== undefined && { runtime: sandbox.runtime }),
  timeout: session.timeout,
  status: session.status,
  requestedAt: session.createdAt,
  startedAt: session.createdAt,
  createdAt: session.createdAt,
  updatedAt: session.updatedAt,
  cwd: workDir,
  ...(session.stoppedAt !== undefined && { stoppedAt: session.stoppedAt, duration: session.stoppedAt - session.createdAt }),
  ...(session.snapshottedAt !== undefined && { snapshottedAt: session.snapshottedAt }),
  ...(session.sourceSnapshotId !== undefined && { sourceSnapshotId: session.sourceSnapshotId }),
});

export const routesJson = (sandbox: SandboxState) =>
  sandbox.ports.map((port) => {
    const subdomain = `${sandbox.name.toLowerCase().replace(/[^a-z0-9]+/g, "-")}-${port}`;
    return { url: `https://${subdomain}.vercel.run`, subdomain, port };
  });

/** A command; `exitCode` stays null until it has ended, pipes and all. */
export function commandJson(command: CommandState) {
  if (command.run.done) command.durationMs ??= Date.now() - command.startedAt;
  return {
    id: command.id,
    name: command.name,
    args: command.args,
    cwd: command.cwd,
    sessionId: command.sessionId,
    exitCode: command.run.done ? (command.run.exitCode ?? null) : null,
    startedAt: command.startedAt,
    ...(command.durationMs !== undefined && { durationMs: command.durationMs }),
  };
}

export const snapshotJson = (snapshot: SnapshotState) => ({
  id: snapshot.id,
  sourceSessionId: snapshot.sourceSessionId,
  region: snapshot.region,
  status: snapshot.status,
  sizeBytes: snapshot.sizeBytes,
  createdAt: snapshot.createdAt,
  updatedAt: snapshot.updatedAt,
  ...(snapshot.expiresAt !== undefined && { expiresAt: snapshot.expiresAt }),
});
