import { randomUUID } from "node:crypto";
import { ServerError, Status } from "nice-grpc";
import { FakeCommand, type OutputChunk } from "./fake-command.js";
import { aborted } from "./modal-control-plane.js";
import { fsToolsArgv } from "./modal-fs-tools.js";
import type { FakeModalExec, ModalFakeState } from "./modal-state.js";

// biome-ignore lint/suspicious/noExplicitAny: messages are the SDK's generated types, which it does not export.
type Message = Record<string, any>;
type Context = { signal: AbortSignal };

const fsToolsPath = "/__modal/.bin/modal-sandbox-fs-tools";
/**
 * Runs `"$0" "$@"` with stdin an anonymous pipe, as a Modal exec's is, fed from the fake's socket by a
 * forked relay (Node makes only socket pairs and named pipes, and a program that opens `/dev/stdin` again
 * after end-of-file would wait on a named one). Perl because Debian always has it.
 */
const withPipedStdin = `exec perl -e '
  pipe(my $r, my $w) or die "pipe: $!";
  defined(my $pid = fork) or die "fork: $!";
  if ($pid == 0) {
    close $r; open STDOUT, ">", "/dev/null"; open STDERR, ">", "/dev/null";
    while (sysread(STDIN, my $buf, 65536)) { defined(syswrite($w, $buf)) or last }
    exit 0;
  }
  close $w; open(STDIN, "<&", $r) or die "dup: $!"; close $r;
  exec { $ARGV[0] } @ARGV or print STDERR "$ARGV[0]: $!\n"; exit 127;
' -- "$0" "$@"`;

/** The router's file descriptors on the wire: 0 stdout, 1 stderr. */
const streams: Record<number, OutputChunk["stream"]> = { 0: "stdout", 1: "stderr" };

/** The per-task command router (`modal.task_command_router.TaskCommandRouter`): execs, their stdio and exit, snapshots. */
export function commandRouter(state: ModalFakeState) {
  const sandboxOf = (taskId: string) => {
    const sandbox = state.byTask(taskId);
    if (!sandbox) throw new ServerError(Status.NOT_FOUND, `Task ${taskId} not found`);
    if (sandbox.result) throw new ServerError(Status.NOT_FOUND, `Task ${taskId} has finished: the sandbox was terminated`);
    return sandbox;
  };
  const execOf = (request: Message): FakeModalExec => {
    const exec = state.byTask(request.taskId)?.execs.get(request.execId);
    if (!exec) throw new ServerError(Status.NOT_FOUND, `Exec ${request.execId} not found`);
    return exec;
  };
  const exitOf = (exec: FakeModalExec) => ({ code: exec.command.exitCode });
  const take = (exec: FakeModalExec, offset: number, data: Uint8Array) => {
    // A write re-sent after a lost reply starts before what was taken: only the rest is new.
    const fresh = data.subarray(Math.max(0, exec.stdinWritten - offset));
    if (offset + data.length > exec.stdinWritten && !exec.stdinClosed) {
      exec.command.input(fresh);
      exec.stdinWritten = offset + data.length;
    }
  };
  const close = (exec: FakeModalExec) => {
    if (exec.stdinClosed) return;
    exec.stdinClosed = true;
    exec.command.endInput();
  };

  return {
    taskExecStart: (request: Message) => {
      const sandbox = sandboxOf(request.taskId);
      const argv: string[] = request.commandArgs;
      const env: Record<string, string> = { ...sandbox.env, ...(request.env ?? {}) };
      for (const source of request.secretSources ?? []) if (source.env) Object.assign(env, source.env.contents ?? {});
      const args = argv[0] === fsToolsPath ? fsToolsArgv(argv[1] ?? "{}") : argv;
      const command = new FakeCommand(sandbox.box, withPipedStdin, env, { cwd: request.workdir || sandbox.workdir, args });
      const exec: FakeModalExec = { command, stdinWritten: 0, stdinClosed: false };
      sandbox.execs.set(request.execId, exec);
      // The relay ends with the command's input.
      void command.finished.then(() => close(exec));
      if (request.timeoutSecs) setTimeout(() => command.kill(), request.timeoutSecs * 1000).unref();
      return {};
    },
    async *taskExecStdioRead(request: Message, context: Context) {
      const exec = execOf(request);
      const stream = streams[request.fileDescriptor];
      const queue: Array<Buffer | null> = [];
      let wake = () => {};
      let skip = Number(request.offset ?? 0);
      const stop = exec.command.tail((chunk) => {
        if (chunk !== null && chunk.stream !== stream) return;
        queue.push(chunk?.data ?? null);
        wake();
      });
      // One listener for the whole stream (one per wake would pile up on a long one).
      const cancelled = aborted(context.signal);
      try {
        for (;;) {
          while (queue.length > 0) {
            const data = queue.shift();
            if (data === null || data === undefined) return;
            const rest = data.subarray(Math.min(skip, data.length));
            skip -= data.length - rest.length;
            if (rest.length > 0) yield { data: rest };
          }
          await Promise.race([new Promise<void>((resolve) => (wake = resolve)), cancelled]);
          if (context.signal.aborted) return;
        }
      } finally {
        stop();
      }
    },
    taskExecWait: async (request: Message, context: Context) => {
      const exec = execOf(request);
      await Promise.race([exec.command.finished, aborted(context.signal)]);
      return exitOf(exec);
    },
    taskExecPoll: (request: Message) => {
      const exec = execOf(request);
      return exec.command.done ? exitOf(exec) : {};
    },
    taskExecStdinWrite: (request: Message) => {
      const exec = execOf(request);
      take(exec, Number(request.offset ?? 0), request.data ?? new Uint8Array());
      if (request.eof) close(exec);
      return {};
    },
    taskExecStdinWriteStream: async (requests: AsyncIterable<Message>) => {
      let exec: FakeModalExec | undefined;
      let offset = 0;
      for await (const item of requests) {
        if (item.start) {
          exec = execOf(item.start);
          offset = Number(item.start.offset ?? 0);
        } else if (item.data && exec) {
          take(exec, offset, item.data);
          offset += item.data.length;
        } else if (item.end && exec) close(exec);
      }
      return {};
    },
    taskExecStdinStatus: (request: Message) => {
      const exec = execOf(request);
      return { numBytesWritten: exec.stdinWritten, closed: exec.stdinClosed };
    },
    taskSnapshotFilesystem: async (request: Message) => {
      const sandbox = sandboxOf(request.taskId);
      const dir = await state.snapshotDir();
      await sandbox.box.copyTo(dir);
      const imageId = `im-${randomUUID().replaceAll("-", "").slice(0, 22)}`;
      state.images.set(imageId, { snapshotDir: dir });
      return { imageId };
    },
    sandboxWaitUntilReady: () => ({}),
  };
}
