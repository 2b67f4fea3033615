import { type CallContext, createServer, ServerError, type ServerMiddleware, Status } from "nice-grpc";
import { controlPlane } from "./modal-control-plane.js";
import { modalDefinitions } from "./modal-definitions.js";
import { commandRouter } from "./modal-router.js";
import { ModalFakeState } from "./modal-state.js";

export interface ModalFakeOptions {
  tokenId: string;
  tokenSecret: string;
  /** Named Modal secrets (`modal.secrets.fromName`), each its variables. */
  secrets?: Record<string, Record<string, string>>;
  /** Running sandboxes at most, as a workspace quota: one more is refused RESOURCE_EXHAUSTED. Default no limit. */
  maxSandboxes?: number;
}

/** A sandbox as the fake holds it: what its creation asked for, and whether it has ended. */
export interface ModalFakeSandbox {
  id: string;
  name: string | undefined;
  tags: Record<string, string>;
  imageId: string;
  /** `H100:2`, as the request's GPU config said it; undefined without one. */
  gpu: string | undefined;
  milliCpu: number;
  memoryMb: number;
  timeoutSecs: number;
  /** Created on the SDK's V1 path (its GPU path), which gives ids of that shape. */
  v1: boolean;
  ended: boolean;
}

export interface ModalFake {
  /** What `MODAL_SERVER_URL` takes: `http://127.0.0.1:<port>` (the command router is served on the same port). */
  readonly url: string;
  /** Names of the sandboxes that have not ended (unnamed ones by id). */
  sandboxNames(): string[];
  /** Every sandbox made so far, oldest first. */
  sandboxes(): ModalFakeSandbox[];
  /**
   * The command router's address the fake hands out (default its own port): a proxy in front of the fake
   * sets its own, so the router's traffic goes through it too.
   */
  routerUrl: string;
  /** Every call served, as `Method`, in order. */
  readonly calls: readonly string[];
  /** Calls the fake does not serve: an SDK update that makes a new one shows here (and the call fails UNIMPLEMENTED). */
  readonly unimplemented: readonly string[];
  /**
   * Holds the next `times` calls whose method's name contains `call` (`SandboxTerminate`) and never answers
   * them: Modal having accepted a call it will not answer (nor carry out). Each ends when its client cancels
   * it, or at `close()`.
   */
  hangNext(fault: { times: number; call: string }): void;
  /** Ends a sandbox as if it had been terminated elsewhere (its execs are killed). */
  terminate(sandboxId: string): Promise<void>;
  close(): Promise<void>;
}

/**
 * A loopback gRPC server speaking Modal's two services with the definitions of the installed SDK, so the
 * unmodified SDK is its client: the control plane (checking the token id and secret) and the command
 * router (checking the JWT it handed out), commands run in a confined local sandbox.
 */
export async function startModalFake(options: ModalFakeOptions): Promise<ModalFake> {
  const definitions = modalDefinitions();
  const state = new ModalFakeState();
  if (options.maxSandboxes !== undefined) state.maxSandboxes = options.maxSandboxes;
  for (const [name, env] of Object.entries(options.secrets ?? {})) state.secrets.set(`st-${name}`, { name, env });
  const calls: string[] = [];
  const unimplemented: string[] = [];

  const hangs: Array<{ times: number; call: string }> = [];

  // Records every call, and holds the ones `hangNext` asked for.
  const record: ServerMiddleware = async function* (call, context) {
    const name = call.method.path.split("/").pop() ?? call.method.path;
    calls.push(name);
    const hang = hangs.find((h) => h.times > 0 && name.includes(h.call));
    if (hang) {
      hang.times--;
      await new Promise((resolve) => (context.signal.aborted ? resolve(undefined) : context.signal.addEventListener("abort", resolve)));
      throw new ServerError(Status.CANCELLED, `${name} was held unanswered until its client gave up`);
    }
    return yield* call.next(call.request, context);
  };
  const credentials: ServerMiddleware = async function* (call, context: CallContext) {
    const id = context.metadata.get("x-modal-token-id");
    const secret = context.metadata.get("x-modal-token-secret");
    if (id !== options.tokenId || secret !== options.tokenSecret)
      throw new ServerError(Status.UNAUTHENTICATED, "Token ID or secret is invalid: check MODAL_TOKEN_ID and MODAL_TOKEN_SECRET");
    return yield* call.next(call.request, context);
  };
  const routerJwt: ServerMiddleware = async function* (call, context: CallContext) {
    if (context.metadata.get("authorization") !== `Bearer ${state.routerJwt}`)
      throw new ServerError(Status.UNAUTHENTICATED, "the command router's token is invalid");
    return yield* call.next(call.request, context);
  };

  const server = createServer({ "grpc.max_receive_message_length": 100 * 1024 * 1024 }).use(record);
  server
    .with(credentials)
    .add(definitions.ModalClientDefinition, complete(definitions.ModalClientDefinition, controlPlane(state), unimplemented));
  server
    .with(routerJwt)
    .add(definitions.TaskCommandRouterDefinition, complete(definitions.TaskCommandRouterDefinition, commandRouter(state), unimplemented));
  const port = await server.listen("127.0.0.1:0");
  // The SDK wants an https router URL, and dials it in plaintext when the server URL is a loopback address.
  state.routerUrl = `https://127.0.0.1:${port}`;

  return {
    url: `http://127.0.0.1:${port}`,
    sandboxNames: () => [...state.sandboxes.values()].filter((s) => !s.result).map((s) => s.name ?? s.id),
    sandboxes: () =>
      [...state.sandboxes.values()].map((s) => ({
        id: s.id,
        name: s.name,
        tags: { ...s.tags },
        imageId: s.imageId,
        gpu: s.gpu,
        milliCpu: s.milliCpu,
        memoryMb: s.memoryMb,
        timeoutSecs: s.timeoutSecs,
        v1: !s.id.startsWith("sb-v2-"),
        ended: s.result !== undefined,
      })),
    get routerUrl() {
      return state.routerUrl;
    },
    set routerUrl(url: string) {
      state.routerUrl = url;
    },
    calls,
    unimplemented,
    hangNext: ({ times, call }) => void hangs.push({ times, call }),
    terminate: async (sandboxId) => {
      await state.sandboxes.get(sandboxId)?.end({ status: 3, exitcode: 137, exception: "terminated elsewhere" });
    },
    close: async () => {
      server.forceShutdown();
      await state.close();
    },
  };
}

/** The service's implementation with every method it lacks answering UNIMPLEMENTED (and recorded). */
// biome-ignore lint/suspicious/noExplicitAny: generated definitions and handlers, typed only inside the SDK.
function complete(definition: any, handlers: Record<string, any>, unimplemented: string[]): any {
  const implementation: Record<string, unknown> = {};
  for (const [key, method] of Object.entries<{ name: string; responseStream: boolean }>(definition.methods)) {
    const refuse = () => {
      unimplemented.push(method.name);
      return new ServerError(Status.UNIMPLEMENTED, `the Modal fake does not serve ${method.name}`);
    };
    implementation[key] =
      handlers[key] ??
      (method.responseStream
        ? async function* () {
            yield* [];
            throw refuse();
          }
        : async () => {
            throw refuse();
          });
  }
  return implementation;
}
