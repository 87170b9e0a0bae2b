package org.mptcp4j.bench.sim;

import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.lang.reflect.Method;
import java.net.URL;
import java.net.URLClassLoader;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;

/**
 * {@link SchedulerCpuPerGb}'s 1 and 8 subflows, for several builds in one JVM: each benchmark jar
 * gets a class loader of its own, and round after round every build runs its 1-subflow and its
 * 8-subflow transfer ({@link SchedulerRuns#transfer}) back to back, so that the machine's load
 * (this one has 2 shared cores) falls on all builds alike. Prints, per build, the medians of CPU
 * seconds per GB, the median and quartiles of the per-round ratio 8 : 1, and each later build's
 * per-round ratio to the first build's at 1 and at 8 subflows: a change measured beside the
 * version before it, in the same run.
 *
 * <pre>java -cp bench/target/benchmarks.jar org.mptcp4j.bench.sim.SchedulerCpuVersions 25 32 default /tmp/before.jar bench/target/benchmarks.jar</pre>
 *
 * Arguments: measured rounds (three more warm up), MiB per subflow, scheduler, the jars (the
 * first is the reference).
 */
public final class SchedulerCpuVersions {
    private SchedulerCpuVersions() {}

    private static final int WARMUP_ROUNDS = 3;
    private static final int[] SUBFLOWS = {1, 8};

    public static void main(String[] a) throws Exception {
        if (a.length < 4) {
            System.err.println("usage: SchedulerCpuVersions ROUNDS MIB_PER_SUBFLOW SCHEDULER JAR...");
            System.exit(2);
        }
        int rounds = Integer.parseInt(a[0]);
        long perSubflow = Long.parseLong(a[1]) << 20;
        String scheduler = a[2];
        List<String> jars = Arrays.asList(a).subList(3, a.length);
        List<Method> transfers = new ArrayList<>();
        for (String jar : jars) {
            URLClassLoader loader = new URLClassLoader(new URL[] {Path.of(jar).toUri().toURL()},
                    ClassLoader.getPlatformClassLoader());
            Class<?> runs = Class.forName(SchedulerRuns.class.getName(), true, loader);
            Class<?> trace = Class.forName("org.mptcp4j.mptcp.SchedulerTrace", true, loader);
            Method m = runs.getDeclaredMethod("transfer", String.class, int.class, long.class, trace);
            m.setAccessible(true);
            transfers.add(m);
        }
        ThreadMXBean threads = ManagementFactory.getThreadMXBean();
        double[][][] cpuPerGb = new double[jars.size()][SUBFLOWS.length][rounds];
        for (int r = 0; r < WARMUP_ROUNDS + rounds; r++) {
            for (int j = 0; j < jars.size(); j++) {
                for (int k = 0; k < SUBFLOWS.length; k++) {
                    long bytes = SUBFLOWS[k] * perSubflow;
                    long start = threads.getCurrentThreadCpuTime();
                    transfers.get(j).invoke(null, scheduler, SUBFLOWS[k], bytes, null);
                    if (r >= WARMUP_ROUNDS) {
                        cpuPerGb[j][k][r - WARMUP_ROUNDS] = (threads.getCurrentThreadCpuTime() - start) / (double) bytes;
                    }
                }
            }
        }
        System.out.printf(Locale.ROOT, "%s, n x %d MiB over n paths of 100 Mbit/s, 10 ms; %d rounds after %d%n",
                scheduler, perSubflow >> 20, rounds, WARMUP_ROUNDS);
        for (int j = 0; j < jars.size(); j++) {
            double[] ratio = new double[rounds];
            for (int r = 0; r < rounds; r++) {
                ratio[r] = cpuPerGb[j][1][r] / cpuPerGb[j][0][r];
            }
            System.out.printf(Locale.ROOT, "%s: x1 %.3f, x8 %.3f CPU s/GB (medians); x8 / x1 per round %s%n", jars.get(j),
                    median(cpuPerGb[j][0]), median(cpuPerGb[j][1]), quartiles(ratio));
        }
        for (int j = 1; j < jars.size(); j++) {
            for (int k = 0; k < SUBFLOWS.length; k++) {
                double[] change = new double[rounds];
                for (int r = 0; r < rounds; r++) {
                    change[r] = cpuPerGb[j][k][r] / cpuPerGb[0][k][r];
                }
                System.out.printf(Locale.ROOT, "%s / %s at %d subflow(s), per round: %s%n", jars.get(j), jars.get(0),
                        SUBFLOWS[k], quartiles(change));
            }
        }
    }

    private static double median(double[] v) {
        double[] s = v.clone();
        Arrays.sort(s);
        return s[s.length / 2];
    }

    private static String quartiles(double[] v) {
        double[] s = v.clone();
        Arrays.sort(s);
        return String.format(Locale.ROOT, "median %.3f (quartiles %.3f-%.3f)", s[s.length / 2], s[s.length / 4],
                s[3 * s.length / 4]);
    }
}
