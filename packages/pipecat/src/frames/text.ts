import { DataFrame } from "./frame.js";

export class TextFrame extends DataFrame {
  constructor(public text: string) {
    super();
  }

  /** Whether consecutive frames carry their own spacing (LLM tokens) or are separate words/sentences. */
  get includesInterFrameSpaces(): boolean {
    return false;
  }
}

/** A token (or a few) streamed by an LLM, with its leading space. */
export class LLMTextFrame extends TextFrame {
  override get includesInterFrameSpaces(): boolean {
    return true;
  }
}

/** Text that a TTS service has spoken, in its audio context. */
export class TTSTextFrame extends TextFrame {
  constructor(
    text: string,
    public contextId: string,
  ) {
    super(text);
  }
}

export interface TranscriptionInit {
  text: string;
  userId: string;
  /** ISO-8601 UTC; defaults to now. */
  timestamp?: string;
  language?: string;
}

/** A final (or finalized) transcript segment from STT. */
export class TranscriptionFrame extends TextFrame {
  userId: string;
  timestamp: string;
  language?: string;
  finalized: boolean;

  constructor(init: TranscriptionInit & { finalized?: boolean }) {
    super(init.text);
    this.userId = init.userId;
    this.timestamp = init.timestamp ?? new Date().toISOString();
    this.language = init.language;
    this.finalized = init.finalized ?? true;
  }
}

/** A partial transcript while the user is still speaking. */
export class InterimTranscriptionFrame extends TextFrame {
  userId: string;
  timestamp: string;
  language?: string;

  constructor(init: TranscriptionInit) {
    super(init.text);
    this.userId = init.userId;
    this.timestamp = init.timestamp ?? new Date().toISOString();
    this.language = init.language;
  }
}
