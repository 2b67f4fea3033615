export { confirmByElicitation } from "./confirm-by-elicitation.js";
export { createHermesMcpServer, type HermesMcpServer } from "./hermes-mcp-server.js";
export { type HttpMcpServer, type HttpServeOptions, serveHttp } from "./serve-http.js";
export { serveStdio } from "./serve-stdio.js";
export { type EnvironmentFactory, SessionEnvironment } from "./session-environment.js";
