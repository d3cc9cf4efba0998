import { context } from "@opentelemetry/api";
import type { Context } from "@opentelemetry/api";
import { FrameKind, Role, frameKindOf, isAudioKind, roleOf } from "./class-names.js";
import type { ConversationTracer } from "./conversation-tracer.js";
import type { DebugLog } from "./debug-log.js";
import { DOWNSTREAM, UPSTREAM, type ConversationEndReason, type Direction } from "./internal-types.js";
import { readField } from "./utils.js";

/** Where a conversation comes from: a task's run(), or a StartFrame leaving an unowned processor. */
export interface ConversationOrigin {
  task: object | undefined;
  parentContext: Context;
}

export type TracerFactory = (origin: ConversationOrigin, onEnded: (tracer: ConversationTracer) => void) => ConversationTracer;

/** Processors visited at most when claiming a task's pipeline (a guard against odd object graphs). */
const MAX_CLAIMED_PROCESSORS = 10_000;
const GRAPH_LINKS: ReadonlyArray<readonly [string, string]> = [
  ["next", "_next"],
  ["prev", "_prev"],
];

export function normaliseDirection(direction: unknown): Direction {
  return direction === UPSTREAM || direction === "upstream" || direction === "UPSTREAM" ? UPSTREAM : DOWNSTREAM;
}

export function destinationOf(source: object, direction: Direction): object | undefined {
  const destination = direction === UPSTREAM ? readField(source, "prev", "_prev") : readField(source, "next", "_next");
  return destination !== null && typeof destination === "object" ? destination : undefined;
}

/**
 * The hot path: every frame hop of every pipeline comes through `onPushFrame`. It classifies the frame
 * (a WeakMap lookup per class), returns at once for frames no one needs, and hands the rest to the
 * ConversationTracer owning the pushing processor. Ownership is a WeakMap from processor to tracer,
 * filled when a task starts running (its whole pipeline) and spread by StartFrames to every processor
 * they reach, so runtimes without a task are traced too.
 */
export class HopRouter {
  private readonly owners = new WeakMap<object, ConversationTracer>();
  private readonly tracerOfTask = new WeakMap<object, ConversationTracer>();
  private readonly runningTasks = new Map<ConversationTracer, object>();
  private readonly live = new Set<ConversationTracer>();
  /** Set by the instrumentation from its configuration. */
  debugLog: DebugLog | undefined;
  /** Live conversations whose session capture takes audio: while zero, audio hops return at once. */
  private audioListeners = 0;

  constructor(private readonly createTracer: TracerFactory) {}

  onPushFrame(source: object, frame: unknown, rawDirection: unknown): void {
    const kind = frameKindOf(frame);
    const log = this.debugLog;
    if (log !== undefined) {
      const direction = normaliseDirection(rawDirection);
      log.hop(source, destinationOf(source, direction), frame, direction);
    }
    if (kind === FrameKind.OTHER) return;
    if (isAudioKind(kind)) {
      if (this.audioListeners === 0) return;
      const tracer = this.liveOwner(source);
      if (tracer !== undefined && tracer.wantsAudio) tracer.onAudio(frame as object, kind);
      return;
    }
    const direction = normaliseDirection(rawDirection);
    const destination = destinationOf(source, direction);
    let tracer = this.liveOwner(source);
    if (kind === FrameKind.START) {
      tracer ??= this.ownerForStart(source, destination);
      // Ownership spreads with the StartFrame.
      if (destination !== undefined && this.liveOwner(destination) !== tracer) this.owners.set(destination, tracer);
    }
    if (tracer !== undefined) tracer.onHop(source, frame as object, direction, kind, destination);
  }

  /** A task starts running: one conversation for it, owning every processor of its pipeline. */
  beginTask(task: object, parentContext: Context): ConversationTracer | undefined {
    const running = this.tracerOfTask.get(task);
    if (running !== undefined && !running.isEnded) return undefined;
    const tracer = this.newTracer({ task, parentContext });
    this.tracerOfTask.set(task, tracer);
    this.runningTasks.set(tracer, task);
    this.claimGraph(task, tracer);
    return tracer;
  }

  /** The live conversation a processor (or service) belongs to. */
  liveOwner(processor: object): ConversationTracer | undefined {
    const tracer = this.owners.get(processor);
    return tracer !== undefined && !tracer.isEnded ? tracer : undefined;
  }

  private ownerForStart(source: object, destination: object | undefined): ConversationTracer {
    const downstreamOwner = destination !== undefined ? this.liveOwner(destination) : undefined;
    if (downstreamOwner !== undefined) {
      this.owners.set(source, downstreamOwner);
      return downstreamOwner;
    }
    // A running task whose pipeline was re-linked after run() began: claim its graph again.
    for (const [tracer, task] of this.runningTasks) {
      this.claimGraph(task, tracer);
      const owner = this.liveOwner(source);
      if (owner !== undefined) return owner;
    }
    // No task (a runtime with only processors and pipelines): the StartFrame starts the conversation,
    // in the context of whoever pushed it.
    const tracer = this.newTracer({ task: undefined, parentContext: context.active() });
    this.owners.set(source, tracer);
    return tracer;
  }

  /** Ends every conversation in progress (the instrumentation is being disabled). */
  endAll(reason: ConversationEndReason): void {
    for (const tracer of [...this.live]) tracer.end(reason);
  }

  private newTracer(origin: ConversationOrigin): ConversationTracer {
    const tracer = this.createTracer(origin, (ended) => {
      this.live.delete(ended);
      this.runningTasks.delete(ended);
      if (ended.wantsAudio) this.audioListeners--;
    });
    this.live.add(tracer);
    if (tracer.wantsAudio) this.audioListeners++;
    return tracer;
  }

  /** Marks every processor reachable from the task (pipeline, nested processors, links) as the tracer's. */
  private claimGraph(task: object, tracer: ConversationTracer): void {
    const queue: unknown[] = [readField(task, "pipeline", "_pipeline")];
    if ((roleOf(task) & Role.PROCESSOR) !== 0) queue.push(task);
    const visited = new Set<object>();
    while (queue.length > 0 && visited.size < MAX_CLAIMED_PROCESSORS) {
      const node = queue.pop();
      if (node === null || typeof node !== "object" || visited.has(node)) continue;
      visited.add(node);
      if ((roleOf(node) & Role.PROCESSOR) === 0) continue;
      this.owners.set(node, tracer);
      const children = readField(node, "processors", "_processors");
      if (Array.isArray(children)) queue.push(...children);
      for (const [camel, snake] of GRAPH_LINKS) queue.push(readField(node, camel, snake));
    }
  }
}
