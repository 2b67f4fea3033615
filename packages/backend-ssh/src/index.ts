export { type SshBackendOptions, ssh } from "./ssh-backend.js";
