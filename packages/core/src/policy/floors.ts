import type { CommandFacts, ExecFact } from "./shell/command-facts.js";
import { options } from "./shell/option-parser.js";
import { deny, type Verdict } from "./shell-rules.js";

/** Block devices (by kernel name, by id, by major:minor): writing to one destroys what is on it. */
const blockDevice =
  /^\/dev\/(sd[a-z]+\d*|hd[a-z]+\d*|vd[a-z]+\d*|xvd[a-z]+\d*|nvme\d+(n\d+(p\d+)?)?|mmcblk\d+(p\d+)?|dm-\d+|md\d+|md\/|loop\d+|nbd\d+|rbd\d+|zram\d+|bcache\d+|sr\d+|ram\d+|mapper\/|disk\/|block\/|root$)/;
/** Programs that make a filesystem: every `mkfs.*` and the older names. */
const filesystemMakers = /^(mkfs(\..+)?|mke2fs|mkswap|mkdosfs|mkntfs|mkexfatfs|mkexfat|mkreiserfs|mkudffs|mkjfs|mkfs_xfs)$/;
/** Partition editors, and the options with which each only reads. */
const partitionEditors: Record<string, RegExp | undefined> = {
  fdisk: /^(-l|--list|-s|--getsz|-V|--version|-h|--help)$/,
  sfdisk: /^(-l|--list|-d|--dump|-J|--json|-s|--show-size|-V|--verify|-g|--show-geometry|--list-free|-F|-v|--version|-h|--help)$/,
  cfdisk: undefined,
  gdisk: /^(-l)$/,
  sgdisk: /^(-p|--print|-i|--info|-v|--verify|-O|--print-mbr|-V|--version|-h|--help)$/,
  parted: /^(-l|--list|print|-v|--version|-h|--help)$/,
};
/** Programs that wipe or discard a device whatever their options (those of wipefs that only list are checked). */
const deviceWipers = new Set(["blkdiscard", "zpool-destroy"]);
/** Storage tools and the uses that destroy data: a secure erase, a format, a wiped superblock or volume. */
const destroys: Record<string, (words: string[]) => boolean> = {
  hdparm: (words) =>
    words.some((word) =>
      /^--(security-erase(-enhanced)?|trim-sector-ranges(-stdin)?|write-sector|make-bad-sector|dco-restore)$/.test(word),
    ),
  nvme: (words) => ["format", "sanitize", "delete-ns"].includes(words[0] ?? ""),
  badblocks: (words) => words.some((word) => /^-[a-zA-Z]*w/.test(word)),
  mdadm: (words) => words.some((word) => /^(--zero-superblock|--create|-C|--build|-B)$/.test(word)),
  cryptsetup: (words) => ["luksFormat", "erase", "luksErase", "reencrypt"].includes(words.find((word) => !word.startsWith("-")) ?? ""),
  lvremove: () => true,
  vgremove: () => true,
  pvremove: () => true,
  zpool: (words) => ["destroy", "labelclear"].includes(words[0] ?? ""),
  zfs: (words) => words[0] === "destroy",
  sg_format: () => true,
  sg_sanitize: () => true,
};

/** systemctl verbs and targets that stop or reboot the machine (or leave only a rescue shell). */
const powerVerbs = new Set([
  "poweroff",
  "reboot",
  "halt",
  "kexec",
  "suspend",
  "hibernate",
  "hybrid-sleep",
  "suspend-then-hibernate",
  "emergency",
  "rescue",
  "soft-reboot",
]);
const powerTarget =
  /^(poweroff|reboot|halt|kexec|shutdown|suspend|hibernate|hybrid-sleep|emergency|rescue|sleep|soft-reboot|runlevel[016])(\.target)?$/;

/**
 * The floor Hermes never lets through, by effect rather than by one spelling: writing a block device (dd,
 * cat, tee, cp, shred, wipefs, blkdiscard, every mkfs, partition editors), fork bombs of any shape, signalling
 * every process (`kill -1`, killall5, a pkill that matches everything), and stopping the machine (shutdown,
 * systemctl and loginctl power verbs and targets, init levels, the sysrq trigger).
 */
export function hermesFloor(facts: CommandFacts): Verdict[] {
  const verdicts: Verdict[] = [];
  if (facts.forkBomb)
    verdicts.push(deny("fork_bomb", "the command defines functions that start themselves in a pipe or in the background: a fork bomb."));
  for (const fact of facts.paths) {
    if (fact.operation === "write" || fact.operation === "delete") {
      if (fact.path !== null && blockDevice.test(fact.path)) {
        verdicts.push(deny("dd_to_device", `${fact.program} would write to the block device ${fact.path}, destroying what is on it.`));
      } else if (fact.path === "/proc/sysrq-trigger") {
        verdicts.push(
          deny("shutdown", `${fact.program} would write to /proc/sysrq-trigger, which can reboot, power off or crash the machine.`),
        );
      }
    }
  }
  for (const exec of facts.execs) verdicts.push(...execFloor(exec));
  return verdicts;
}

function execFloor(exec: ExecFact): Verdict[] {
  const program = exec.program ?? "";
  const args = exec.args;
  const words = args.filter((arg): arg is string => arg !== null);
  const devices = words.filter((word) => blockDevice.test(word));
  // A filesystem in an image file is harmless; on a device, an unknown path or none, it erases the device.
  if (filesystemMakers.test(program) && !(words.length > 0 && args.every((arg) => arg !== null) && operandsAreFiles(args))) {
    return [deny("mkfs", `${program} creates a filesystem, erasing the device.`)];
  }
  if (program in partitionEditors) {
    const readOnly = partitionEditors[program];
    if (!(readOnly && words.some((word) => readOnly.test(word))))
      return [deny("dd_to_device", `${program} rewrites the partition table of ${devices[0] ?? "a disk"}.`)];
  }
  if (
    program === "wipefs" &&
    words.some((word) => /^(-a|--all|-o|--offset|-[a-zA-Z]*a[a-zA-Z]*)$/.test(word)) &&
    !words.some((word) => /^(-n|--no-act)$/.test(word))
  ) {
    return [deny("dd_to_device", `wipefs would erase the signatures on ${devices[0] ?? "a device"}.`)];
  }
  if (deviceWipers.has(program)) return [deny("dd_to_device", `${program} discards every block of ${devices[0] ?? "a device"}.`)];
  if (destroys[program]?.(words))
    return [deny("dd_to_device", `${program} ${words.join(" ")} destroys the data on ${devices[0] ?? "a storage device"}.`)];
  // `shutdown -c` cancels a pending shutdown.
  if (
    ["shutdown", "reboot", "halt", "poweroff", "openrc-shutdown"].includes(program) &&
    !(program === "shutdown" && words.includes("-c"))
  ) {
    return [deny("shutdown", `${program} would stop the machine.`)];
  }
  if ((program === "init" || program === "telinit") && /^[06sS1]$/.test(words[0] ?? "")) {
    return [deny("shutdown", `${program} ${words[0]} would stop the machine or drop it to single-user mode.`)];
  }
  if (program === "systemctl" || program === "loginctl") {
    const operands = options(args).operands.filter((arg): arg is string => arg !== null);
    const [verb = "", ...targets] = operands;
    if (powerVerbs.has(verb) || (["isolate", "start", "restart"].includes(verb) && targets.some((target) => powerTarget.test(target)))) {
      return [deny("shutdown", `${program} ${operands.join(" ")} would stop the machine.`)];
    }
  }
  if (program === "kexec" && words.some((word) => word === "-e" || word === "--exec"))
    return [deny("shutdown", "kexec -e reboots into another kernel.")];
  if (
    words.some((word) => /\b(PowerOff|Reboot|Halt|Suspend)\b/.test(word)) &&
    ["dbus-send", "busctl", "gdbus", "qdbus"].includes(program)
  ) {
    return [deny("shutdown", `${program} asks the system to stop the machine.`)];
  }
  if (program === "killall5" && !words.includes("-l")) return [deny("kill_all", "killall5 signals every process.")];
  if (program === "kill" && killsEverything(args)) return [deny("kill_all", "kill -1 signals every process the user may signal.")];
  if ((program === "pkill" || program === "killall") && matchesEveryProcess(args, program)) {
    return [deny("kill_all", `${program} ${words.join(" ")} matches every process.`)];
  }
  return [];
}

/** The operands (not options, not option values such as `-t ext4`) name files outside /dev. */
function operandsAreFiles(args: Array<string | null>): boolean {
  const operands = options(args, {
    values: [
      "-t",
      "-L",
      "-O",
      "-b",
      "-C",
      "-E",
      "-F",
      "-g",
      "-G",
      "-i",
      "-I",
      "-j",
      "-J",
      "-l",
      "-m",
      "-M",
      "-N",
      "-o",
      "-r",
      "-T",
      "-U",
      "-n",
      "-s",
      "-c",
      "-p",
      "-d",
    ],
  }).operands;
  const files = operands.filter((operand): operand is string => operand !== null && !/^\d+$/.test(operand));
  return files.length > 0 && files.every((file) => !file.startsWith("/dev/") && !/^(\/|\.\.?\/)?dev\//.test(file));
}

function killsEverything(args: Array<string | null>): boolean {
  let index = 0;
  if (args[0] === "-s" || args[0] === "-n") index = 2;
  else if (args[0] !== undefined && args[0] !== null && /^-([A-Za-z]+|\d+)$/.test(args[0]) && args.length > 1) index = 1;
  if (args[index] === "--") index++;
  return args.slice(index).some((arg) => arg === "-1") || (args.length === 1 && args[0] === "-1");
}

/** A pattern (or none, with -u) that every process name matches, or `-v` of one that matches few. */
function matchesEveryProcess(args: Array<string | null>, program: string): boolean {
  const parsed = options(args, {
    values: [
      "-u",
      "--user",
      "-U",
      "--uid",
      "-g",
      "--pgroup",
      "-G",
      "--group",
      "-P",
      "--parent",
      "-s",
      "--session",
      "-t",
      "--terminal",
      "-F",
      "--pidfile",
      "--signal",
      "-o",
      "--older",
      "-y",
      "--younger",
      "-n",
      "--ns",
      "--nslist",
    ],
  });
  const signal = /^-(\d+|[A-Z]+)$/;
  const patterns = parsed.operands.filter((operand) => operand !== null && !signal.test(operand));
  if (parsed.flags.has("-v") || parsed.flags.has("--inverse")) return true;
  const byUser = parsed.values.has("-u") || parsed.values.has("--user") || parsed.values.has("-U");
  if (patterns.length === 0) return program === "pkill" ? byUser : byUser || parsed.flags.has("-r");
  return patterns.some((pattern) => {
    if (pattern === null) return false;
    try {
      const regex = new RegExp(pattern);
      return ["zq9x-hermes", "bash", "init"].every((name) => regex.test(name));
    } catch {
      return false;
    }
  });
}
