export type {
  Backend,
  BackendContext,
  BackendInstance,
  FilePrimitives,
  HealthReport,
  KillOptions,
  ProcessExit,
  ProcessSelector,
  ProcessSpec,
  RawProcess,
  ReapOptions,
  ReapReport,
} from "./backend.js";
export type { Capabilities, IsolationLevel, NetworkAccess } from "./capabilities.js";
export type { ExecOptions, ExecResult, ProcessHandle, SpawnOptions } from "./exec.js";
export type {
  EnvironmentEvents,
  EnvironmentState,
  EnvironmentStatus,
  ExecutionEnvironment,
} from "./execution-environment.js";
export type { FileEntry, FileStat, FileSystem, FileType, WriteOptions } from "./file-system.js";
export type { TaskContext } from "./task-context.js";
