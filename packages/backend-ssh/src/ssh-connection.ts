import type { Client, ClientChannel, SFTPWrapper } from "ssh2";
import { type ConnectionSettings, connectionSockets, openConnection } from "./open-connection.js";

/**
 * The environment's one connection: every process is a channel on it and every file operation goes
 * through one SFTP session on it. When it drops, the next call opens a new one (processes on the old
 * one see their channels close). A server caps the channels of one connection (OpenSSH's MaxSessions,
 * 10 by default): past the cap, channels go to an overflow connection opened for them.
 */
export class SshConnection {
  private client: Promise<Client> | undefined;
  private sftpSession: Promise<SFTPWrapper> | undefined;
  private closed = false;
  /** Processes and calls that need the connection to keep Node running (idle session shells do not). */
  private holders = 0;
  private live: Client | undefined;
  private overflow: SshConnection | undefined;

  constructor(private readonly settings: ConnectionSettings) {}

  /** Something is running over the connection: Node must not exit. */
  hold(): void {
    if (++this.holders === 1) this.applyRef();
  }

  /** Done: when nothing holds the connection, an idle connection lets Node exit. */
  release(): void {
    if (--this.holders === 0) this.applyRef();
  }

  /** Runs `work` with the connection held, so Node stays up while it waits on the connection. */
  async during<T>(work: () => Promise<T>): Promise<T> {
    this.hold();
    try {
      return await work();
    } finally {
      this.release();
    }
  }

  /** Connected now (not connecting, not dropped). */
  get isLive(): boolean {
    return this.live !== undefined;
  }

  /** Cuts the connection at once (a keepalive went unanswered): channels close and calls in flight fail. */
  drop(): void {
    if (this.live) for (const socket of connectionSockets(this.live)) socket.destroy();
    this.overflow?.drop();
  }

  private applyRef(): void {
    if (!this.live) return;
    for (const socket of connectionSockets(this.live)) {
      if (this.holders > 0) socket.ref();
      else socket.unref();
    }
  }

  /** The live client, connecting (again) if needed. */
  connected(): Promise<Client> {
    return this.during(() => this.connect());
  }

  private connect(): Promise<Client> {
    if (this.closed) return Promise.reject(new Error("the connection was closed"));
    if (!this.client) {
      const attempt = openConnection(this.settings).then((client) => {
        client.once("close", () => {
          if (this.client === attempt) {
            this.client = undefined;
            this.sftpSession = undefined;
            this.live = undefined;
          }
        });
        this.live = client;
        this.applyRef();
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
  exec(command: string): Promise<ExecChannel> {
    return this.during(async () => {
      const client = await this.connect();
      try {
        return await new Promise<ExecChannel>((resolve, reject) =>
          client.exec(command, (error, channel) => (error ? reject(error) : resolve(watchedChannel(channel)))),
        );
      } catch (error) {
        if (!isChannelRefusal(error)) throw error;
        this.overflow ??= new SshConnection(this.settings);
        return this.overflow.exec(command);
      }
    });
  }

  /** The SFTP session on the current connection. */
  sftp(): Promise<SFTPWrapper> {
    if (!this.sftpSession) {
      const session = this.connect().then(
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
    this.live = undefined;
    this.overflow?.close();
  }
}

/** A command's channel and how it ended: its exit, or `undefined` when it closed without one (the connection went). */
export interface ExecChannel {
  channel: ClientChannel;
  ended: Promise<ChannelExit | undefined>;
}

/** As ssh2 reports it: an exit code, or a signal name (ssh2 names it as Node does, "SIGTERM"). */
export interface ChannelExit {
  code: number | null;
  signal: string | null;
}

/**
 * Watches the channel from the callback that hands it over: a quick command's exit status and close can
 * arrive in the same read as the exec's reply, and ssh2 emits `exit` once, before any later listener.
 */
function watchedChannel(channel: ClientChannel): ExecChannel {
  let exit: ChannelExit | undefined;
  channel.once("exit", (code: number | null, signal?: string) => {
    exit = { code: code ?? null, signal: signal ?? null };
  });
  const ended = new Promise<ChannelExit | undefined>((resolve) => channel.once("close", () => resolve(exit)));
  return { channel, ended };
}

/** The server refused a new channel (its per-connection cap); the connection itself is fine. */
function isChannelRefusal(error: unknown): boolean {
  return error instanceof Error && error.message.includes("Channel open failure");
}
