import { describe, expect, it } from "vitest";
import { ConfigError } from "../errors/config-error.js";
import { createPolicy, type PolicySettings } from "./create-policy.js";

const policies: Record<string, PolicySettings> = {
  floor: {},
  sbx: { sandbox_root: "/tmp/sbx" },
  allow: { allowed_commands: ["bash", "python3", "pytest"], authorized_commands_only: true },
};

/** Tricks of the corpus's classes in other spellings, and everyday commands that must stay allowed. */
const cases: Array<[keyof typeof policies, string, "allow" | "confirm" | "deny"]> = [
  ["floor", ":(){ :|:& };:", "deny"],
  ["floor", "bomb(){ bomb | bomb & }; bomb", "deny"],
  ["floor", "kill -9 -1", "deny"],
  ["floor", "kill -1", "deny"],
  ["floor", "kill -HUP 1234", "allow"],
  ["floor", "mkfs.ext4 /dev/sdb1", "deny"],
  ["floor", "dd if=/dev/zero of=/dev/sda", "deny"],
  ["floor", "echo x > /dev/nvme0n1", "deny"],
  ["floor", "sudo reboot", "deny"],
  ["floor", "systemctl poweroff", "deny"],
  ["floor", "rm -rf ~", "deny"],
  ["floor", "rm -rf /home/*", "deny"],
  ["floor", "rm -rf /bin /boot /etc", "deny"],
  ["floor", "mv / /tmp/x", "deny"],
  ["floor", "find / -exec rm {} \\;", "deny"],
  ["floor", 'rm -rf "$(echo /)"', "deny"],
  ["floor", 'rm -rf "$(cat target)"', "confirm"],
  ["floor", "sudo sh -c 'rm -rf /'", "deny"],
  ["floor", "nohup rm -rf / &", "deny"],
  ["floor", "ls -la", "allow"],
  ["floor", "git status", "allow"],
  ["floor", "npm test", "allow"],
  ["floor", "python3 script.py", "allow"],
  ["sbx", "python3 -m venv /opt/venv", "confirm"],
  ["sbx", "git -C /etc init", "confirm"],
  ["sbx", "npm install --prefix /usr/local x", "confirm"],
  ["sbx", "sort -o /etc/x f", "deny"],
  ["sbx", "chmod +x /etc/x", "deny"],
  ["sbx", "chmod 644 ./a", "allow"],
  ["sbx", "ln -sf /etc/passwd ./p; echo x > p", "deny"],
  ["sbx", "touch /tmp/sbx/{a,../../etc/x}", "deny"],
  ["sbx", "pytest -q tests/", "allow"],
  ["sbx", "npm run build", "allow"],
  ["sbx", "make -C /tmp/sbx", "allow"],
  ["sbx", "cp -r /etc /tmp/sbx/etc-copy", "allow"],
  ["allow", "pytest; ls", "deny"],
  ["allow", "PYTHONPATH=. pytest", "deny"],
  ["allow", "cd tests && pytest -q", "allow"],
  ["allow", "pytest -q 2>&1 | tee log", "deny"],
  ["allow", "bash -c pytest", "allow"],
  ["floor", "echo 'rm -rf /' | bash", "deny"],
  ["floor", "echo ok | bash", "allow"],
  ["floor", "cd /; rm -rf .", "deny"],
  ["floor", "pushd / && rm -rf *", "deny"],
  ["floor", "(cd / && rm -rf *)", "deny"],
  ["floor", "! rm -rf /", "deny"],
  ["floor", "time rm -rf /usr", "deny"],
  ["floor", "rm -rf /tmp", "deny"],
  ["floor", "rm -rf $HOME/../..", "deny"],
  ["floor", "doas rm -rf /", "deny"],
  ["floor", "exec rm -rf /", "deny"],
  ["sbx", "tar czf /tmp/out.tgz .", "deny"],
  ["sbx", "tar -xzf a.tgz", "confirm"],
  ["sbx", 'echo x > "$HOME/x"', "deny"],
  ["sbx", "sed -i.bak s/a/b/ /etc/x", "deny"],
  ["sbx", "echo hi | sudo tee /etc/x", "deny"],
  ["allow", "exec pytest", "allow"],
  ["allow", "exec -a pytest /bin/sh", "deny"],
  ["allow", "source venv/bin/activate && pytest", "confirm"],
  ["allow", "eval pytest", "allow"],
  ["allow", 'eval "$X"', "deny"],
  ["allow", "timeout 60 pytest", "deny"],
  ["allow", "command pytest", "allow"],
  ["floor", "shred /dev/sda", "deny"],
  ["floor", "perl -ne 'print' file", "confirm"],
  ["allow", "python3 -Ic 'print(1)'", "confirm"],
  ["allow", "python3 -I script.py", "allow"],
  ["allow", "python3 -u -m pytest", "allow"],
  ["floor", "python3 -B -c 'x'", "confirm"],
  ["sbx", "exec > /etc/x", "deny"],
  ["allow", "export PATH=/tmp/sbx:$PATH; pytest", "deny"],
  ["allow", "alias pytest='curl x | sh'; pytest", "deny"],
  ["floor", 'alias x="$PAYLOAD"; x', "confirm"],
  ["floor", "toybox rm -rf /", "deny"],
  ["floor", "bash -O extglob -c 'rm -rf /'", "deny"],
  ["floor", "csh -c 'rm -rf /'", "deny"],
  ["floor", "taskset -c 0 rm -rf /", "deny"],
  ["floor", "timeout -s KILL 5 rm -rf /", "deny"],
  ["floor", "stdbuf -oL rm -rf /", "deny"],
  ["floor", "env -i PATH=/x rm -rf /", "deny"],
  ["floor", "sudo --user=root rm -rf /", "deny"],
  ["floor", "find / -type f -print0 | xargs -0 rm -rf", "deny"],
  ["floor", "find . -name '*.pyc' | xargs rm", "allow"],
  ["floor", "find $DIR | xargs rm -rf", "confirm"],
  ["sbx", "find /etc -name x | xargs touch", "deny"],
  ["sbx", "find . -name '*.tmp' | xargs rm", "allow"],
  ["floor", "su -c 'rm -rf /'", "deny"],
  ["floor", "su root -c 'rm -rf /'", "deny"],
  ["floor", "runuser -u x -- rm -rf /", "deny"],
  ["floor", "sg wheel -c 'rm -rf /'", "deny"],
  ["floor", "script -qc 'rm -rf /' /dev/null", "deny"],
  ["floor", "ssh host 'rm -rf /'", "deny"],
  ["floor", "ssh -p 22 -i k user@host rm -rf /", "deny"],
  ["floor", "ssh host ls", "allow"],
  ["floor", "chroot /mnt rm -rf /", "deny"],
  ["floor", "strace -f -o log rm -rf /", "deny"],
  ["floor", "fakeroot rm -rf /", "deny"],
  ["floor", "systemd-run --unit x rm -rf /", "deny"],
  ["floor", "parallel rm ::: /", "confirm"],
  ["floor", "su -", "allow"],
  ["floor", "ssh host", "allow"],
  ["sbx", "ssh host 'touch /etc/x'", "confirm"],
  ["sbx", "strace -o /etc/log true", "deny"],
];

describe("createPolicy", () => {
  it.each(cases)("%s: %s is %s", (name, command, expected) => {
    const policy = createPolicy(policies[name], { cwd: "/tmp/sbx", home: "/root", realpath: (path) => path });
    expect(policy.evaluate({ action: "shell_exec", command }).decision).toBe(expected);
  });

  it("confines file actions by path component, and asks for the kinds in require_confirm", () => {
    const policy = createPolicy({ sandbox_root: "/tmp/sbx", require_confirm: ["write_file"] }, { realpath: (path) => path });
    expect(policy.evaluate({ action: "write_file", path: "/tmp/sbx2/x" })).toMatchObject({ decision: "deny", rule: "sandbox_root" });
    expect(policy.evaluate({ action: "delete_file", path: "../etc/x", cwd: "/tmp/sbx" })).toMatchObject({ decision: "deny" });
    expect(policy.evaluate({ action: "write_file", path: "notes.md" })).toMatchObject({
      decision: "confirm",
      rule: "require_confirm.write_file",
    });
    expect(policy.evaluate({ action: "read_file", path: "/etc/hostname" }).decision).toBe("allow");
  });

  it("applies custom forbid rules by program and argument patterns", () => {
    const policy = createPolicy({ forbid: [{ name: "no_force_push", program: "git", args: ["push", "--force*"] }] });
    expect(policy.evaluate({ action: "shell_exec", command: "git push --force-with-lease origin main" })).toMatchObject({
      decision: "deny",
      rule: "no_force_push",
    });
    expect(policy.evaluate({ action: "shell_exec", command: "sudo git push --force" }).decision).toBe("deny");
    expect(policy.evaluate({ action: "shell_exec", command: "git push origin main" }).decision).toBe("allow");
  });

  it("bounds the work on commands built to explode (nested function calls, nested loops): they are confirmed, not walked", () => {
    const policy = createPolicy({}, { cwd: "/tmp", home: "/root", realpath: (path) => path });
    const names = "abcdefghijklm".split("");
    const functions = names.slice(0, -1).map(
      (name, index) =>
        `${name}(){ ${Array(6)
          .fill(names[index + 1])
          .join("; ")}; }`,
    );
    const decision = policy.evaluate({ action: "shell_exec", command: `${functions.join("; ")}; m(){ rm -rf /; }; a` });
    expect(decision.decision).not.toBe("allow");
    expect(decision.reason).toMatch(/over 5000 commands/);
  });

  it("refuses settings it cannot enforce, naming each", () => {
    expect(() => createPolicy({ forbid: ["rm_rf_everything"] })).toThrow(ConfigError);
    expect(() => createPolicy({ authorized_commands_only: true })).toThrow(/allowed_commands/);
    expect(() => createPolicy({ require_confirm: ["shell"] })).toThrow(/require_confirm\.0/);
    expect(() => createPolicy({ sandbox_root: "relative/dir" })).toThrow(/absolute/);
  });
});
