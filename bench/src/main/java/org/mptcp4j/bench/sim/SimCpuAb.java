package org.mptcp4j.bench.sim;

import java.lang.management.ManagementFactory;
import java.lang.reflect.Method;
import java.net.URL;
import java.net.URLClassLoader;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Locale;

/**
 * Two or more builds of the project timed side by side in one JVM: each benchmark jar in its own
 * class loader, their runs alternated (the order reversed every round), CPU seconds of the running
 * thread per run. On a shared machine the load moves every figure by up to 2x within minutes, but
 * it moves both of a pair of adjacent runs alike: the median of the paired ratios (each jar's run
 * over the first jar's run of the same round) is what to read, not the absolute times. The bytes
 * the thread allocated in a run (the last one) do not depend on the load; they move by a few
 * percent from launch to launch with the allocations the JIT removes. Wall time is paired the
 * same way: the figure of a run on several threads ({@code two-parallel}), whose thread CPU is
 * its first partition's, waiting included.
 *
 * <pre>java -cp bench/target/benchmarks.jar org.mptcp4j.bench.sim.SimCpuAb two 8 16 /tmp/base.jar bench/target/benchmarks.jar</pre>
 *
 * Arguments: the benchmark ({@code two}, {@code two-parallel}, {@code two-tsq}, {@code two-tsq-parallel}, {@code one}, {@code tcp}, {@code udp},
 * as for {@link SimCpuTime}), warm-up rounds, measured rounds, then the jars; the first is the
 * reference. A jar written {@code JAR@BENCHMARK} runs that benchmark instead: {@code b.jar@two
 * b.jar@two-parallel} sets one build's two threads against its one.
 */
public final class SimCpuAb {
    private SimCpuAb() {}

    public static void main(String[] args) throws Exception {
        if (args.length < 5) {
            System.err.println("usage: SimCpuAb two|two-parallel|two-tsq|two-tsq-parallel|one|tcp|udp WARMUP_ROUNDS ROUNDS REFERENCE.jar[@BENCHMARK] OTHER.jar[@BENCHMARK]...");
            System.exit(2);
        }
        int warmup = Integer.parseInt(args[1]);
        int rounds = Integer.parseInt(args[2]);
        int jars = args.length - 3;
        Build[] builds = new Build[jars];
        for (int j = 0; j < jars; j++) {
            String[] jarAndBenchmark = args[3 + j].split("@", 2);
            builds[j] = new Build(Path.of(jarAndBenchmark[0]), method(jarAndBenchmark.length == 2 ? jarAndBenchmark[1] : args[0]));
        }
        com.sun.management.ThreadMXBean threads = (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
        double[][] cpu = new double[jars][rounds];
        double[][] wall = new double[jars][rounds];
        long[] allocated = new long[jars];
        for (int r = -warmup; r < rounds; r++) {
            for (int k = 0; k < jars; k++) {
                int j = (r & 1) == 0 ? k : jars - 1 - k;
                Object counts = builds[j].counts();
                long bytes = threads.getCurrentThreadAllocatedBytes();
                long start = threads.getCurrentThreadCpuTime();
                long wallStart = System.nanoTime();
                builds[j].run(counts);
                long spent = threads.getCurrentThreadCpuTime() - start;
                long wallSpent = System.nanoTime() - wallStart;
                if (r >= 0) {
                    cpu[j][r] = spent / 1e9;
                    wall[j][r] = wallSpent / 1e9;
                    allocated[j] = threads.getCurrentThreadAllocatedBytes() - bytes;
                }
            }
        }
        for (int j = 0; j < jars; j++) {
            double[] sorted = sorted(cpu[j]);
            double[] ratio = pairedRatios(cpu, j);
            double[] wallSorted = sorted(wall[j]);
            double[] wallRatio = pairedRatios(wall, j);
            System.out.printf(Locale.ROOT, "%s: CPU median %.3f s (min %.3f), %.1f MB allocated per run; paired ratio to %s: median %.3f (quartiles %.3f-%.3f);"
                    + " wall median %.3f s (min %.3f), paired ratio %.3f (quartiles %.3f-%.3f)%n",
                    args[3 + j], sorted[rounds / 2], sorted[0], allocated[j] / 1e6, args[3], ratio[rounds / 2], ratio[rounds / 4],
                    ratio[3 * rounds / 4], wallSorted[rounds / 2], wallSorted[0], wallRatio[rounds / 2], wallRatio[rounds / 4],
                    wallRatio[3 * rounds / 4]);
        }
    }

    private static double[] sorted(double[] seconds) {
        double[] s = seconds.clone();
        Arrays.sort(s);
        return s;
    }

    /** Each round's time of build {@code j} over the reference build's of the same round, sorted. */
    private static double[] pairedRatios(double[][] seconds, int j) {
        double[] ratio = new double[seconds[j].length];
        for (int r = 0; r < ratio.length; r++) {
            ratio[r] = seconds[j][r] / seconds[0][r];
        }
        Arrays.sort(ratio);
        return ratio;
    }

    private static String method(String benchmark) {
        return switch (benchmark) {
            case "two" -> "fig3MptcpTwoPaths";
            case "two-parallel" -> "fig3MptcpTwoPathsParallel";
            case "two-tsq" -> "fig3MptcpTwoPathsTsq";
            case "two-tsq-parallel" -> "fig3MptcpTwoPathsTsqParallel";
            case "one" -> "fig3MptcpOnePath";
            case "tcp" -> "fig3TcpBulk";
            case "udp" -> "fig3UdpLineRate";
            default -> throw new IllegalArgumentException("unknown benchmark " + benchmark);
        };
    }

    /** One build: its benchmark class loaded from its own jar. */
    private static final class Build {
        private final Object bench;
        private final Method run;
        private final Class<?> countsType;

        Build(Path jar, String method) throws Exception {
            ClassLoader loader = new URLClassLoader(new URL[] {jar.toUri().toURL()}, ClassLoader.getPlatformClassLoader());
            Class<?> type = loader.loadClass(SimTestbedBenchmark.class.getName());
            countsType = loader.loadClass(SimEngineBenchmark.Counts.class.getName());
            bench = type.getConstructor().newInstance();
            run = type.getMethod(method, countsType);
        }

        Object counts() throws Exception {
            return countsType.getConstructor().newInstance();
        }

        void run(Object counts) throws Exception {
            run.invoke(bench, counts);
        }
    }
}
