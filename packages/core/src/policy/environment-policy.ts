import { join } from "node:path";
import type { BackendInstanceConfig, HermesConfig } from "../config/hermes-config.js";
import { hermesHome } from "../config/hermes-home.js";
import type { BackendDescriptor } from "../types/backend-descriptor.js";
import type { ExecutionEnvironment } from "../types/execution-environment.js";
import { AuditLog } from "./audit-log.js";
import { createPolicy, type Policy, type PolicyAction, type PolicySettings } from "./create-policy.js";
import { SecretRedactor } from "./redact-secrets.js";
import { type ConfirmCallback, refuseIfDenied, withPolicy } from "./with-policy.js";

/** What `createEnv` was given that bears on the policy. */
export interface EnvironmentPolicyOptions {
  policy?: PolicySettings | Policy;
  confirm?: ConfirmCallback;
  confirmTimeoutMs?: number;
}

/** The policy of one backend, from the options or the configuration; nothing when no policy key is set. */
export function policyWrapper(
  name: string,
  instance: { type: string; config?: BackendInstanceConfig; descriptor?: BackendDescriptor },
  config: HermesConfig,
  options: EnvironmentPolicyOptions,
  environmentId: string,
): { wrap?: (environment: ExecutionEnvironment) => ExecutionEnvironment; precheck?: (action: PolicyAction) => void } {
  const own: BackendInstanceConfig["options"] = instance.config?.options ?? {};
  const defaults = instance.descriptor?.policy;
  // The options key a backend type names as its working area is also the policy's sandbox_root (local's sandboxRoot).
  const sandboxRoot = defaults?.sandboxRoot === undefined ? undefined : own[defaults.sandboxRoot];
  const given = options.policy;
  const settings: PolicySettings | undefined =
    given && !isPolicy(given)
      ? given
      : given
        ? undefined
        : {
            ...(config.policy && {
              forbid: config.policy.forbid,
              require_confirm: config.policy.requireConfirm,
              log_all_commands: config.policy.logAllCommands,
            }),
            ...(own.allowedCommands && { allowed_commands: own.allowedCommands }),
            ...(own.authorizedCommandsOnly !== undefined && { authorized_commands_only: own.authorizedCommandsOnly }),
            ...(typeof sandboxRoot === "string" && { sandbox_root: sandboxRoot }),
          };
  if (settings && Object.keys(settings).length === 0) return {};
  const local = defaults?.paths === "local";
  // Paths of a remote target are not this machine's: links there cannot be resolved from here.
  const policy = isPolicy(given) ? given : createPolicy(settings, local ? {} : { realpath: (path) => path });
  const logAll = isPolicy(given) ? false : (settings?.log_all_commands ?? false);
  const audit = logAll ? new AuditLog(config.policy?.auditLog ?? auditFile(environmentId, name), new SecretRedactor()) : undefined;
  return {
    precheck: (action) => refuseIfDenied(policy, action, { backend: name, ...(audit && { audit }) }),
    wrap: (environment) =>
      withPolicy(environment, policy, {
        ...(options.confirm && { confirm: options.confirm }),
        ...(options.confirmTimeoutMs !== undefined && { confirmTimeoutMs: options.confirmTimeoutMs }),
        ...(audit && { audit }),
      }),
  };
}

function isPolicy(value: PolicySettings | Policy | undefined): value is Policy {
  return typeof (value as Policy | undefined)?.evaluate === "function";
}

/** One audit file per environment and backend: a chain has one writer. */
function auditFile(environmentId: string, backend: string): string {
  const day = new Date().toISOString().slice(0, 10);
  return join(hermesHome(), "audit", `${day}-${environmentId}-${backend}.jsonl`);
}
