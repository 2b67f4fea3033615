import type { Client, ClientChannel, SFTPWrapper } from "ssh2";
import { type ConnectionSettings, openConnection } from "./open-connection.js";

/**
 * The environment's one connection: every process is a channel on it and every file operation goes
 * through one SFTP session on it. When it drops, the next call opens a new one (processes on the old
 * one see their channels close).
 */
export class SshConnection {
  private client: Promise<Client> | undefined;
  private sftpSession: Promise<SFTPWrapper> | undefined;
  private closed = false;

  constructor(private readonly settings: ConnectionSettings) {}

  /** The live client, connecting (again) if needed. */
  connected(): Promise<Client> {
    if (this.closed) return Promise.reject(new Error("the connection was closed"));
    if (!this.client) {
      const attempt = openConnection(this.settings).then((client) => {
        client.once("close", () => {
          if (this.client === attempt) {
            this.client = undefined;
            this.sftpSession = undefined;
          }
        });
        return client;
      });
      attempt.catch(() => {
        if (this.client === attempt) this.client = undefined;
      });
      this.client = attempt;
    }
    return this.client;
  }

  /** Runs `command` (read by the remote user's login shell) on a new channel. */
  async exec(command: string): Promise<ClientChannel> {
    const client = await this.connected();
    return new Promise((resolve, reject) => client.exec(command, (error, channel) => (error ? reject(error) : resolve(channel))));
  }

  /** The SFTP session on the current connection. */
  sftp(): Promise<SFTPWrapper> {
    if (!this.sftpSession) {
      const session = this.connected().then(
        (client) => new Promise<SFTPWrapper>((resolve, reject) => client.sftp((error, sftp) => (error ? reject(error) : resolve(sftp)))),
      );
      session.catch(() => {
        if (this.sftpSession === session) this.sftpSession = undefined;
      });
      this.sftpSession = session;
    }
    return this.sftpSession;
  }

  /** Closes the connection for good. */
  close(): void {
    this.closed = true;
    void this.client?.then((client) => client.end()).catch(() => {});
    this.client = undefined;
    this.sftpSession = undefined;
  }
}
