import { ControlFrame, DataFrame, SystemFrame } from "./frame.js";

export type FunctionArguments = Record<string, unknown>;

export interface FunctionCallDescriptor {
  functionName: string;
  toolCallId: string;
  arguments: FunctionArguments;
}

/** The LLM asked for these tool calls (broadcast before any of them runs). */
export class FunctionCallsStartedFrame extends SystemFrame {
  constructor(public functionCalls: FunctionCallDescriptor[]) {
    super();
  }
}

/** One tool call has started running. */
export class FunctionCallInProgressFrame extends ControlFrame implements FunctionCallDescriptor {
  functionName: string;
  toolCallId: string;
  arguments: FunctionArguments;
  cancelOnInterruption: boolean;

  constructor(init: FunctionCallDescriptor & { cancelOnInterruption?: boolean }) {
    super();
    this.functionName = init.functionName;
    this.toolCallId = init.toolCallId;
    this.arguments = init.arguments;
    this.cancelOnInterruption = init.cancelOnInterruption ?? true;
  }

  override get uninterruptible(): boolean {
    return true;
  }
}

/** One tool call finished with `result`. */
export class FunctionCallResultFrame extends DataFrame implements FunctionCallDescriptor {
  functionName: string;
  toolCallId: string;
  arguments: FunctionArguments;
  result: unknown;
  runLlm?: boolean;

  constructor(init: FunctionCallDescriptor & { result: unknown; runLlm?: boolean }) {
    super();
    this.functionName = init.functionName;
    this.toolCallId = init.toolCallId;
    this.arguments = init.arguments;
    this.result = init.result;
    this.runLlm = init.runLlm;
  }

  override get uninterruptible(): boolean {
    return true;
  }
}

/** A running tool call was cancelled by an interruption. */
export class FunctionCallCancelFrame extends SystemFrame {
  constructor(
    public functionName: string,
    public toolCallId: string,
  ) {
    super();
  }
}
