import type { EventEmitter } from "eventemitter3";
import type { ExecOptions, ExecResult, ProcessHandle, SpawnOptions } from "../types/exec.js";
import type { EnvironmentEvents, EnvironmentStatus, ExecutionEnvironment } from "../types/execution-environment.js";
import type { FileSystem } from "../types/file-system.js";

/** What a file operation does to its path, as a policy sees it. */
export type FileAccess = "read_file" | "write_file" | "delete_file" | "list_dir";

type Command = string | readonly string[];

/** What a middleware puts around an environment's calls; whatever it leaves out goes straight through. */
export interface EnvironmentMiddleware {
  exec?(command: Command, options: ExecOptions, next: (command: Command, options: ExecOptions) => Promise<ExecResult>): Promise<ExecResult>;
  spawn?(
    command: Command,
    options: SpawnOptions,
    next: (command: Command, options: SpawnOptions) => Promise<ProcessHandle>,
  ): Promise<ProcessHandle>;
  /** Around each file operation, with the path it acts on (the environment-side one for upload and download). */
  file?<T>(access: FileAccess, path: string, next: () => Promise<T>): Promise<T>;
  dispose?(next: () => Promise<void>): Promise<void>;
}

/** `inner` seen through `middleware`: the one seam policy, budget and routing wrap an environment with. */
export function wrapEnvironment(inner: ExecutionEnvironment, middleware: EnvironmentMiddleware): ExecutionEnvironment {
  return new WrappedEnvironment(inner, middleware);
}

/**
 * The nine file methods, each with its access kind and path, written once: every facade over a
 * FileSystem (a policy's checks, a router's choice of backend) is this with its own `around`.
 */
export function fileSystemFacade(
  files: () => FileSystem | Promise<FileSystem>,
  around: <T>(access: FileAccess, path: string, next: () => Promise<T>) => Promise<T> = (_access, _path, next) => next(),
): FileSystem {
  const via = <T>(access: FileAccess, path: string, run: (files: FileSystem) => Promise<T>) =>
    around(access, path, async () => run(await files()));
  return {
    read: (path) => via("read_file", path, (fs) => fs.read(path)),
    readText: (path) => via("read_file", path, (fs) => fs.readText(path)),
    stat: (path) => via("read_file", path, (fs) => fs.stat(path)),
    list: (path) => via("list_dir", path, (fs) => fs.list(path)),
    write: (path, data, options) => via("write_file", path, (fs) => fs.write(path, data, options)),
    mkdir: (path, options) => via("write_file", path, (fs) => fs.mkdir(path, options)),
    remove: (path, options) => via("delete_file", path, (fs) => fs.remove(path, options)),
    upload: (hostPath, envPath) => via("write_file", envPath, (fs) => fs.upload(hostPath, envPath)),
    download: (envPath, hostPath) => via("read_file", envPath, (fs) => fs.download(envPath, hostPath)),
  };
}

class WrappedEnvironment implements ExecutionEnvironment {
  readonly files: FileSystem;

  constructor(
    private readonly inner: ExecutionEnvironment,
    private readonly middleware: EnvironmentMiddleware,
  ) {
    this.files = middleware.file ? fileSystemFacade(() => inner.files, middleware.file.bind(middleware)) : inner.files;
  }

  get id() {
    return this.inner.id;
  }
  get backend() {
    return this.inner.backend;
  }
  get type() {
    return this.inner.type;
  }
  get capabilities() {
    return this.inner.capabilities;
  }

  exec(command: Command, options: ExecOptions = {}): Promise<ExecResult> {
    const next = (command: Command, options: ExecOptions) => this.inner.exec(command, options);
    return this.middleware.exec ? this.middleware.exec(command, options, next) : next(command, options);
  }

  spawn(command: Command, options: SpawnOptions = {}): Promise<ProcessHandle> {
    const next = (command: Command, options: SpawnOptions) => this.inner.spawn(command, options);
    return this.middleware.spawn ? this.middleware.spawn(command, options, next) : next(command, options);
  }

  start(): Promise<void> {
    return this.inner.start();
  }

  status(): Promise<EnvironmentStatus> {
    return this.inner.status();
  }

  dispose(): Promise<void> {
    const next = () => this.inner.dispose();
    return this.middleware.dispose ? this.middleware.dispose(next) : next();
  }

  [Symbol.asyncDispose](): Promise<void> {
    return this.dispose();
  }

  on<E extends EventEmitter.EventNames<EnvironmentEvents>>(event: E, listener: EventEmitter.EventListener<EnvironmentEvents, E>): this {
    this.inner.on(event, listener);
    return this;
  }
  once<E extends EventEmitter.EventNames<EnvironmentEvents>>(event: E, listener: EventEmitter.EventListener<EnvironmentEvents, E>): this {
    this.inner.once(event, listener);
    return this;
  }
  off<E extends EventEmitter.EventNames<EnvironmentEvents>>(event: E, listener?: EventEmitter.EventListener<EnvironmentEvents, E>): this {
    this.inner.off(event, listener);
    return this;
  }
}
