import { BaseObject } from "../utils/base-object.js";
import { optionError, optionsObject } from "../utils/validate.js";
import type { PipelineTask } from "./task.js";

export interface PipelineRunnerOptions {
  name?: string;
  /** Cancel the running tasks on Ctrl-C (the handler is removed when they finish). Default false. */
  handleSigint?: boolean;
}

/** Runs pipeline tasks to completion. */
export class PipelineRunner extends BaseObject {
  readonly handleSigint: boolean;
  readonly #running = new Set<PipelineTask>();

  constructor(options?: PipelineRunnerOptions) {
    const opts = optionsObject("PipelineRunner", options);
    super(opts.name);
    if (opts.handleSigint !== undefined && typeof opts.handleSigint !== "boolean") {
      throw optionError(this.name, "handleSigint", "true or false", opts.handleSigint);
    }
    this.handleSigint = opts.handleSigint ?? false;
  }

  async run(task: PipelineTask): Promise<void> {
    if (task === null || typeof task !== "object" || typeof task.run !== "function") {
      throw optionError(this.name, "task", "a PipelineTask", task);
    }
    const onSigint = (): void => {
      void task.cancel("SIGINT");
    };
    if (this.handleSigint) process.on("SIGINT", onSigint);
    this.#running.add(task);
    try {
      await task.run();
    } finally {
      this.#running.delete(task);
      if (this.handleSigint) process.off("SIGINT", onSigint);
    }
  }

  /** Cancels every task this runner is running. */
  async cancel(): Promise<void> {
    await Promise.all([...this.#running].map((task) => task.cancel("runner cancelled")));
  }
}
