import type { Duplex } from "node:stream";
import { connectionSettings } from "./connection-settings.js";
import type { SshBackendOptions } from "./descriptor.js";
import { SshConnection } from "./ssh-connection.js";

/** A stream to a remote command's stdin and stdout; `unref()` lets Node exit while it idles, as a socket's does. */
export type CommandStream = Duplex & { ref(): void; unref(): void };

/**
 * Streams to remote commands over one verified connection (host key, keys, agent, ~/.ssh/config, as the ssh
 * backend connects), for a backend that reaches a service through ssh: the docker backend's `ssh://` engine
 * address runs `docker system dial-stdio` once per HTTP connection.
 */
export interface SshCommandStreams {
  open(command: string): Promise<CommandStream>;
  close(): void;
}

export async function openSshCommandStreams(options: SshBackendOptions, backendName: string): Promise<SshCommandStreams> {
  const connection = new SshConnection(await connectionSettings(options, backendName));
  return {
    open: async (command) => {
      const { channel } = await connection.exec(command);
      // Held while open and referenced, so Node waits for it as it would for a socket.
      let held = true;
      connection.hold();
      const setHeld = (hold: boolean) => {
        if (hold === held || (hold && channel.destroyed)) return;
        held = hold;
        if (hold) connection.hold();
        else connection.release();
      };
      channel.once("close", () => setHeld(false));
      return Object.assign(channel, { ref: () => setHeld(true), unref: () => setHeld(false) });
    },
    close: () => connection.close(),
  };
}
