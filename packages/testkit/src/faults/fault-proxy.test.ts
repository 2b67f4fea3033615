import { once } from "node:events";
import { type AddressInfo, connect, createServer, type Server, type Socket } from "node:net";
import { afterEach, beforeEach, expect, it } from "vitest";
import { type FaultProxy, startFaultProxy } from "./fault-proxy.js";

// A server that answers each chunk with three separate writes: "a", "b", "c".
let server: Server;
let proxy: FaultProxy;
beforeEach(async () => {
  server = createServer((socket) =>
    socket.on("data", () => {
      for (const part of ["a", "b", "c"]) socket.write(part);
    }),
  );
  server.listen(0, "127.0.0.1");
  await once(server, "listening");
  proxy = await startFaultProxy({ target: { host: "127.0.0.1", port: (server.address() as AddressInfo).port } });
});
afterEach(async () => {
  await proxy.close();
  server.close();
});

async function client(): Promise<{ socket: Socket; reads: string[] }> {
  const socket = connect(proxy.port, "127.0.0.1");
  await once(socket, "connect");
  const reads: string[] = [];
  socket.on("data", (chunk: Buffer) => reads.push(chunk.toString()));
  return { socket, reads };
}

const until = async (condition: () => boolean) => {
  while (!condition()) await new Promise((resolve) => setTimeout(resolve, 5));
};

it("passes bytes both ways, and with batchReplies hands the client the server's writes in one read", async () => {
  const { socket, reads } = await client();
  proxy.batchReplies(50);
  socket.write("go");
  await until(() => reads.join("") === "abc");
  expect(reads).toEqual(["abc"]);
  socket.destroy();
});

it("cut resets the client's connection", async () => {
  const { socket } = await client();
  socket.write("go");
  await until(() => proxy.connections === 1);
  const error = once(socket, "error");
  proxy.cut();
  expect(((await error)[0] as NodeJS.ErrnoException).code).toBe("ECONNRESET");
  await until(() => socket.destroyed && proxy.connections === 0);
});

it("silence holds bytes without closing, and resume delivers what was held", async () => {
  const { socket, reads } = await client();
  await until(() => proxy.connections === 1);
  proxy.silence();
  socket.write("go");
  await new Promise((resolve) => setTimeout(resolve, 100));
  expect(reads).toEqual([]);
  expect(socket.destroyed).toBe(false);
  proxy.resume();
  await until(() => reads.join("") === "abc");
  socket.destroy();
});

it("down resets open connections and every new one until resume", async () => {
  const { socket } = await client();
  await until(() => proxy.connections === 1);
  const cut = once(socket, "error");
  proxy.down();
  expect(((await cut)[0] as NodeJS.ErrnoException).code).toBe("ECONNRESET");
  const refused = connect(proxy.port, "127.0.0.1");
  expect(((await once(refused, "error"))[0] as NodeJS.ErrnoException).code).toBe("ECONNRESET");
  proxy.resume();
  const { socket: again, reads } = await client();
  again.write("go");
  await until(() => reads.join("") === "abc");
  again.destroy();
});
