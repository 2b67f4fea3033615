export { descriptor, type VercelBackendOptions } from "./descriptor.js";
export { vercelSandbox } from "./vercel-backend.js";
export { rewritingFetch } from "./vercel-sdk.js";
