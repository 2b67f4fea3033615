/**
 * The time limits of commands in flight, on one shared timer. A `setTimeout` per command costs about as much
 * as the rest of a quick command's bookkeeping: Node drops its list of timers of one length when the list
 * empties and builds it again, with a call into libuv, for the next command. Here a limit is an entry in a
 * queue per length (entries of one length expire in the order they were added), and the timer is set
 * again only for a deadline earlier than the one it waits for; one whose entry was cancelled fires once
 * for nothing and sets itself for the next. The timer keeps the process alive only while a limit runs.
 */

export interface Deadline {
  /** The command ended first: its expiry never runs. */
  cancel(): void;
}

class Entry implements Deadline {
  constructor(
    readonly at: number,
    public expire: (() => void) | undefined,
    private readonly queue: Queue,
  ) {}

  cancel(): void {
    if (this.expire === undefined) return;
    this.expire = undefined;
    this.queue.live--;
    live--;
    this.queue.dropEnded();
    if (live === 0) timer?.unref();
  }
}

/** The limits of one length, in the order they expire. */
class Queue {
  entries: Entry[] = [];
  head = 0;
  live = 0;

  constructor(private readonly ms: number) {}

  /** Drops the ended entries in front, and those behind a long-running one once they outnumber the live. */
  dropEnded(): void {
    while (this.head < this.entries.length && this.entries[this.head]?.expire === undefined) this.head++;
    if (this.head === this.entries.length) {
      if (queues.get(this.ms) === this) queues.delete(this.ms);
    } else if (this.entries.length - this.head > 2 * this.live + compactAbove) {
      this.entries = this.entries.slice(this.head).filter((entry) => entry.expire !== undefined);
      this.head = 0;
    }
  }
}

/** Ended entries a queue may hold before it is compacted. */
const compactAbove = 1024;

const queues = new Map<number, Queue>();
let live = 0;
let timer: NodeJS.Timeout | undefined;
/** When `timer` fires (performance.now()). */
let armedAt = Number.POSITIVE_INFINITY;

/** Runs `expire` once `ms` milliseconds have passed, unless the deadline is cancelled first. */
export function afterDeadline(ms: number, expire: () => void): Deadline {
  const at = performance.now() + ms;
  let queue = queues.get(ms);
  if (!queue) {
    queue = new Queue(ms);
    queues.set(ms, queue);
  }
  const entry = new Entry(at, expire, queue);
  queue.entries.push(entry);
  queue.live++;
  live++;
  if (live === 1) timer?.ref();
  if (timer === undefined || at < armedAt) arm(at);
  return entry;
}

function arm(at: number): void {
  clearTimeout(timer);
  armedAt = at;
  timer = setTimeout(fire, Math.max(1, Math.ceil(at - performance.now())));
}

function fire(): void {
  timer = undefined;
  armedAt = Number.POSITIVE_INFINITY;
  const now = performance.now();
  const due: Array<() => void> = [];
  let next = Number.POSITIVE_INFINITY;
  for (const queue of [...queues.values()]) {
    for (let entry = queue.entries[queue.head]; entry !== undefined; entry = queue.entries[queue.head]) {
      if (entry.expire !== undefined && entry.at > now) {
        next = Math.min(next, entry.at);
        break;
      }
      if (entry.expire !== undefined) {
        due.push(entry.expire);
        entry.expire = undefined;
        queue.live--;
        live--;
      }
      queue.head++;
    }
    queue.dropEnded();
  }
  if (next !== Number.POSITIVE_INFINITY) arm(next);
  for (const expire of due) expire();
}
