export { type BackendType, backendPackages, backendTypes } from "./backend-packages.js";
export type { BackendInstanceConfig, HermesConfig, PolicyConfig, RoutingMatch, RoutingRuleConfig } from "./hermes-config.js";
export { isHermesConfig } from "./hermes-config.js";
export { hermesHome } from "./hermes-home.js";
export { findConfigFile, type LoadConfigOptions, loadConfig } from "./load-config.js";
export {
  backendOptionsSchema,
  camelCase,
  camelKeys,
  commonOptionKeys,
  commonOptionRenames,
  duration,
  port,
  positiveNumber,
  renamedOptions,
  schemaKeys,
  sizeMb,
  text,
  textList,
  variables,
} from "./schema-helpers.js";
export { terminalKeyNames } from "./terminal-dialect.js";
export { parseDuration, parseSize } from "./units.js";
