// What the browser tests' page scripts keep on `window` (type-checking only; nothing here runs).
interface Window {
  /** Bot audio frames counted by the web demo test's WebSocket wrapper. */
  botAudioFrames: number;
  /** The web demo page's log of client events. */
  demoEvents: { name: string; data: any }[];
}
