export { type ConformanceGroup, describeConformance } from "./conformance/describe-conformance.js";
export { aliveFunction, type ConformanceOptions } from "./conformance/suite-context.js";
export { describeWithService } from "./describe-with-service.js";
export { type DifferentialOptions, describeDifferential } from "./differential/describe-differential.js";
export { type Sequence, sequences } from "./differential/sequences.js";
export { type FaultProxy, type FaultProxyOptions, startFaultProxy } from "./faults/fault-proxy.js";
export { hostProcessAlive } from "./host-process-alive.js";
export { MemoryFiles } from "./mock/memory-files.js";
export {
  createMockEnvironment,
  type MockCall,
  MockEnvironment,
  type MockEnvironmentOptions,
  type MockMatcher,
  type MockResponder,
  type MockResponse,
} from "./mock/mock-environment.js";
export { type ReferenceBackendOptions, referenceBackend } from "./reference/reference-backend.js";
export {
  type ContainerEngine,
  containerMemoryMb,
  type LoadGroup,
  type LoadReport,
  load,
  type ResourceSample,
  type SoakReport,
  sampleResources,
  soak,
} from "./soak/index.js";
