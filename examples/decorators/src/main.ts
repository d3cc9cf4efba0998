// Post-call processing traced with Respan's decorators and wrappers: a workflow on a class method, tasks
// on its steps (sync, async and a generator), and plain functions wrapped with withTask. Runs offline;
// TC39 standard decorators (TypeScript 5, no experimentalDecorators flag needed — the legacy flag works too).
import { Respan, propagateAttributes, task, withTask, withWorkflow, workflow } from "@respan/core";

const respan = new Respan({ appName: "decorators-example" });

interface Turn {
  role: "user" | "assistant";
  text: string;
}

/** A plain function, traced where it is called with withTask. */
function wordCount(turns: Turn[]): number {
  return turns.reduce((sum, turn) => sum + turn.text.split(/\s+/).length, 0);
}

class CallReview {
  @task({ name: "redact" })
  redact(turns: Turn[]): Turn[] {
    // Sync tasks stay sync: the caller gets the array, not a Promise.
    return turns.map((turn) => ({ ...turn, text: turn.text.replace(/\d{4,}/g, "****") }));
  }

  @task({ name: "sentences" })
  *sentences(turns: Turn[]): Generator<string> {
    // A generator task's span stays open until the caller has consumed every item.
    for (const turn of turns) yield* turn.text.split(/(?<=[.!?])\s+/);
  }

  @task({ name: "classify" })
  async classify(turns: Turn[]): Promise<string> {
    await new Promise((resolve) => setTimeout(resolve, 20)); // stands in for a model call
    return turns.some((turn) => /weather/i.test(turn.text)) ? "weather_inquiry" : "general";
  }

  @workflow({ name: "call_review" })
  async review(turns: Turn[]): Promise<{ category: string; sentences: number; words: number }> {
    const redacted = this.redact(turns);
    const sentences = [...this.sentences(redacted)].length;
    const words = withTask({ name: "word_count" }, () => wordCount(redacted));
    return { category: await this.classify(redacted), sentences, words };
  }
}

async function main(): Promise<void> {
  const turns: Turn[] = [
    { role: "user", text: "Hi! My account is 12345678. What's the weather in Paris?" },
    { role: "assistant", text: "It is sunny and 22 degrees in Paris. Anything else?" },
  ];
  const review = await propagateAttributes({ customerIdentifier: "customer_42", metadata: { plan: "pro" } }, () =>
    new CallReview().review(turns),
  );
  // A workflow around a plain function, without a class.
  await withWorkflow({ name: "nightly_report" }, async () => withTask({ name: "count_calls" }, () => 1));
  console.log("review:", review);
  await respan.shutdown();
}

main().catch((error: unknown) => {
  console.error(error);
  process.exitCode = 1;
});
