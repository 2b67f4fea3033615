export { descriptor, type SshBackendOptions } from "./descriptor.js";
export { ssh } from "./ssh-backend.js";
export { type CommandStream, openSshCommandStreams, type SshCommandStreams } from "./ssh-command-streams.js";
