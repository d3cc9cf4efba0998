import type { Clock } from "./internal-types.js";

export interface TurnEnd {
  wasInterrupted: boolean;
  endedByConversationEnd: boolean;
}

export interface TurnEvents {
  turnStarted(turnNumber: number, atMs: number): void;
  turnEnded(turnNumber: number, atMs: number, how: TurnEnd): void;
}

/**
 * Pipecat's turn rules (TurnTrackingObserver), as a state machine with no I/O:
 * - turn 1 starts with the pipeline (so a greeting is turn 1); later turns start when the user starts
 *   speaking — at the moment they really started (the caller back-dates it by the VAD's start delay), never
 *   before the previous turn's boundary, so turns stay in order;
 * - the user starting while the bot speaks is an interruption: the turn ends interrupted and the next
 *   starts at once;
 * - after the bot stops speaking an end-of-turn timer runs; the bot speaking again cancels it; the user
 *   speaking first ends the turn and starts the next;
 * - the conversation ending ends the open turn (as interrupted, like Pipecat).
 * Every state change cancels the pending timer, and a timer only ever ends the turn it was armed for
 * (the stale-timer bug of pipecat PR #5286 cannot happen).
 */
export class TurnTracker {
  private turnNumber = 0;
  private active = false;
  private botSpeaking = false;
  private botHasSpoken = false;
  private timer: unknown = undefined;
  /** The latest turn start or end: a back-dated boundary never goes before it. */
  private lastBoundaryMs = Number.NEGATIVE_INFINITY;

  constructor(
    private readonly clock: Clock,
    private readonly endTimeoutMs: number,
    private readonly events: TurnEvents,
    private readonly onTimerError: (error: unknown) => void,
  ) {}

  pipelineStarted(atMs: number): void {
    if (this.turnNumber !== 0) return;
    this.cancelTimer();
    this.startTurn(atMs);
  }

  /** `speechStartMs`: when the user really started speaking (the next turn's start and the previous one's end). */
  userStartedSpeaking(speechStartMs: number): void {
    this.cancelTimer();
    const atMs = Math.max(speechStartMs, this.lastBoundaryMs);
    if (this.botSpeaking) {
      this.endTurn(atMs, { wasInterrupted: true, endedByConversationEnd: false });
      this.botSpeaking = false;
      this.startTurn(atMs);
    } else if (this.active && this.botHasSpoken) {
      this.endTurn(atMs, { wasInterrupted: false, endedByConversationEnd: false });
      this.startTurn(atMs);
    } else if (!this.active) {
      this.startTurn(atMs);
    }
    // Otherwise the user speaks again within a turn the bot has not answered yet: same turn.
  }

  botStartedSpeaking(): void {
    this.cancelTimer();
    this.botSpeaking = true;
    this.botHasSpoken = true;
  }

  botStoppedSpeaking(atMs: number): void {
    // A BotStoppedSpeaking can trail an interruption; only a bot that was speaking ends its turn.
    if (!this.botSpeaking) return;
    this.cancelTimer();
    this.botSpeaking = false;
    if (this.active) this.armTimer(this.turnNumber, atMs);
  }

  conversationEnded(atMs: number): void {
    this.cancelTimer();
    if (this.active) this.endTurn(atMs, { wasInterrupted: true, endedByConversationEnd: true });
    this.botSpeaking = false;
  }

  private startTurn(atMs: number): void {
    this.lastBoundaryMs = atMs;
    this.turnNumber += 1;
    this.active = true;
    this.botHasSpoken = false;
    this.events.turnStarted(this.turnNumber, atMs);
  }

  private endTurn(atMs: number, how: TurnEnd): void {
    if (!this.active) return;
    this.active = false;
    this.lastBoundaryMs = Math.max(this.lastBoundaryMs, atMs);
    this.events.turnEnded(this.turnNumber, atMs, how);
  }

  private armTimer(turnNumber: number, botStoppedAtMs: number): void {
    const handle = this.clock.setTimer(() => {
      try {
        if (this.timer !== handle) return;
        this.timer = undefined;
        if (this.active && this.turnNumber === turnNumber && !this.botSpeaking) {
          // Like Pipecat, the turn is considered to have ended when the bot stopped speaking.
          this.endTurn(botStoppedAtMs, { wasInterrupted: false, endedByConversationEnd: false });
        }
      } catch (error) {
        this.onTimerError(error);
      }
    }, this.endTimeoutMs);
    this.timer = handle;
  }

  private cancelTimer(): void {
    if (this.timer === undefined) return;
    this.clock.clearTimer(this.timer);
    this.timer = undefined;
  }
}
