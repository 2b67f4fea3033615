export { descriptor, type LocalBackendOptions } from "./descriptor.js";
export { hostEnvironment, looksLikeSecret } from "./host-environment.js";
export { local } from "./local-backend.js";
