/**
 * Total deadlines for the HTTP requests of an OTLP exporter. OpenTelemetry's HTTP transport only sets an
 * idle timeout on its requests (`req.setTimeout`), which a receiver dripping one byte at a time resets
 * forever. The agent made here is handed to the exporter as its agent factory; it starts a wall-clock timer
 * for every request it is given and destroys the request when the timer fires, whatever the socket does.
 * It also remembers the last HTTP status seen (so a failure after retries can name it, e.g. 429), and can
 * abort every request in flight when the client's flush or shutdown deadline has passed.
 */
import http from "node:http";
import https from "node:https";

/** The agent method every request goes through (present on every Node version; libraries such as proxy agents override it too). */
interface RequestQueueingAgent {
  addRequest(request: http.ClientRequest, options: unknown): void;
}

/** What the client needs of an exporter's requests, wherever they are made (this thread or an export worker). */
export interface ExportRequests {
  /** The status code of the most recent HTTP response, if any. */
  readonly lastStatusCode: number | undefined;
  /** Destroys every request in flight, and every later one at once: the exporter is being given up on. */
  abortAll(reason: string): void;
}

export interface RequestDeadlines extends ExportRequests {
  /** For the exporter's `agentFactory` / `httpAgentOptions`. */
  readonly agentFactory: (protocol: string) => Promise<http.Agent>;
}

/**
 * OpenTelemetry's HTTP transport loads `http` / `https` with a dynamic import() on its first send, and making
 * a built-in module's ESM namespace reads every one of its exports — on Node 22+ that includes `http`'s lazy
 * WebSocket getters, which load undici: the first export then cost 30 ms of the application's thread
 * instead of 12 (Node 24), in the middle of whatever it is doing when the first batch goes out (a call).
 * Reading the exports when the first exporter is made moves that work to start-up; the later import() then
 * finds them loaded.
 */
let transportModulesLoaded = false;
function loadTransportModulesNow(): void {
  if (transportModulesLoaded) return;
  transportModulesLoaded = true;
  for (const builtin of [http, https] as unknown as Array<Record<string, unknown>>) {
    for (const name of Object.keys(builtin)) {
      try {
        void builtin[name];
      } catch {
        // A getter that throws would throw for the transport's import() too; nothing to do here.
      }
    }
  }
}

export function createRequestDeadlines(timeoutMillis: number): RequestDeadlines {
  loadTransportModulesNow();
  const inFlight = new Set<http.ClientRequest>();
  const agents = new Map<string, http.Agent>();
  let lastStatusCode: number | undefined;
  let abortedReason: string | undefined;

  const track = (request: http.ClientRequest) => {
    if (abortedReason !== undefined) {
      // An Error without a `code`: the transport treats it as final, so no retry is scheduled.
      request.destroy(new Error(abortedReason));
      return;
    }
    inFlight.add(request);
    const timer = setTimeout(() => {
      request.destroy(new Error(`the export request did not complete within its ${timeoutMillis} ms deadline`));
    }, timeoutMillis);
    timer.unref();
    request.once("response", (response: http.IncomingMessage) => {
      lastStatusCode = response.statusCode;
    });
    request.once("close", () => {
      clearTimeout(timer);
      inFlight.delete(request);
    });
  };

  const createAgent = (protocol: string): http.Agent => {
    const agent = protocol === "https:" ? new https.Agent({ keepAlive: true }) : new http.Agent({ keepAlive: true });
    const queueing = agent as unknown as RequestQueueingAgent;
    const addRequest = queueing.addRequest.bind(agent);
    queueing.addRequest = (request, options) => {
      track(request);
      addRequest(request, options);
    };
    return agent;
  };

  return {
    agentFactory: async (protocol) => {
      let agent = agents.get(protocol);
      if (agent === undefined) {
        agent = createAgent(protocol);
        agents.set(protocol, agent);
      }
      return agent;
    },
    get lastStatusCode() {
      return lastStatusCode;
    },
    abortAll(reason) {
      abortedReason = reason;
      for (const request of inFlight) request.destroy(new Error(reason));
      inFlight.clear();
      for (const agent of agents.values()) agent.destroy();
    },
  };
}
