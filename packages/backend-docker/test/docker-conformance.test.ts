import { createEnv } from "@hermes/core";
import { describeConformance } from "@hermes/testkit";
import { docker } from "../src/index.js";
import { containersOf, describeWithEngine, engine, testImage } from "./docker-test-support.js";

describeWithEngine("docker backend", () => {
  describeConformance("docker", {
    create: async () => createEnv({ backend: docker({ image: testImage, network: "none" }) }),
    // Seen from outside the environment: another exec in its container. A removed container runs nothing.
    processAlive: async (pid, environment) => {
      const [container] = await containersOf(environment.id);
      if (container?.State !== "running") return false;
      const exec = await engine.getContainer(container.Id).exec({
        Cmd: ["bash", "-c", `s=$(< /proc/${pid}/stat) || exit 1; s=\${s##*) }; [ "\${s%% *}" != Z ]`],
        AttachStdout: true,
        AttachStderr: true,
      });
      const stream = await exec.start({});
      stream.resume();
      await new Promise((resolve) => stream.on("end", resolve));
      return (await exec.inspect()).ExitCode === 0;
    },
    slowness: 2,
  });
});
