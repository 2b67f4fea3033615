export { hostEnvironment, looksLikeSecret } from "./host-environment.js";
export { type LocalBackendOptions, local } from "./local-backend.js";
