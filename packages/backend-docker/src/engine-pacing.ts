import { isConnectionError } from "./engine-errors.js";

/**
 * Containers one engine connection creates and starts at once. More wait their turn: an engine asked for
 * a hundred at once resets connections (measured here: 62 of 100 failed with "the engine closed the
 * connection"), while queued they all start.
 */
const concurrentCreations = 8;
/** By engine address: every environment has a client of its own, and they share the engine. */
const queues = new Map<string, Slots>();

class Slots {
  private free = concurrentCreations;
  private readonly waiting: Array<() => void> = [];

  async run<T>(body: () => Promise<T>): Promise<T> {
    if (this.free > 0) this.free--;
    else await new Promise<void>((resolve) => this.waiting.push(resolve));
    try {
      return await body();
    } finally {
      const next = this.waiting.shift();
      if (next) next();
      else this.free++;
    }
  }
}

/** Runs a container's creation in the queue of the engine at `address`. */
export function paced<T>(address: string, body: () => Promise<T>): Promise<T> {
  let slots = queues.get(address);
  if (!slots) {
    slots = new Slots();
    queues.set(address, slots);
  }
  return slots.run(body);
}

/** Delays between attempts: about 12 s in all, after which an engine that still resets is called gone. */
const retryDelaysMs = [200, 400, 800, 1600, 3200, 6000];

/**
 * `call`, again after a dropped connection (the engine was busy, or restarting), while the delays last; any
 * other failure, and the last dropped connection, is thrown as it is. `again` is told the attempt number
 * before each retry (a create that did happen shows up as a name conflict on the next attempt).
 */
export async function retryingDroppedConnections<T>(call: (attempt: number) => Promise<T>): Promise<T> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await call(attempt);
    } catch (error) {
      const delay = retryDelaysMs[attempt - 1];
      if (!isConnectionError(error) || delay === undefined || (error as { code?: string }).code === "EACCES") throw error;
      await new Promise((resolve) => setTimeout(resolve, delay * (0.75 + Math.random() / 2)));
    }
  }
}
