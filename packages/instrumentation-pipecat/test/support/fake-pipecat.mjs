// Minimal stand-ins with Pipecat's class names, to feed the ConversationTracer hops without any runtime.
let nextId = 1;

export class Frame {
  constructor() {
    this.id = nextId++;
    this.name = `${new.target.name}#${this.id}`;
    /** Set on both copies of a broadcast frame: the id of the other copy. */
    this.broadcastSiblingId = undefined;
  }
}
export class SystemFrame extends Frame {}
export class DataFrame extends Frame {}
export class ControlFrame extends Frame {}

export class StartFrame extends SystemFrame {}
export class EndFrame extends ControlFrame {}
export class CancelFrame extends SystemFrame {}
export class ErrorFrame extends SystemFrame {
  constructor(error, fatal = false, processor = undefined) {
    super();
    Object.assign(this, { error, fatal, processor });
  }
}
export class InterruptionFrame extends SystemFrame {}
export class UserStartedSpeakingFrame extends SystemFrame {}
export class UserStoppedSpeakingFrame extends SystemFrame {}
export class BotStartedSpeakingFrame extends SystemFrame {}
export class BotStoppedSpeakingFrame extends SystemFrame {}
export class VADUserStartedSpeakingFrame extends SystemFrame {
  constructor(startSecs = 0) {
    super();
    this.startSecs = startSecs;
  }
}
export class VADUserStoppedSpeakingFrame extends SystemFrame {
  constructor(stopSecs = 0) {
    super();
    this.stopSecs = stopSecs;
  }
}
export class InputAudioRawFrame extends SystemFrame {
  constructor() {
    super();
    this.audio = new Uint8Array(640);
  }
}
export class OutputAudioRawFrame extends DataFrame {}
export class TTSAudioRawFrame extends OutputAudioRawFrame {
  constructor(contextId) {
    super();
    this.contextId = contextId;
  }
}
export class TextFrame extends DataFrame {
  constructor(text) {
    super();
    this.text = text;
  }
}
export class LLMTextFrame extends TextFrame {}
export class TTSTextFrame extends TextFrame {
  constructor(text, contextId) {
    super(text);
    this.contextId = contextId;
  }
}
export class TranscriptionFrame extends TextFrame {
  constructor(text, userId = "user-1", language = "en-US") {
    super(text);
    Object.assign(this, { userId, language, finalized: true });
  }
}
export class InterimTranscriptionFrame extends TextFrame {
  constructor(text, userId = "user-1") {
    super(text);
    this.userId = userId;
  }
}
export class LLMContextFrame extends DataFrame {
  constructor(context) {
    super();
    this.context = context;
  }
}
export class LLMFullResponseStartFrame extends ControlFrame {}
export class LLMFullResponseEndFrame extends ControlFrame {}
export class TTSStartedFrame extends ControlFrame {
  constructor(contextId) {
    super();
    this.contextId = contextId;
  }
}
export class TTSStoppedFrame extends ControlFrame {
  constructor(contextId) {
    super();
    this.contextId = contextId;
  }
}
export class FunctionCallsStartedFrame extends SystemFrame {
  constructor(functionCalls) {
    super();
    this.functionCalls = functionCalls;
  }
}
export class FunctionCallInProgressFrame extends ControlFrame {
  constructor(init) {
    super();
    Object.assign(this, { cancelOnInterruption: true, ...init });
  }
}
export class FunctionCallResultFrame extends DataFrame {
  constructor(init) {
    super();
    Object.assign(this, init);
  }
}
export class FunctionCallCancelFrame extends SystemFrame {
  constructor(functionName, toolCallId) {
    super();
    Object.assign(this, { functionName, toolCallId });
  }
}
export class MetricsFrame extends SystemFrame {
  constructor(data) {
    super();
    this.data = data;
  }
}
export class MetricsData {
  constructor(processor, value, model) {
    Object.assign(this, { processor, value, model });
  }
}
export class TTFBMetricsData extends MetricsData {}
export class LLMUsageMetricsData extends MetricsData {}
export class TTSUsageMetricsData extends MetricsData {}
export class STTUsageMetricsData extends MetricsData {}

export class FrameProcessor {
  constructor(name) {
    this.name = name ?? `${new.target.name}#0`;
    this.next = undefined;
    this.prev = undefined;
  }
}
export class LLMService extends FrameProcessor {}
export class OpenAILLMService extends LLMService {
  constructor() {
    super("OpenAILLMService#0");
    this.model = "gpt-4o-mini";
    this.settings = { temperature: 0.5, maxTokens: 200, topP: 0.9 };
  }
}
export class STTService extends FrameProcessor {}
export class DeepgramSTTService extends STTService {
  constructor() {
    super("DeepgramSTTService#0");
    this.model = "nova-2";
  }
}
export class TTSService extends FrameProcessor {}
export class CartesiaTTSService extends TTSService {
  constructor() {
    super("CartesiaTTSService#0");
    this.model = "sonic";
    this.voiceId = "voice-42";
  }
}
export class Transport extends FrameProcessor {}
