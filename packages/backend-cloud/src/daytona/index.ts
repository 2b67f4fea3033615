export { daytona } from "./daytona-backend.js";
export { type DaytonaBackendOptions, descriptor } from "./descriptor.js";
