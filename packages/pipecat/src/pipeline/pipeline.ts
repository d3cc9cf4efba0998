import type { Frame } from "../frames/frame.js";
import { FrameDirection } from "../processors/frame-direction.js";
import { FrameProcessor, type FrameProcessorSetup } from "../processors/frame-processor.js";

type Forward = (frame: Frame) => Promise<void>;

/** The entry of a pipeline: sends downstream frames to the first processor, upstream ones out. */
class PipelineSource extends FrameProcessor {
  constructor(
    name: string,
    private readonly forwardUpstream: Forward,
  ) {
    super({ name, enableDirectMode: true });
  }

  override processFrame(frame: Frame, direction: FrameDirection): Promise<void> {
    return direction === FrameDirection.UPSTREAM ? this.forwardUpstream(frame) : this.pushFrame(frame, direction);
  }
}

/** The exit of a pipeline: sends downstream frames out, upstream ones to the last processor. */
class PipelineSink extends FrameProcessor {
  constructor(
    name: string,
    private readonly forwardDownstream: Forward,
  ) {
    super({ name, enableDirectMode: true });
  }

  override processFrame(frame: Frame, direction: FrameDirection): Promise<void> {
    return direction === FrameDirection.DOWNSTREAM ? this.forwardDownstream(frame) : this.pushFrame(frame, direction);
  }
}

/** Processors linked in order: source -> processors -> sink. A pipeline is itself a processor. */
export class Pipeline extends FrameProcessor {
  readonly #processors: FrameProcessor[];
  readonly #source: PipelineSource;
  readonly #sink: PipelineSink;

  constructor(processors: FrameProcessor[], options?: { name?: string }) {
    super({ name: options?.name, enableDirectMode: true });
    if (!Array.isArray(processors) || processors.some((p) => !(p instanceof FrameProcessor))) {
      throw new Error(`${this.name}: "processors" must be an array of FrameProcessor instances`);
    }
    if (new Set(processors).size !== processors.length) {
      throw new Error(`${this.name}: "processors" lists the same processor twice`);
    }
    this.#processors = [...processors];
    this.#source = new PipelineSource(`${this.name}::Source`, (frame) => this.pushFrame(frame, FrameDirection.UPSTREAM));
    this.#sink = new PipelineSink(`${this.name}::Sink`, (frame) => this.pushFrame(frame, FrameDirection.DOWNSTREAM));
    let last: FrameProcessor = this.#source;
    for (const processor of this.#processors) last = last.link(processor);
    last.link(this.#sink);
  }

  override get processors(): FrameProcessor[] {
    return [...this.#processors];
  }

  override setup(setup: FrameProcessorSetup): void {
    super.setup(setup);
    for (const processor of this.#internal()) processor.setup(setup);
  }

  override async cleanup(): Promise<void> {
    await super.cleanup();
    for (const processor of this.#internal()) await processor.cleanup();
  }

  override processFrame(frame: Frame, direction: FrameDirection): Promise<void> {
    return direction === FrameDirection.DOWNSTREAM ? this.#source.queueFrame(frame, direction) : this.#sink.queueFrame(frame, direction);
  }

  #internal(): FrameProcessor[] {
    return [this.#source, ...this.#processors, this.#sink];
  }
}
