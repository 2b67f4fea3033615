export { type ContainerEngine, containerMemoryMb } from "./container-memory.js";
export { type LoadGroup, type LoadReport, load } from "./load.js";
export { type ResourceSample, type SoakReport, sampleResources, soak } from "./soak.js";
