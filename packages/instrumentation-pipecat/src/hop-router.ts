import { randomUUID } from "node:crypto";
import { context } from "@opentelemetry/api";
import type { Context, Tracer } from "@opentelemetry/api";
import { ClassCache } from "./class-cache.js";
import { FrameKind, Role, frameKindOf, isAudioKind, roleOf } from "./class-names.js";
import type { ConversationSettings } from "./config.js";
import { ConversationTracer } from "./conversation-tracer.js";
import type { DebugLog } from "./debug-log.js";
import type { ErrorReporter } from "./error-reporter.js";
import { DOWNSTREAM, UPSTREAM, type Clock, type Direction } from "./internal-types.js";
import { LinkLearner } from "./link-learner.js";
import { withRemoteParent } from "./remote-parent.js";
import type { ConversationEndReason } from "./listener.js";
import type { PipecatInstruments } from "./metrics/instruments.js";
import { SERVICE_ROLES } from "./span-dispatch.js";
import { SPAN_KINDS } from "./spans/registry.js";
import { hasField, readField, readString, toAttributes } from "./utils.js";

/** Where a conversation comes from: a task's run(), or a StartFrame leaving an unowned processor. */
interface ConversationOrigin {
  task: object | undefined;
  parentContext: Context;
  /** A task-less pipeline's StartFrame metadata (a task's is read from the task). */
  startMetadata?: unknown;
}

/**
 * What a new conversation starts with. Read at each start, so a new tracer provider or configuration
 * applies to the conversations that start after it.
 */
export interface ConversationSetup {
  readonly tracer: Tracer;
  /** The metric instruments; undefined while no MeterProvider is given (no metric work). */
  readonly instruments?: PipecatInstruments;
  settings(): ConversationSettings;
}

/** Bounds on what the router keeps alive (from the instrumentation's configuration). */
export interface ConversationLimits {
  /** A conversation without a task that has seen no hop for this long is ended; 0 never ends one. */
  idleTimeoutMs: number;
  /** Live conversations at most: a new one beyond that ends the oldest. */
  maxConversations: number;
}

/** Processors visited at most when claiming a task's pipeline (a guard against odd object graphs). */
const MAX_CLAIMED_PROCESSORS = 10_000;
const GRAPH_LINKS: ReadonlyArray<readonly [string, string]> = [
  ["next", "_next"],
  ["prev", "_prev"],
];
/**
 * Frames whose every hop the tracer needs, not only their first: a StartFrame spreads ownership, an
 * EndFrame's last hop ends the conversation, and the span kinds follow some frames hop by hop (an LLM
 * context frame to the LLM it reaches, text to the TTS that speaks it). A bit per kind, so the test on
 * every routed hop is a shift, not a Set lookup.
 */
const EVERY_HOP_KINDS: number = [
  FrameKind.START, FrameKind.END, ...SPAN_KINDS.flatMap((definition) => definition.everyHopFrames ?? []),
].reduce((mask: number, kind) => mask | (1 << kind), 0);
/** Frames that never start a conversation by themselves (they end one, or straggle after it ended). */
const NEVER_STARTS: ReadonlySet<FrameKind> = new Set<FrameKind>([FrameKind.END, FrameKind.CANCEL, FrameKind.ERROR]);
/** Hops that found no conversation before the "nothing traced" warning (a few, not one stray frame). */
const UNTRACED_HOPS_BEFORE_WARNING = 200;
/** Processors whose links are not under Pipecat's names (nor a mapped name): hops there are learned. */
const linksHidden = new ClassCache<boolean>(
  (processor) => !hasField(processor, "next", "_next") && !hasField(processor, "prev", "_prev"),
  false,
);
/** The longest delay a Node timer takes (longer ones fire at once). */
const MAX_TIMER_MS = 2 ** 31 - 1;

export function normaliseDirection(direction: unknown): Direction {
  return direction === UPSTREAM || direction === "upstream" || direction === "UPSTREAM" ? UPSTREAM : DOWNSTREAM;
}

/**
 * The processor a hop goes to: the source's next (downstream) or previous (upstream) processor; null when
 * the source exposes that link and it is empty (the end of the chain); undefined when the runtime keeps its
 * links private (e.g. `#next`), so nothing is known about where the chain ends.
 */
export function destinationOf(source: object, direction: Direction): object | null | undefined {
  const upstream = direction === UPSTREAM;
  const destination = upstream ? readField(source, "prev", "_prev") : readField(source, "next", "_next");
  if (destination !== null && typeof destination === "object") return destination;
  const exposed = upstream ? hasField(source, "prev", "_prev") : hasField(source, "next", "_next");
  return exposed ? null : undefined;
}

/** The conversation, if it has not ended (an ended one owns nothing any more). */
function live(tracer: ConversationTracer | undefined): ConversationTracer | undefined {
  return tracer !== undefined && !tracer.isEnded ? tracer : undefined;
}

/**
 * The hot path: every frame hop of every pipeline comes through `onPushFrame`. It classifies the frame
 * (cached per class), returns at once for frames no one needs, and hands the rest to the
 * ConversationTracer owning the pushing processor.
 *
 * Ownership: a task's conversation owns every processor of its pipeline when it starts running; a
 * StartFrame leaving an unowned processor (a runtime without a task) starts a conversation. Ownership then
 * travels two ways: with the StartFrame to the processor it is pushed to (when links are visible), and with
 * the frames themselves — an unowned processor pushing a frame a conversation already saw joins that
 * conversation — so a runtime that keeps its links private still gives one conversation per call.
 */
export class HopRouter {
  private readonly owners = new WeakMap<object, ConversationTracer>();
  private readonly frameOwners = new WeakMap<object, ConversationTracer>();
  private readonly tracerOfTask = new WeakMap<object, ConversationTracer>();
  /** Live conversations, oldest first. */
  private readonly live = new Set<ConversationTracer>();
  /** Live conversations without a task: only idleness ends one that is never sent an EndFrame. */
  private readonly taskless = new Set<ConversationTracer>();
  /** Live conversations whose listener takes audio: while there are none, audio hops return at once. */
  private readonly audioTracers = new Set<ConversationTracer>();
  /**
   * The classes of the user and bot audio frames last skipped. Audio is over 90% of all hops; while no
   * conversation takes audio, a hop of one of these classes leaves after comparing its constructor.
   */
  private quietInputAudio: unknown = undefined;
  private quietOutputAudio: unknown = undefined;
  private idleSweep: unknown = undefined;
  private readonly links = new LinkLearner();
  /** Conversations ever started, and hops that found none: a runtime nothing is traced of gets one warning. */
  private conversationsStarted = 0;
  private untracedHops = 0;
  /** Set by the instrumentation from its configuration. */
  debugLog: DebugLog | undefined;
  private limits: ConversationLimits;

  constructor(
    private readonly setup: ConversationSetup,
    private readonly clock: Clock,
    private readonly errors: ErrorReporter,
    limits: ConversationLimits,
  ) {
    this.limits = limits;
  }

  /** New limits apply at once: the idle check is re-armed for the new timeout. */
  setLimits(limits: ConversationLimits): void {
    this.limits = limits;
    if (this.idleSweep !== undefined) this.clock.clearTimer(this.idleSweep);
    this.idleSweep = undefined;
    this.armIdleSweep();
  }

  /** Kept small so that it inlines into the pushFrame wrapper: most hops end here. */
  onPushFrame(source: object, frame: unknown, rawDirection: unknown): void {
    if (this.debugLog !== undefined) this.logHop(source, frame, rawDirection);
    const frameClass = frame !== null && typeof frame === "object" ? frame.constructor : undefined;
    // (Before any audio is seen both are undefined, as is the class of a frame that has none: such a frame
    // is of no kind, and returns here as it would below.)
    if (frameClass === this.quietInputAudio || frameClass === this.quietOutputAudio) return;
    const kind = frameKindOf(frame);
    // Frames no one needs: nothing more to do.
    if (kind === FrameKind.OTHER) return;
    if (isAudioKind(kind)) {
      if (this.audioTracers.size !== 0) this.routeAudio(source, frame as object, kind);
      else if (kind === FrameKind.INPUT_AUDIO) this.quietInputAudio = frameClass;
      else this.quietOutputAudio = frameClass;
      return;
    }
    if (kind === FrameKind.UNRECOGNISED) {
      this.noteUnrecognised(source, frame as object);
      return;
    }
    this.route(source, frame as object, rawDirection, kind);
  }

  /**
   * One lookup of the frame answers both which conversation saw it and whether this conversation sees it
   * for the first time (the tracer acts on a frame once, however many processors pass it on).
   */
  private route(source: object, frame: object, rawDirection: unknown, kind: FrameKind): void {
    // A runtime whose links cannot be read: every hop teaches where the previous one went.
    const hidden = linksHidden.of(source);
    const learned = hidden ? this.links.hop(source, frame, normaliseDirection(rawDirection)) : undefined;
    // One lookup answers both "which live conversation saw this frame" and "is this its first sight".
    const seenBy = this.frameOwners.get(frame);
    const liveSeenBy = live(seenBy);
    const owner = this.owners.get(source);
    // A frame its conversation already saw, passed on by one of that conversation's processors (a
    // MetricsFrame or BotStartedSpeakingFrame crossing the pipeline): nothing new to learn.
    if (liveSeenBy !== undefined && owner === liveSeenBy && ((EVERY_HOP_KINDS >>> kind) & 1) === 0) return;
    const direction = normaliseDirection(rawDirection);
    const link = hidden ? undefined : destinationOf(source, direction);
    const destination = link ?? learned;
    let tracer = live(owner);
    if (tracer === undefined && liveSeenBy !== undefined) {
      // An unowned processor pushing a frame a live conversation already saw joins that conversation.
      this.owners.set(source, liveSeenBy);
      tracer = liveSeenBy;
    }
    if (kind === FrameKind.START) {
      tracer ??= this.ownerForStart(source, destination, frame);
      // Ownership spreads with the StartFrame.
      if (destination !== undefined && this.liveOwner(destination) !== tracer) this.owners.set(destination, tracer);
    } else if (tracer === undefined) {
      tracer = this.ownerForServiceFrame(source, frame, kind);
    }
    if (tracer === undefined) {
      this.untraced();
      return;
    }
    const firstSight = seenBy !== tracer;
    if (firstSight) this.frameOwners.set(frame, tracer);
    const chainEnd = hidden && kind === FrameKind.END && this.links.isChainEnd(source, direction);
    tracer.onHop(source, frame, direction, kind, destination, link !== undefined, firstSight, chainEnd);
  }

  /** An unrecognised frame class pushed by a service of a live conversation goes into its coverage report. */
  private noteUnrecognised(source: object, frame: object): void {
    if ((roleOf(source) & SERVICE_ROLES) === 0) return;
    this.liveOwner(source)?.unrecognisedFrame(source, frame);
  }

  /**
   * A pipeline started without a StartFrame or a task (by a method call): its conversation starts at the
   * first frame a service processor pushes that no conversation has seen — unless the processor belonged
   * to a task's conversation that ended (a task's pipeline is traced by its task, never again by itself).
   */
  private ownerForServiceFrame(source: object, frame: object, kind: FrameKind): ConversationTracer | undefined {
    if (NEVER_STARTS.has(kind) || (roleOf(source) & SERVICE_ROLES) === 0 || this.frameOwners.has(frame)) return undefined;
    if (this.owners.get(source)?.hasTask === true) return undefined;
    const tracer = this.newTracer({ task: undefined, parentContext: context.active() });
    this.owners.set(source, tracer);
    return tracer;
  }

  /**
   * Hops keep coming and nothing is traced: the runtime sent no StartFrame, ran no task, and no processor is
   * recognised as a service. Said once, with what to do.
   */
  private untraced(): void {
    if (this.conversationsStarted !== 0 || ++this.untracedHops !== UNTRACED_HOPS_BEFORE_WARNING) return;
    this.errors.warnOnce(
      "nothing-traced",
      `${UNTRACED_HOPS_BEFORE_WARNING} frame hops observed and no conversation started: the pipeline sent no ` +
        "StartFrame, ran no PipelineTask, and no processor pushing frames is recognised as an LLM, STT or TTS " +
        'service. Send a StartFrame when the pipeline starts, or map the runtime\'s service classes with the ' +
        '"runtimeMapping" option (e.g. runtimeMapping: { classes: { MyLlm: "LLMService" } }).',
    );
  }

  private logHop(source: object, frame: unknown, rawDirection: unknown): void {
    const direction = normaliseDirection(rawDirection);
    this.debugLog?.hop(source, destinationOf(source, direction), frame, direction);
  }

  /** Audio goes only to a conversation whose listener takes it (a session that records). */
  private routeAudio(source: object, frame: object, kind: FrameKind): void {
    const tracer = this.liveOwner(source);
    if (tracer !== undefined && tracer.wantsAudio) tracer.onAudio(frame, kind);
  }

  /** A task starts running: one conversation for it, owning every processor of its pipeline (claimed once). */
  beginTask(task: object, parentContext: Context): ConversationTracer | undefined {
    const running = this.tracerOfTask.get(task);
    if (running !== undefined && !running.isEnded) return undefined;
    const tracer = this.newTracer({ task, parentContext });
    this.tracerOfTask.set(task, tracer);
    this.claimGraph(task, tracer);
    return tracer;
  }

  /** The live conversation a processor (or service) belongs to. */
  liveOwner(processor: object): ConversationTracer | undefined {
    return live(this.owners.get(processor));
  }

  /** Ends every conversation in progress (the instrumentation is being disabled). */
  endAll(reason: ConversationEndReason): void {
    for (const tracer of [...this.live]) tracer.end(reason);
  }

  /**
   * An unowned processor pushes a StartFrame no conversation has seen. If a neighbour belongs to a live
   * conversation (a processor linked into a running pipeline after it started) the processor joins it —
   * two lookups, where walking every running task's graph again would cost a graph per task. Otherwise
   * (a runtime with only processors and pipelines) the StartFrame starts a conversation, in the context of
   * whoever pushed it.
   */
  private ownerForStart(source: object, destination: object | undefined, frame: object): ConversationTracer {
    const upstream = destinationOf(source, UPSTREAM);
    const neighbourOwner =
      (destination !== undefined ? this.liveOwner(destination) : undefined) ??
      (upstream !== null && upstream !== undefined ? this.liveOwner(upstream) : undefined);
    const tracer =
      neighbourOwner ??
      this.newTracer({ task: undefined, parentContext: context.active(), startMetadata: readField(frame, "metadata", "metadata") });
    this.owners.set(source, tracer);
    return tracer;
  }

  private newTracer(origin: ConversationOrigin): ConversationTracer {
    this.makeRoom();
    this.conversationsStarted += 1;
    const { task } = origin;
    const tracer = new ConversationTracer({
      tracer: this.setup.tracer,
      instruments: this.setup.instruments,
      parentContext: withRemoteParent(origin.parentContext, origin.startMetadata ?? readField(task, "startMetadata", "start_metadata")),
      conversationId: readString(task, "conversationId", "conversation_id") ?? randomUUID(),
      additionalAttributes: toAttributes(readField(task, "additionalSpanAttributes", "additional_span_attributes")),
      settings: this.setup.settings(),
      clock: this.clock,
      errors: this.errors,
      task,
      onEnded: (ended) => {
        this.live.delete(ended);
        this.taskless.delete(ended);
        this.audioTracers.delete(ended);
        void this.debugLog?.flush();
      },
      onAudioStopped: (stopped) => this.audioTracers.delete(stopped),
    });
    this.live.add(tracer);
    if (tracer.wantsAudio) {
      this.audioTracers.add(tracer);
      this.quietInputAudio = undefined;
      this.quietOutputAudio = undefined;
    }
    if (origin.task === undefined) {
      this.taskless.add(tracer);
      this.armIdleSweep();
    }
    return tracer;
  }

  /** At the limit of live conversations, the oldest ends: a leak (pipelines never ended) stays bounded. */
  private makeRoom(): void {
    const max = this.limits.maxConversations;
    for (const oldest of [...this.live]) {
      if (this.live.size < max) return;
      this.errors.warnOnce(
        "max-conversations",
        `more than ${max} conversations at once: ending the oldest (end reason "max_conversations"). ` +
          'Raise the "maxConversations" option if this process really runs that many calls.',
      );
      oldest.end("max_conversations");
    }
  }

  /**
   * Idle conversations are found by a periodic check of each one's last hop time, never by a timer per hop:
   * the timer runs (unref'd) only while conversations without a task are live.
   */
  private armIdleSweep(): void {
    const idleTimeoutMs = this.limits.idleTimeoutMs;
    if (this.idleSweep !== undefined || idleTimeoutMs === 0 || this.taskless.size === 0) return;
    const periodMs = Math.min(MAX_TIMER_MS, Math.max(1, Math.ceil(idleTimeoutMs / 4)));
    this.idleSweep = this.clock.setTimer(() => {
      this.idleSweep = undefined;
      try {
        this.endIdle();
      } catch (error) {
        this.errors.report("idle check", error);
      }
      this.armIdleSweep();
    }, periodMs);
  }

  private endIdle(): void {
    const idleTimeoutMs = this.limits.idleTimeoutMs;
    if (idleTimeoutMs === 0) return;
    const cutoffMs = this.clock.now() - idleTimeoutMs;
    for (const tracer of [...this.taskless]) {
      // It ended when it was last seen: no span is stretched over the idle time.
      if (tracer.lastActivityMs <= cutoffMs) tracer.end("idle_timeout", undefined, tracer.lastActivityMs);
    }
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
