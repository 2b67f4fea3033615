export { addableCapabilities, dockerDefaults, tmpfsMounts } from "./container-spec.js";
export { type DockerBackendOptions, docker } from "./docker-backend.js";
