"use strict";
// CPU time of the main thread (the thread the pipeline and the instrumentation run on), in ms. Process
// CPU time also counts V8's helper threads (concurrent GC, compilers), whose share varies with the
// machine's load; the main thread's is what the pipeline waits for. Sources, best first:
//   thread  process.threadCpuUsage() (Node 23.9+, 22.19+): the calling thread's user + system time, in µs.
//   proc    Linux without it (Node 20): the main thread's utime + stime from /proc/self/task/<pid>/stat, in
//           clock ticks of 10 ms (USER_HZ is 100 in /proc's ABI). A 2 s call is read to ±0.5%, and the
//           ratios are medians over rounds, so the tick does not decide a figure.
//   process elsewhere: process.cpuUsage(), every thread (said so in the report).
const { readFileSync } = require("node:fs");

const USER_HZ = 100;

function fromThreadCpuUsage() {
  const usage = process.threadCpuUsage();
  return (usage.user + usage.system) / 1000;
}

function fromProcStat() {
  const stat = readFileSync(`/proc/self/task/${process.pid}/stat`, "utf8");
  // Fields after the command name (which may hold spaces, hence the last ")"): utime and stime are the
  // 12th and 13th of them.
  const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
  return ((Number(fields[11]) + Number(fields[12])) * 1000) / USER_HZ;
}

function fromProcessCpuUsage() {
  const usage = process.cpuUsage();
  return (usage.user + usage.system) / 1000;
}

function procStatReadable() {
  try {
    return Number.isFinite(fromProcStat());
  } catch {
    return false;
  }
}

/** The best main-thread CPU clock this process offers: `{ source, readMs() }`. */
function mainThreadCpuClock() {
  if (typeof process.threadCpuUsage === "function") return { source: "thread", readMs: fromThreadCpuUsage };
  if (procStatReadable()) return { source: "proc", readMs: fromProcStat };
  return { source: "process", readMs: fromProcessCpuUsage };
}

module.exports = { mainThreadCpuClock, processCpuMs: fromProcessCpuUsage };
