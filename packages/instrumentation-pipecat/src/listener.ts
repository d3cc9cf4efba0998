import type { Context, Span } from "@opentelemetry/api";

/** One frame hop: `source.pushFrame(frame, direction)`, the frame travelling to `destination`. */
export interface FrameHop {
  source: object;
  /**
   * The next (downstream) or previous (upstream) processor; undefined at the end of the chain, or when the
   * runtime keeps its links private.
   */
  destination: object | undefined;
  frame: object;
  /** 1 downstream, 2 upstream (Pipecat's FrameDirection values). */
  direction: 1 | 2;
  /** Wall time of the hop, epoch ms. */
  timeMs: number;
}

export type ConversationEndReason =
  | "end_frame"
  | "cancel_frame"
  | "fatal_error"
  | "task_finished"
  | "task_failed"
  | "idle_timeout"
  | "max_conversations"
  | "instrumentation_disabled";

/*
 * Session-capture seam. `PipecatInstrumentationConfig.sessionCapture` is a factory called once per
 * conversation, when its span starts; the listener it returns receives that conversation's events.
 * Every callback is optional, runs synchronously on the pipeline's hot path (keep it cheap), and any
 * exception it throws is logged once and swallowed.
 */

export interface ConversationInfo {
  conversationId: string;
  /** The `conversation` span (not yet ended). */
  span: Span;
  /** The conversation's context: the caller's context at task start with `span` set on it. */
  context: Context;
  /** The PipelineTask / PipelineWorker that runs the conversation, when the runtime has one. */
  task: object | undefined;
  startTimeMs: number;
  /** Whether user/assistant text may be recorded (the instrumentation's resolved captureContent). */
  captureContent: boolean;
  /**
   * Tells the tracer the listener takes no more audio (e.g. its session stopped recording), so audio frames
   * stop being handed to it. A listener that never takes audio simply has no audio callbacks.
   */
  stopAudio(): void;
}

export interface TurnInfo {
  conversationId: string;
  turnNumber: number;
  /**
   * The `turn` span. By the time `onTurnEnd` runs it is ended, or — when work started in the turn still runs
   * (an llm run waiting on a tool) — it finishes as soon as that work does.
   */
  span: Span;
  startTimeMs: number;
  endTimeMs?: number;
  wasInterrupted?: boolean;
  endedByConversationEnd?: boolean;
  /** The user-stop -> bot-speech latency measured in this turn, when it was. */
  userBotLatencySeconds?: number;
}

export interface ConversationEndInfo extends ConversationInfo {
  endTimeMs: number;
  reason: ConversationEndReason;
  error?: unknown;
}

export interface ConversationListener {
  onConversationStart?(info: ConversationInfo): void;
  /** Every frame the tracer acts on (not audio), once per frame, at its first hop. */
  onFrame?(hop: FrameHop): void;
  /**
   * Each user audio frame (InputAudioRawFrame and subclasses), once per frame. Give a listener audio
   * callbacks only when it uses audio: audio hops skip all work while no live conversation takes audio.
   */
  onUserAudio?(frame: object, wallTimeMs: number): void;
  /** Each bot audio frame (OutputAudioRawFrame, TTSAudioRawFrame...), once per frame. */
  onBotAudio?(frame: object, wallTimeMs: number): void;
  onTurnStart?(turn: TurnInfo): void;
  onTurnEnd?(turn: TurnInfo): void;
  /** Runs before the conversation span ends (its attributes can still be set). */
  onConversationEnd?(info: ConversationEndInfo): void;
}

export type SessionCaptureFactory = (info: ConversationInfo) => ConversationListener | undefined;
