package org.mptcp4j.bench.sim;

import java.lang.management.ManagementFactory;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Locale;

/**
 * The {@link SimTestbedBenchmark} runs timed in CPU time of the running thread rather than wall
 * time: on a shared machine (this one has 2 cores and other builds) JMH's wall-clock throughput
 * swings by 2x between identical runs, while the CPU a run takes moves far less. Prints, per
 * benchmark, the median and minimum CPU seconds of the measured runs and the simulated time as a
 * multiple of that ("times faster than real time"), and the same in wall time: the figure of a
 * run on several threads ({@code two-parallel}), whose thread CPU counts only its first partition.
 * On several threads it also prints how long each partition waited for the others per run
 * ({@code ParallelSimulation.waitedNanos}) and how long it ran events ({@code busyNanos}): what the
 * partitioning costs beside the work, and what the work costs on its thread (their sum against
 * the one-thread run's CPU is what running on two threads adds to the work).
 *
 * <pre>java -cp bench/target/benchmarks.jar org.mptcp4j.bench.sim.SimCpuTime two,tcp,udp 12 8</pre>
 *
 * Arguments: benchmark names ({@code two} = {@code fig3MptcpTwoPaths}, {@code two-parallel} =
 * {@code fig3MptcpTwoPathsParallel}, {@code two-tsq} and {@code two-tsq-parallel} = the same with TCP
 * Small Queues, {@code one} = {@code fig3MptcpOnePath}, {@code tcp} =
 * {@code fig3TcpBulk}, {@code udp} = {@code fig3UdpLineRate}), warm-up runs, measured runs.
 */
public final class SimCpuTime {
    private SimCpuTime() {}

    public static void main(String[] args) {
        if (args.length != 3) {
            System.err.println("usage: SimCpuTime two,two-parallel,two-tsq,two-tsq-parallel,one,tcp,udp WARMUP_RUNS MEASURED_RUNS");
            System.exit(2);
        }
        com.sun.management.ThreadMXBean threads = (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
        SimTestbedBenchmark bench = new SimTestbedBenchmark();
        int warmup = Integer.parseInt(args[1]);
        int measured = Integer.parseInt(args[2]);
        for (String name : args[0].split(",")) {
            List<Double> cpuSeconds = new ArrayList<>();
            List<Double> wallSeconds = new ArrayList<>();
            double simulatedSeconds = 0;
            long events = 0;
            long allocated = 0;
            List<long[]> waited = new ArrayList<>();
            List<long[]> waits = new ArrayList<>();
            List<long[]> busy = new ArrayList<>();
            for (int i = 0; i < warmup + measured; i++) {
                SimEngineBenchmark.Counts counts = new SimEngineBenchmark.Counts();
                long bytes = threads.getCurrentThreadAllocatedBytes();
                long start = threads.getCurrentThreadCpuTime();
                long wallStart = System.nanoTime();
                switch (name) {
                    case "two" -> bench.fig3MptcpTwoPaths(counts);
                    case "two-parallel" -> bench.fig3MptcpTwoPathsParallel(counts);
                    case "two-tsq" -> bench.fig3MptcpTwoPathsTsq(counts);
                    case "two-tsq-parallel" -> bench.fig3MptcpTwoPathsTsqParallel(counts);
                    case "one" -> bench.fig3MptcpOnePath(counts);
                    case "tcp" -> bench.fig3TcpBulk(counts);
                    case "udp" -> bench.fig3UdpLineRate(counts);
                    default -> throw new IllegalArgumentException("unknown benchmark " + name);
                }
                long cpu = threads.getCurrentThreadCpuTime() - start;
                long wall = System.nanoTime() - wallStart;
                if (i >= warmup) {
                    cpuSeconds.add(cpu / 1e9);
                    wallSeconds.add(wall / 1e9);
                    simulatedSeconds = counts.simulatedNanos / 1e9;
                    events = counts.events;
                    allocated = threads.getCurrentThreadAllocatedBytes() - bytes;
                    waited.add(counts.waitedNanos);
                    waits.add(counts.waits);
                    busy.add(counts.busyNanos);
                }
            }
            Collections.sort(cpuSeconds);
            Collections.sort(wallSeconds);
            double median = cpuSeconds.get(cpuSeconds.size() / 2);
            double wallMedian = wallSeconds.get(wallSeconds.size() / 2);
            System.out.printf(Locale.ROOT, "%s: %.2f simulated s, %d events, %.1f MB allocated; CPU median %.3f s (min %.3f): %.1f x real time;"
                    + " wall median %.3f s (min %.3f): %.1f x real time%n",
                    name, simulatedSeconds, events, allocated / 1e6, median, cpuSeconds.get(0), simulatedSeconds / median,
                    wallMedian, wallSeconds.get(0), simulatedSeconds / wallMedian);
            for (int partition = 0; partition < waited.getFirst().length; partition++) {
                int k = partition;
                long[] nanos = waited.stream().mapToLong(w -> w[k]).sorted().toArray();
                long[] times = waits.stream().mapToLong(w -> w[k]).sorted().toArray();
                long[] running = busy.stream().mapToLong(b -> b[k]).sorted().toArray();
                System.out.printf(Locale.ROOT, "  partition %d ran events %.1f ms and waited for the others %.1f ms per run (medians), %d times%n",
                        partition, running[running.length / 2] / 1e6, nanos[nanos.length / 2] / 1e6, times[times.length / 2]);
            }
        }
    }
}
