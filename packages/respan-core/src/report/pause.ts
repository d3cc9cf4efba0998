/**
 * Lets the event loop run other work. Reports are built in the traced process, beside live calls: long
 * loops over a call's spans pause with this every few hundred spans.
 */
export const pauseEventLoop = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));
