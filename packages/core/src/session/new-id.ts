import { randomBytes } from "node:crypto";

let randomPool = Buffer.alloc(0);
let randomOffset = 0;

/**
 * Random 16-hex-digit id; also the shell's nonce that makes protocol markers unguessable. Drawn from
 * a pool filled 4 KiB at a time: one getrandom call per exec showed up in the per-command cost.
 */
export function newId(): string {
  if (randomOffset + 8 > randomPool.length) {
    randomPool = randomBytes(4096);
    randomOffset = 0;
  }
  randomOffset += 8;
  return randomPool.toString("hex", randomOffset - 8, randomOffset);
}
