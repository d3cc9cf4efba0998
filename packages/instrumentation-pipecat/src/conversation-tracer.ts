import type { Attributes, Context, Tracer } from "@opentelemetry/api";
import {
  ATTR_CONVERSATION_END_REASON,
  ATTR_CONVERSATION_ID,
  ATTR_CONVERSATION_TYPE,
  ATTR_GEN_AI_CONVERSATION_ID,
  ATTR_TURN_DURATION_SECONDS,
  ATTR_TURN_ENDED_BY_CONVERSATION_END,
  ATTR_TURN_NUMBER,
  ATTR_TURN_TYPE,
  ATTR_TURN_WAS_INTERRUPTED,
  CONVERSATION_TYPE_VOICE,
  SPAN_CONVERSATION,
  SPAN_TURN,
  TURN_TYPE_CONVERSATION,
} from "@respan/semconv-pipecat";
import { FrameKind, MetricKind, Role, metricKindOf, roleOf } from "./class-names.js";
import type { ConversationSettings } from "./config.js";
import { ContentPolicy } from "./content.js";
import { CoverageReport, reportCoverage } from "./coverage.js";
import type { ErrorReporter } from "./error-reporter.js";
import { ConversationMetrics } from "./metrics/conversation-metrics.js";
import type { PipecatInstruments } from "./metrics/instruments.js";
import { DOWNSTREAM, type Clock, type Direction } from "./internal-types.js";
import type { ConversationEndReason, ConversationInfo, ConversationListener, TurnInfo } from "./listener.js";
import { RecentSet } from "./recent.js";
import type { ServiceCall } from "./service-calls.js";
import { EVERY_HOP_HANDLERS, FIRST_HOP_HANDLERS, SERVICE_ROLES, USAGE_HANDLERS } from "./span-dispatch.js";
import { SPAN_KINDS } from "./spans/registry.js";
import { processorName } from "./spans/service-attributes.js";
import type { ConversationScope, ServiceCallDefinition, SpanKindTracker } from "./spans/span-kind.js";
import { SpanFactory, type TracedSpan } from "./spans/traced-span.js";
import { TurnLatency } from "./turn-latency.js";
import { TurnTracker, type TurnEnd } from "./turn-tracker.js";
import { readBoolean, readField, readNumber, secondsBetween } from "./utils.js";

/** After an EndFrame reaches a processor with nothing after it, how long to wait for it to go further. */
export const END_OF_CHAIN_SETTLE_MS = 1000;
/** The longest a conversation stays open after an EndFrame was last seen (runtimes that swallow EndFrames). */
export const END_FRAME_FALLBACK_MS = 30_000;
/** Broadcast sibling ids remembered to skip the second copy of a broadcast frame. */
const MAX_PENDING_SIBLINGS = 256;

export interface ConversationTracerOptions {
  tracer: Tracer;
  /** The instruments the conversation's metrics are recorded with (none: no metrics). */
  instruments?: PipecatInstruments;
  /** The caller's context when the conversation started (propagated attributes, an enclosing workflow). */
  parentContext: Context;
  conversationId: string;
  /** The task's `additionalSpanAttributes`, set on the conversation span. */
  additionalAttributes?: Attributes;
  settings: ConversationSettings;
  clock: Clock;
  errors: ErrorReporter;
  task?: object;
  onEnded?: (tracer: ConversationTracer) => void;
  /** The listener stopped taking audio mid-call (its session stopped recording). */
  onAudioStopped?: (tracer: ConversationTracer) => void;
}

/**
 * The state machine behind one conversation's trace. It is fed frame hops (and the service calls it is
 * told about) and emits the `conversation` and `turn` spans itself; every other span comes from the span
 * kinds registered in spans/registry.ts, which it drives through one interface (spans/span-kind.ts) and
 * knows none of by name. It knows nothing of any runtime: frames and processors are recognised by class
 * name and read tolerantly. All parents are explicit, from this conversation's own state; the ambient
 * context is never consulted.
 */
export class ConversationTracer implements ConversationScope {
  readonly conversationId: string;
  readonly clock: Clock;
  readonly factory: SpanFactory;
  readonly latestGenAi: boolean;
  private readonly errors: ErrorReporter;
  private readonly conversation: TracedSpan;
  private readonly info: ConversationInfo;
  private readonly listener: ConversationListener | undefined;
  private readonly turns: TurnTracker;
  /** One tracker per registered span kind, in SPAN_KINDS order. */
  private readonly kinds: SpanKindTracker[];
  private turn: { span: TracedSpan; latency: TurnLatency; info: TurnInfo } | undefined;
  private speaking = false;
  private speechStart: number | undefined;
  private readonly skipSiblingIds = new RecentSet<unknown>(MAX_PENDING_SIBLINGS);
  private readonly seenAudio = new WeakSet<object>();
  private readonly servicesByName = new Map<string, object>();
  private readonly coverage: CoverageReport;
  private endTimer: unknown = undefined;
  private ended = false;
  private audioStopped = false;
  private lastActivity: number;
  private readonly onEnded: ((tracer: ConversationTracer) => void) | undefined;
  private readonly onAudioStopped: ((tracer: ConversationTracer) => void) | undefined;

  constructor(options: ConversationTracerOptions) {
    const { settings } = options;
    this.conversationId = options.conversationId;
    this.clock = options.clock;
    this.latestGenAi = settings.latestGenAi;
    this.errors = options.errors;
    this.onEnded = options.onEnded;
    this.onAudioStopped = options.onAudioStopped;
    const content = new ContentPolicy(settings.captureContent, settings.maxContentLength);
    this.coverage = new CoverageReport(settings.captureContent);
    this.factory = new SpanFactory(
      options.tracer,
      content,
      settings.attributeHook,
      options.errors,
      { [ATTR_CONVERSATION_ID]: this.conversationId, [ATTR_GEN_AI_CONVERSATION_ID]: this.conversationId },
      options.instruments === undefined ? undefined : new ConversationMetrics(options.instruments),
      this.coverage,
    );
    const startMs = this.clock.now();
    this.lastActivity = startMs;
    this.conversation = this.factory.startRoot("conversation", SPAN_CONVERSATION, options.parentContext, startMs, {
      [ATTR_CONVERSATION_TYPE]: CONVERSATION_TYPE_VOICE,
      ...content.capAttributes({ ...options.additionalAttributes }),
    });
    this.turns = new TurnTracker(this.clock, settings.turnEndTimeoutMs, {
      turnStarted: (n, at) => this.turnStarted(n, at),
      turnEnded: (n, at, how) => this.turnEnded(n, at, how),
    }, (error) => this.timerError(error));
    this.kinds = SPAN_KINDS.map((definition) => definition.create(this));
    this.info = {
      conversationId: this.conversationId,
      span: this.conversation.span,
      context: this.conversation.context,
      task: options.task,
      startTimeMs: startMs,
      captureContent: settings.captureContent,
      stopAudio: () => this.stopAudio(),
    };
    this.listener = this.createListener(settings);
    this.notify("onConversationStart", (l) => l.onConversationStart?.(this.info));
  }

  get isEnded(): boolean {
    return this.ended;
  }

  /** Whether a task (PipelineTask / PipelineWorker) runs this conversation. */
  get hasTask(): boolean {
    return this.info.task !== undefined;
  }

  /**
   * Whether audio hops need to be handed over: only while a listener takes audio (a session that records)
   * and has not said it stopped.
   */
  get wantsAudio(): boolean {
    if (this.audioStopped || this.ended) return false;
    return this.listener?.onUserAudio !== undefined || this.listener?.onBotAudio !== undefined;
  }

  /** When this conversation last saw a hop (epoch ms): what an idle conversation is measured by. */
  get lastActivityMs(): number {
    return this.lastActivity;
  }

  // ---- frame hops ----

  /**
   * One hop of a frame this tracer acts on (never audio: see onAudio). `destination` is undefined at the end
   * of the chain; `linked` is false when the runtime keeps its links private, so an undefined destination
   * says nothing about where the chain ends. `firstSight`: this conversation has not seen the frame before
   * (the router knows it from its frame → conversation map).
   */
  onHop(source: object, frame: object, direction: Direction, kind: FrameKind, destination: object | undefined,
    linked: boolean, firstSight: boolean, chainEnd = false): void {
    if (this.ended) return;
    const atMs = this.clock.now();
    this.lastActivity = atMs;
    // Frames whose every hop matters, not only the first.
    if (kind === FrameKind.END) {
      this.endFrameHop(direction, destination, linked, chainEnd);
      if (this.ended) return;
    }
    const everyHop = EVERY_HOP_HANDLERS[kind]!;
    if (everyHop.length !== 0 && destination !== undefined) {
      for (const index of everyHop) this.kinds[index]!.onEveryHop?.(kind, frame, destination);
    }
    if (!firstSight || this.isSecondSibling(frame)) return;
    this.rememberService(source);
    this.handle(source, frame, kind, atMs);
    if (this.listener?.onFrame !== undefined && !this.ended) {
      const hop = { source, destination, frame, direction, timeMs: atMs };
      this.notify("onFrame", (l) => l.onFrame?.(hop));
    }
  }

  /** One hop of an audio frame; handed to the listener once per frame. */
  onAudio(frame: object, kind: FrameKind): void {
    const listener = this.listener;
    if (this.ended || this.audioStopped || listener === undefined || this.seenAudio.has(frame)) return;
    this.seenAudio.add(frame);
    const atMs = this.clock.now();
    this.lastActivity = atMs;
    try {
      if (kind === FrameKind.INPUT_AUDIO) listener.onUserAudio?.(frame, atMs);
      else listener.onBotAudio?.(frame, atMs);
    } catch (error) {
      this.errors.report("sessionCapture audio", error);
    }
  }

  private handle(source: object, frame: object, kind: FrameKind, atMs: number): void {
    // What the conversation itself tracks: its lifecycle, the user's speech, turns and their latency.
    switch (kind) {
      case FrameKind.START:
        this.turns.pipelineStarted(atMs);
        break;
      case FrameKind.CANCEL:
        this.end("cancel_frame");
        return;
      case FrameKind.ERROR:
        this.errorFrame(frame, atMs);
        return;
      case FrameKind.METRICS:
        this.metrics(source, frame);
        return;
      case FrameKind.INTERRUPTION:
        this.turn?.latency.resetAccumulators();
        break;
      case FrameKind.VAD_USER_STARTED_SPEAKING:
        this.userStartedSpeaking(atMs - 1000 * (readNumber(frame, "startSecs", "start_secs") ?? 0));
        this.turn?.latency.resetAccumulators();
        break;
      case FrameKind.USER_STARTED_SPEAKING:
        this.userStartedSpeaking(atMs);
        // The turn starts when the user really started (the VAD's back-dated start), like its stt span.
        this.turns.userStartedSpeaking(Math.min(atMs, this.speechStartMs ?? atMs));
        this.turn?.latency.userStartedSpeaking();
        break;
      case FrameKind.VAD_USER_STOPPED_SPEAKING:
        this.turn?.latency.vadUserStopped(atMs - 1000 * (readNumber(frame, "stopSecs", "stop_secs") ?? 0));
        break;
      case FrameKind.USER_STOPPED_SPEAKING:
        this.speaking = false;
        this.turn?.latency.userStopped(atMs);
        break;
      case FrameKind.BOT_STARTED_SPEAKING:
        this.turns.botStartedSpeaking();
        this.turn?.latency.botStartedSpeaking(atMs);
        break;
      case FrameKind.BOT_STOPPED_SPEAKING:
        this.turns.botStoppedSpeaking(atMs);
        break;
      default:
        break;
    }
    // Then every span kind that follows this frame.
    for (const index of FIRST_HOP_HANDLERS[kind]!) this.kinds[index]!.onFrame(kind, frame, source, atMs);
  }

  /** `atMs` is when the user really started (VAD frames are back-dated by their `startSecs`). */
  private userStartedSpeaking(atMs: number): void {
    if (this.speaking) return;
    this.speaking = true;
    this.speechStart = atMs;
  }

  /** Whether the frame is the second copy of a broadcast frame whose sibling was seen already. */
  private isSecondSibling(frame: object): boolean {
    const siblingId = readField(frame, "broadcastSiblingId", "broadcast_sibling_id");
    if (siblingId === undefined || siblingId === null) return false;
    if (this.skipSiblingIds.delete(readField(frame, "id", "id"))) return true;
    this.skipSiblingIds.add(siblingId);
    return false;
  }

  // ---- what the span kinds see (ConversationScope) ----

  rememberService(source: object): void {
    if ((roleOf(source) & SERVICE_ROLES) === 0) return;
    const name = processorName(source);
    if (name !== undefined && !this.servicesByName.has(name)) this.servicesByName.set(name, source);
    this.coverage.serviceSeen(source);
  }

  /** A frame of a class nobody recognised was pushed by `service` (one of this conversation's). */
  unrecognisedFrame(service: object, frame: object): void {
    if (!this.ended) this.coverage.unrecognisedFrame(frame, service);
  }

  get parent(): TracedSpan {
    return this.turn?.span ?? this.conversation;
  }

  get speechStartMs(): number | undefined {
    return this.speaking ? this.speechStart : undefined;
  }

  get lastSpeechStartMs(): number | undefined {
    return this.speechStart;
  }

  requestingSpan(service: object): TracedSpan {
    for (const kind of this.kinds) {
      const span = kind.requestingSpan?.(service);
      if (span !== undefined) return span;
    }
    return this.parent;
  }

  timerError(error: unknown): void {
    this.errors.report("conversation timer", error);
  }

  // ---- metrics and errors ----

  private metrics(source: object, frame: object): void {
    const data = readField(frame, "data", "data");
    if (!Array.isArray(data)) return;
    for (const item of data) {
      const service = this.metricsService(item, source);
      const value = readField(item, "value", "value");
      const metric = metricKindOf(item);
      if (metric === MetricKind.TTFB) {
        if (typeof value === "number") this.ttfb(service, value);
      } else {
        for (const index of USAGE_HANDLERS[metric]!) this.kinds[index]!.usage?.(service, value);
      }
    }
  }

  /** The service a metric belongs to: the one it names, else the processor that pushed it. */
  private metricsService(item: unknown, source: object): object {
    const named = readField(item, "processor", "processor");
    if (named !== null && typeof named === "object") return named;
    if (typeof named !== "string" || processorName(source) === named) return source;
    return this.servicesByName.get(named) ?? source;
  }

  /** A TTFB metric goes to the first span kind tracing the service's role (and to the turn's breakdown). */
  private ttfb(service: object, seconds: number): void {
    const role = roleOf(service);
    for (let index = 0; index < SPAN_KINDS.length; index += 1) {
      const definition = SPAN_KINDS[index]!;
      if (definition.serviceRole === undefined || (role & definition.serviceRole) === 0) continue;
      this.kinds[index]!.ttfb?.(service, seconds);
      if (definition.turnTtfbKey !== undefined) this.turn?.latency.ttfb(definition.turnTtfbKey, seconds);
      return;
    }
  }

  private errorFrame(frame: object, atMs: number): void {
    const error = readField(frame, "error", "error") ?? "pipeline error";
    if (readBoolean(frame, "fatal", "fatal") === true) {
      this.end("fatal_error", error);
      return;
    }
    const processor = readField(frame, "processor", "processor");
    const service = typeof processor === "string" ? this.servicesByName.get(processor) : processor;
    if (service !== null && typeof service === "object") {
      for (const kind of this.kinds) if (kind.failOpen?.(service, error, atMs) === true) return;
    }
    // Not fatal and not tied to an open span: an exception event on the turn (or conversation).
    const span = (this.turn?.span ?? this.conversation).span;
    span.recordException(this.factory.content.error(error, "ErrorFrame").exception, atMs);
  }

  /**
   * Every hop of an EndFrame: the conversation ends when it has crossed the whole pipeline (no processor
   * after it, or the task's own exit). A processor with nothing after it is the end unless the frame
   * travels on shortly (a nested pipeline's exit); in a runtime with hidden links the end is the processor
   * learned to be last (`chainEnd`: nothing it pushed was ever passed on), and failing that the
   * conversation ends once the EndFrame has stopped moving for that settle time; and a
   * conversation never outlives its EndFrame by more than the fallback (a runtime that swallows it).
   */
  private endFrameHop(direction: Direction, destination: object | undefined, linked: boolean, chainEnd: boolean): void {
    const atChainEnd = linked ? destination === undefined || (roleOf(destination) & Role.TASK_SINK) !== 0 : chainEnd;
    if (direction === DOWNSTREAM && atChainEnd) {
      this.end("end_frame");
      return;
    }
    const next = readField(destination, "next", "_next");
    const mayBeChainEnd = direction === DOWNSTREAM && (next === undefined || next === null);
    this.armEndTimer(mayBeChainEnd ? END_OF_CHAIN_SETTLE_MS : END_FRAME_FALLBACK_MS);
  }

  private armEndTimer(delayMs: number): void {
    if (this.endTimer !== undefined) this.clock.clearTimer(this.endTimer);
    this.endTimer = this.clock.setTimer(() => {
      try {
        this.endTimer = undefined;
        this.end("end_frame");
      } catch (error) {
        this.errors.report("conversation timer", error);
      }
    }, delayMs);
  }

  // ---- turns ----

  private turnStarted(turnNumber: number, atMs: number): void {
    const span = this.factory.start("turn", SPAN_TURN, this.conversation, atMs, {
      [ATTR_TURN_NUMBER]: turnNumber,
      [ATTR_TURN_TYPE]: TURN_TYPE_CONVERSATION,
    });
    const info: TurnInfo = {
      conversationId: this.conversationId, turnNumber, span: span.span, startTimeMs: atMs,
    };
    this.turn = { span, latency: new TurnLatency(span), info };
    this.notify("onTurnStart", (l) => l.onTurnStart?.(info));
  }

  private turnEnded(turnNumber: number, atMs: number, how: TurnEnd): void {
    const turn = this.turn;
    if (turn === undefined || turn.info.turnNumber !== turnNumber) return;
    this.turn = undefined;
    turn.span.set(ATTR_TURN_DURATION_SECONDS, secondsBetween(turn.span.startMs, atMs));
    turn.span.set(ATTR_TURN_WAS_INTERRUPTED, how.wasInterrupted);
    turn.span.set(ATTR_TURN_ENDED_BY_CONVERSATION_END, how.endedByConversationEnd);
    turn.span.end(atMs);
    if (this.listener?.onTurnEnd === undefined) return;
    const info: TurnInfo = {
      ...turn.info,
      endTimeMs: atMs,
      wasInterrupted: how.wasInterrupted,
      endedByConversationEnd: how.endedByConversationEnd,
      userBotLatencySeconds: turn.latency.userBotLatencySeconds,
    };
    this.notify("onTurnEnd", (l) => l.onTurnEnd?.(info));
  }

  // ---- service calls (the wrapped runtime methods) ----

  /**
   * A wrapped runtime method of span kind `index` is called: what the call runs in, and what to record when
   * it settles (see service-calls.ts). Nothing once the conversation has ended.
   */
  beginServiceCall<T extends SpanKindTracker>(index: number, begin: ServiceCallDefinition<T>["begin"], service: object,
    args: ArrayLike<unknown>): ServiceCall | undefined {
    if (this.ended) return undefined;
    return begin(this.kinds[index] as T, service, args);
  }

  // ---- the end ----

  /**
   * Ends every open span and the conversation, at `atMs` (default: now). Idempotent; the first reason wins.
   * Each step is guarded on its own, so a failure in one is reported under its label and the others
   * (above all the end reason and the span's end) still happen.
   */
  end(reason: ConversationEndReason, error?: unknown, atMs: number = this.clock.now()): void {
    if (this.ended) return;
    this.ended = true;
    if (this.endTimer !== undefined) this.clock.clearTimer(this.endTimer);
    this.endTimer = undefined;
    // Children first: span kinds in reverse registration order (a failure closing one kind of span does
    // not keep the others open), then the turn.
    for (let index = this.kinds.length - 1; index >= 0; index -= 1) {
      const kind = this.kinds[index]!;
      this.guard("end spans", () => kind.close(atMs));
    }
    this.guard("end spans", () => this.turns.conversationEnded(atMs));
    this.guard("conversation end reason", () => this.conversation.set(ATTR_CONVERSATION_END_REASON, reason));
    if (error !== undefined) this.guard("conversation error", () => this.conversation.fail(error, reason, atMs));
    this.notify("onConversationEnd", (l) => l.onConversationEnd?.({ ...this.info, endTimeMs: atMs, reason, error }));
    this.guard("conversation span end", () => this.conversation.endNow(atMs));
    this.guard("coverage report", () => reportCoverage(this.conversationId, this.coverage.summary(), this.errors));
    this.servicesByName.clear();
    this.skipSiblingIds.clear();
    if (this.onEnded !== undefined) this.guard("conversation ended", () => this.onEnded?.(this));
  }

  /** The listener takes no more audio (its session stopped recording): audio hops stop coming here. */
  private stopAudio(): void {
    if (this.audioStopped) return;
    const wanted = this.wantsAudio;
    this.audioStopped = true;
    if (wanted) this.guard("audio stopped", () => this.onAudioStopped?.(this));
  }

  // ---- helpers ----

  private createListener(settings: ConversationSettings): ConversationListener | undefined {
    if (settings.sessionCapture === undefined) return undefined;
    try {
      return settings.sessionCapture(this.info) ?? undefined;
    } catch (error) {
      this.errors.report("sessionCapture", error);
      return undefined;
    }
  }

  private notify(callback: string, call: (listener: ConversationListener) => void): void {
    if (this.listener === undefined) return;
    try {
      call(this.listener);
    } catch (error) {
      this.errors.report(`sessionCapture ${callback}`, error);
    }
  }

  private guard(where: string, work: () => void): void {
    try {
      work();
    } catch (error) {
      this.errors.report(where, error);
    }
  }
}
