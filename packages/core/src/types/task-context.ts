/** What a call is for; the router (and the policy engine) decide from it. */
export interface TaskContext {
  /** e.g. "code_edit", "test", "data_processing". */
  kind?: string;
  /** Main language of the task, e.g. "python". */
  language?: string;
  /** Size of the data the task works on, in megabytes. */
  sizeMb?: number;
  /** True when the task was started by a schedule rather than a person. */
  cronTriggered?: boolean;
  /** When the task runs; defaults to now. */
  at?: Date;
  labels?: Record<string, string>;
}
