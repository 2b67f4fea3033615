export { defaultCapabilities } from "./backend/backend-capabilities.js";
export { backendHealth } from "./backend/backend-health.js";
export { forwardedVariables } from "./backend/forwarded-variables.js";
export { type PipedStdin, pipedStdin, type RunToExit } from "./backend/piped-stdin.js";
export { reapOwnedProcesses } from "./backend/reap-owned-processes.js";
export { type ProgramOutput, runProgram } from "./backend/run-program.js";
export { shellCommandLine } from "./backend/shell-command-line.js";
export { ShellFiles } from "./backend/shell-files.js";
export type { TargetProcess } from "./backend/target-process.js";
export * from "./config/index.js";
export { type CreateEnvOptions, createEnv } from "./create-env.js";
export { Environment } from "./environment/environment.js";
export {
  copyIn,
  copyOut,
  environmentFileSystem,
  type FileSystemContext,
  resolveEnvPath,
  uploadSource,
} from "./environment/environment-file-system.js";
export type { EnvironmentOptions } from "./environment/environment-options.js";
export * from "./errors/index.js";
export {
  type BackendFactory,
  type BackendOptions,
  findBackendDescriptor,
  importBackendDescriptor,
  importBackendFactory,
  importPeer,
} from "./import-backend.js";
export { orphaned, ownerLabel, ownerState, ownerVariable } from "./lifecycle/owner-process.js";
export { AuditLog, type AuditVerification, verifyAuditLog } from "./policy/audit-log.js";
export {
  type ActionKind,
  createPolicy,
  type Policy,
  type PolicyAction,
  type PolicyDecision,
  type PolicyOptions,
  type PolicySettings,
} from "./policy/create-policy.js";
export { SecretRedactor } from "./policy/redact-secrets.js";
export { analyzeCommand } from "./policy/shell/analyze-command.js";
export type { CommandFacts } from "./policy/shell/command-facts.js";
export type { Decision, Verdict } from "./policy/shell-rules.js";
export { type ConfirmCallback, type ConfirmRequest, type WithPolicyOptions, withPolicy } from "./policy/with-policy.js";
export { cleanupAll, setExitHandlers } from "./routed/environment-registry.js";
export type { RoutedEnvironment } from "./routed/routed-environment.js";
export { createRouter, type RouteDecision, type Router, type RouterConfig } from "./router/create-router.js";
export { posixQuote } from "./session/posix-quote.js";
export { processTagVariable } from "./session/signal-tagged-program.js";
export type {
  BackendDescriptor,
  CommonBackendOptions,
  HourlyRates,
  TerminalDialect,
  TerminalKeyKind,
} from "./types/backend-descriptor.js";
export type * from "./types/index.js";
export { hourlyPrice } from "./usage/hourly-price.js";
export { defaultUsageDirectory, UsageStore, type UsageTotals } from "./usage/usage-store.js";
