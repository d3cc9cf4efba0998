/** What the turn events carry: the turn's text, when it happened, and whether it was cut short. */
export interface TurnMessage {
  content: string;
  /** ISO-8601 UTC. */
  timestamp: string;
  interrupted?: boolean;
}

/** Joins text frames: LLM tokens carry their own spaces, other text frames are separate words. */
export function appendText(aggregate: string, text: string, includesSpaces: boolean): string {
  if (aggregate === "" || includesSpaces) return aggregate + text;
  return `${aggregate} ${text}`;
}
