/** Which way a frame travels: numeric, as in Python Pipecat. */
export enum FrameDirection {
  DOWNSTREAM = 1,
  UPSTREAM = 2,
}
