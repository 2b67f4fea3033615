import { createHash, randomUUID } from "node:crypto";
import { ServerError, Status } from "nice-grpc";
import { LocalSandbox } from "./local-sandbox.js";
import type { FakeModalSandbox, ModalFakeState, SandboxResult } from "./modal-state.js";

// biome-ignore lint/suspicious/noExplicitAny: messages are the SDK's generated types, which it does not export.
type Message = Record<string, any>;
type Handler = (request: Message, context: { signal: AbortSignal }) => Promise<Message> | Message;

/** GPU types Modal takes (`gpu: "H100:2"`); any other is refused as Modal refuses it. */
const gpuTypes = new Set(["T4", "L4", "A10", "A10G", "A100", "A100-40GB", "A100-80GB", "L40S", "H100", "H100!", "H200", "B200"]);
const terminated: SandboxResult = { status: 3, exitcode: 137, exception: "" };
const timedOut: SandboxResult = { status: 4, exitcode: 124, exception: "the sandbox's timeout passed" };
const sandboxHome = "/root";

/** A JWT-shaped token (the SDK reads its `exp`), valid for a day. */
function jwt(): string {
  const part = (value: object) => Buffer.from(JSON.stringify(value)).toString("base64url");
  return `${part({ alg: "none", typ: "JWT" })}.${part({ exp: Math.floor(Date.now() / 1000) + 86_400 })}.fake`;
}

const notFound = (what: string) => new ServerError(Status.NOT_FOUND, what);

/** The control plane (`modal.client.ModalClient`) as far as the SDK's apps, images, secrets and sandboxes use it. */
export function controlPlane(state: ModalFakeState): Record<string, Handler> {
  const sandboxOf = (sandboxId: string) => {
    const sandbox = state.sandboxes.get(sandboxId);
    if (!sandbox) throw notFound(`Sandbox ${sandboxId} not found`);
    return sandbox;
  };

  const create = async (request: Message, v1: boolean): Promise<FakeModalSandbox> => {
    const definition: Message = request.definition ?? {};
    const gpuConfig: Message | undefined = definition.resources?.gpuConfig;
    const gpu = gpuConfig?.gpuType ? `${gpuConfig.gpuType}${gpuConfig.count > 1 ? `:${gpuConfig.count}` : ""}` : undefined;
    if (gpuConfig?.gpuType && !gpuTypes.has(gpuConfig.gpuType))
      throw new ServerError(Status.INVALID_ARGUMENT, `unknown GPU type '${gpuConfig.gpuType}'; available: ${[...gpuTypes].join(", ")}`);
    const name: string | undefined = definition.name || undefined;
    const running = (s: FakeModalSandbox) => s.appId === request.appId && s.name === name && !s.result;
    if (name && [...state.sandboxes.values()].some(running))
      throw new ServerError(Status.ALREADY_EXISTS, `a running sandbox named '${name}' already exists`);
    const runningCount = [...state.sandboxes.values()].filter((s) => !s.result).length;
    if (runningCount >= state.maxSandboxes)
      throw new ServerError(Status.RESOURCE_EXHAUSTED, `this workspace may run ${state.maxSandboxes} sandboxes at once`);
    const image = state.images.get(definition.imageId);
    if (!image) throw notFound(`Image ${definition.imageId} not found`);
    const env: Record<string, string> = {};
    const secretIds: string[] = [...(definition.secretIds ?? [])];
    for (const source of request.secretSources ?? []) {
      if (source.env) Object.assign(env, source.env.contents ?? {});
      if (source.secretId) secretIds.push(source.secretId);
    }
    for (const id of secretIds) {
      const secret = state.secrets.get(id);
      if (!secret) throw notFound(`Secret ${id} not found`);
      Object.assign(env, secret.env);
    }
    const id = state.newSandboxId(v1);
    const box = await LocalSandbox.create(id, sandboxHome, image.snapshotDir ? { from: image.snapshotDir } : {});
    let endSandbox = () => {};
    const sandbox: FakeModalSandbox = {
      id,
      taskId: `ta-${randomUUID()}`,
      appId: request.appId,
      name,
      tags: Object.fromEntries((request.tags ?? []).map((tag: Message) => [tag.tagName, tag.tagValue])),
      imageId: definition.imageId,
      box,
      env,
      workdir: definition.workdir ?? "/",
      gpu,
      milliCpu: definition.resources?.milliCpu ?? 0,
      memoryMb: definition.resources?.memoryMb ?? 0,
      timeoutSecs: definition.timeoutSecs || 300,
      // Unique, so the SDK's paging by `beforeTimestamp` sees every sandbox once.
      createdAt: Math.max(Date.now() / 1000, ...[...state.sandboxes.values()].map((s) => s.createdAt + 0.001)),
      execs: new Map(),
      result: undefined,
      ended: new Promise((resolve) => {
        endSandbox = resolve;
      }),
      end: async (result) => {
        if (sandbox.result) return;
        sandbox.result = result;
        clearTimeout(timer);
        await box.killAll();
        endSandbox();
      },
    };
    const timer = setTimeout(() => void sandbox.end(timedOut), sandbox.timeoutSecs * 1000);
    timer.unref();
    state.sandboxes.set(id, sandbox);
    return sandbox;
  };

  const access = () => ({ url: state.routerUrl, jwt: state.routerJwt });
  const info = (s: FakeModalSandbox) => ({
    id: s.id,
    createdAt: s.createdAt,
    appId: s.appId,
    name: s.name ?? "",
    imageId: s.imageId,
    tags: Object.entries(s.tags).map(([tagName, tagValue]) => ({ tagName, tagValue })),
    taskInfo: { id: s.taskId, startedAt: s.createdAt, ...(s.result && { result: s.result, finishedAt: Date.now() / 1000 }) },
  });
  const list = (request: Message) => {
    const wanted: Message[] = request.tags ?? [];
    const sandboxes = [...state.sandboxes.values()]
      .filter((s) => !request.appId || s.appId === request.appId)
      .filter((s) => request.includeFinished || !s.result)
      .filter((s) => !request.beforeTimestamp || s.createdAt < request.beforeTimestamp)
      .filter((s) => wanted.every((tag) => s.tags[tag.tagName] === tag.tagValue))
      .sort((a, b) => b.createdAt - a.createdAt);
    return { sandboxes: sandboxes.map(info) };
  };
  const fromName = (request: Message) => {
    const appId = state.apps.get(request.appName);
    const found = [...state.sandboxes.values()].find(
      (s) => s.appId === appId && s.name === request.sandboxName && (request.includeTerminated || !s.result),
    );
    if (!found) throw notFound(`no running sandbox named '${request.sandboxName}' in app '${request.appName}'`);
    return { sandboxId: found.id };
  };
  const wait = async (request: Message, { signal }: { signal: AbortSignal }) => {
    const sandbox = sandboxOf(request.sandboxId);
    if (!sandbox.result && request.timeout > 0) {
      await Promise.race([sandbox.ended, new Promise((resolve) => setTimeout(resolve, request.timeout * 1000).unref()), aborted(signal)]);
    }
    return sandbox.result ? { result: sandbox.result } : {};
  };
  const terminate = async (request: Message) => {
    await sandboxOf(request.sandboxId).end(terminated);
    return {};
  };
  const taskId = (request: Message) => {
    const sandbox = sandboxOf(request.sandboxId);
    return sandbox.result ? { taskResult: sandbox.result } : { taskId: sandbox.taskId };
  };
  const tagsGet = (request: Message) => ({ tags: info(sandboxOf(request.sandboxId)).tags });
  const tagsSet = (request: Message) => {
    const sandbox = sandboxOf(request.sandboxId);
    sandbox.tags = Object.fromEntries((request.tags ?? []).map((tag: Message) => [tag.tagName, tag.tagValue]));
    return {};
  };

  return {
    authTokenGet: () => ({ token: jwt() }),
    environmentGetOrCreate: () => ({
      environmentId: "en-fake",
      metadata: { name: "main", settings: { imageBuilderVersion: "2024.10", webhookSuffix: "modal.run" } },
    }),
    appGetOrCreate: (request) => {
      let appId = state.apps.get(request.appName);
      if (!appId) {
        if (request.objectCreationType !== 1) throw notFound(`App '${request.appName}' not found`);
        appId = `ap-${randomUUID().replaceAll("-", "").slice(0, 22)}`;
        state.apps.set(request.appName, appId);
      }
      return { appId };
    },
    imageGetOrCreate: (request) => {
      const recipe = JSON.stringify(request.image?.dockerfileCommands ?? []);
      const imageId = `im-${createHash("sha256").update(recipe).digest("hex").slice(0, 22)}`;
      if (!state.images.has(imageId)) state.images.set(imageId, {});
      return { imageId, result: { status: 1 } };
    },
    imageFromId: (request) => {
      if (!state.images.has(request.imageId)) throw notFound(`Image ${request.imageId} not found`);
      return { imageId: request.imageId };
    },
    secretGetOrCreate: (request) => {
      if (request.objectCreationType === 5) {
        const secretId = `st-${randomUUID()}`;
        state.secrets.set(secretId, { env: { ...(request.envDict ?? {}) } });
        return { secretId };
      }
      const found = [...state.secrets.entries()].find(([, secret]) => secret.name === request.deploymentName);
      if (!found) throw notFound(`Secret '${request.deploymentName}' not found`);
      return { secretId: found[0] };
    },
    sandboxCreateV2: async (request) => {
      const sandbox = await create(request, false);
      return { sandboxId: sandbox.id, taskId: sandbox.taskId, tunnels: [], commandRouterAccess: access() };
    },
    sandboxCreate: async (request) => ({ sandboxId: (await create(request, true)).id }),
    sandboxGetTaskId: taskId,
    sandboxGetTaskIdV2: taskId,
    sandboxGetCommandRouterAccess: (request) => {
      sandboxOf(request.sandboxId);
      return access();
    },
    taskGetCommandRouterAccess: (request) => {
      if (!state.byTask(request.taskId)) throw notFound(`Task ${request.taskId} not found`);
      return access();
    },
    sandboxGetFromName: fromName,
    sandboxGetFromNameV2: fromName,
    sandboxList: list,
    sandboxListV2: list,
    sandboxWait: wait,
    sandboxWaitV2: wait,
    sandboxTerminate: terminate,
    sandboxTerminateV2: terminate,
    sandboxTagsGet: tagsGet,
    sandboxTagsGetV2: tagsGet,
    sandboxTagsSet: tagsSet,
    sandboxTagsSetV2: tagsSet,
  };
}

/** Resolves when the client gives up on the call. */
export function aborted(signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    if (signal.aborted) resolve();
    else signal.addEventListener("abort", () => resolve(), { once: true });
  });
}
