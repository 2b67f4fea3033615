export { type ClusterLogin, descriptor, type HpcBackendOptions } from "./descriptor.js";
export { singularity } from "./hpc-backend.js";
