import { DataFrame, SystemFrame } from "./frame.js";

/** A message that arrived from the client over the transport (an RTVI message, as parsed JSON). */
export class InputTransportMessageFrame extends SystemFrame {
  constructor(public message: unknown) {
    super();
  }
}

/** A message for the output transport to send to the client, in order with the bot's audio. */
export class OutputTransportMessageFrame extends DataFrame {
  constructor(public message: unknown) {
    super();
  }
}

/** A message for the output transport to send to the client at once (never queued behind audio). */
export class OutputTransportMessageUrgentFrame extends SystemFrame {
  constructor(public message: unknown) {
    super();
  }
}
