import { execFile } from "node:child_process";
import { mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createServer } from "node:tls";
import { promisify } from "node:util";
import { BackendUnavailableError, createEnv } from "@hermes/core";
import { afterAll, beforeAll, expect, it } from "vitest";
import { docker } from "../src/index.js";
import { describeWithEngine, EngineRelay, testImage } from "./docker-test-support.js";

const run = promisify(execFile);

/** A CA, a server certificate for 127.0.0.1 and a client certificate, as `dockerd --tlsverify` setups use. */
async function makeCertificates(dir: string): Promise<void> {
  const openssl = (...args: string[]) => run("openssl", args, { cwd: dir });
  await openssl(
    "req",
    "-x509",
    "-newkey",
    "rsa:2048",
    "-nodes",
    "-keyout",
    "ca-key.pem",
    "-out",
    "ca.pem",
    "-days",
    "1",
    "-subj",
    "/CN=hermes-test-ca",
  );
  await writeFile(join(dir, "server.ext"), "subjectAltName=IP:127.0.0.1\n");
  await writeFile(join(dir, "client.ext"), "extendedKeyUsage=clientAuth\n");
  for (const [name, subject, extensions] of [
    ["server", "/CN=127.0.0.1", "server.ext"],
    ["client", "/CN=hermes-client", "client.ext"],
  ] as const) {
    await openssl("req", "-newkey", "rsa:2048", "-nodes", "-keyout", `${name}-key.pem`, "-out", `${name}.csr`, "-subj", subject);
    await openssl(
      "x509",
      "-req",
      "-in",
      `${name}.csr`,
      "-CA",
      "ca.pem",
      "-CAkey",
      "ca-key.pem",
      "-CAcreateserial",
      "-out",
      `${name}.pem`,
      "-days",
      "1",
      "-extfile",
      extensions,
    );
  }
  // The names the docker CLI (and DOCKER_CERT_PATH) expect for the client side.
  await writeFile(join(dir, "cert.pem"), await readFile(join(dir, "client.pem")));
  await writeFile(join(dir, "key.pem"), await readFile(join(dir, "client-key.pem")));
}

describeWithEngine("docker backend: an engine over tcp with TLS", () => {
  let dir: string;
  let port: number;
  let close: () => Promise<void>;
  const saved = { verify: process.env.DOCKER_TLS_VERIFY, certs: process.env.DOCKER_CERT_PATH };

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), "hermes-docker-tls-"));
    await makeCertificates(dir);
    // The real engine behind a TLS endpoint that demands a client certificate signed by the CA.
    const relay = new EngineRelay();
    const server = createServer(
      {
        key: await readFile(join(dir, "server-key.pem")),
        cert: await readFile(join(dir, "server.pem")),
        ca: await readFile(join(dir, "ca.pem")),
        requestCert: true,
        rejectUnauthorized: true,
      },
      relay.accept,
    );
    server.on("tlsClientError", () => {});
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    port = (server.address() as { port: number }).port;
    close = () => relay.cut(server);
  }, 60_000);

  afterAll(async () => {
    await close?.();
    await rm(dir, { recursive: true, force: true });
    for (const [name, value] of [
      ["DOCKER_TLS_VERIFY", saved.verify],
      ["DOCKER_CERT_PATH", saved.certs],
    ] as const) {
      if (value === undefined) delete process.env[name];
      else process.env[name] = value;
    }
  });

  it("runs commands and files through DOCKER_HOST-style tcp + DOCKER_TLS_VERIFY + DOCKER_CERT_PATH", async () => {
    process.env.DOCKER_TLS_VERIFY = "1";
    process.env.DOCKER_CERT_PATH = dir;
    await using env = await createEnv({ backend: docker({ image: testImage, network: "none", host: `tcp://127.0.0.1:${port}` }) });
    expect((await env.exec("cd /tmp && export OVER=tls; echo ok")).stdout).toBe("ok\n");
    expect((await env.exec('echo "$OVER in $PWD"')).stdout).toBe("tls in /tmp\n");
    await env.files.write("/workspace/over-tls.txt", "secure\n");
    expect(await env.files.readText("/workspace/over-tls.txt")).toBe("secure\n");
  }, 60_000);

  it("is refused without the client certificate, with a clear error", async () => {
    process.env.DOCKER_TLS_VERIFY = "1";
    delete process.env.DOCKER_CERT_PATH;
    const env = await createEnv({ backend: docker({ image: testImage, network: "none", host: `tcp://127.0.0.1:${port}` }) });
    const error = await env.exec("true").catch((caught: unknown) => caught);
    expect(BackendUnavailableError.isInstance(error)).toBe(true);
    expect((error as Error).message).toMatch(new RegExp(`cannot reach the Docker engine at tcp://127.0.0.1:${port}`));
    await env.dispose();
  }, 60_000);
});
