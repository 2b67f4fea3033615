export { hermesSandbox, type SandboxSessionOptions } from "./sandbox-session.js";
export { type HermesTools, hermesTools } from "./tools.js";
