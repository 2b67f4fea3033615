export { addableCapabilities, dockerDefaults, tmpfsMounts } from "./container-spec.js";
export { type DockerBackendOptions, descriptor } from "./descriptor.js";
export { docker } from "./docker-backend.js";
