export {
  type BackendOptionsByType,
  type BackendType,
  backendOptionSchemas,
  backendPackages,
  backendTypes,
  type CommonBackendOptions,
  type DaytonaBackendOptions,
  type DockerBackendOptions,
  type LocalBackendOptions,
  type ModalBackendOptions,
  type SingularityBackendOptions,
  type SshBackendOptions,
  type VercelSandboxBackendOptions,
} from "./backend-options.js";
export type { BackendInstanceConfig, HermesConfig, PolicyConfig, RoutingMatch, RoutingRuleConfig } from "./hermes-config.js";
export { isHermesConfig } from "./hermes-config.js";
export { findConfigFile, type LoadConfigOptions, loadConfig } from "./load-config.js";
export { parseDuration, parseSize } from "./units.js";
