package org.mptcp4j.bench.sim;

import java.nio.file.Path;
import java.time.Instant;
import java.util.*;
import jdk.jfr.consumer.*;

/**
 * Splits the execution samples of a {@link SchedulerCpuPerGb} flight recording by configuration
 * (the samples inside its measured transfers) and by owner, the first mptcp4j frame on the stack:
 * the stacks ({@code engine}: core's packages), the simulator ({@code org.mptcp4j.sim}: events,
 * links, hosts), the simulated applications and their glue to the stack
 * ({@code org.mptcp4j.sim.stack}: BulkSender, Sink, StackEndpoint), the benchmark itself. Prints
 * samples per GB and shares; a share times the configuration's CPU s/GB is that owner's cost.
 *
 * <pre>
 * java -XX:StartFlightRecording=filename=/tmp/s.jfr,settings=profile,jdk.ExecutionSample#period=1ms \
 *     -cp bench/target/benchmarks.jar org.mptcp4j.bench.sim.SchedulerCpuPerGb default 1,8 32 2 7
 * java -cp bench/target/benchmarks.jar org.mptcp4j.bench.sim.SchedulerCpuSplit /tmp/s.jfr 32
 * </pre>
 *
 * Arguments: the recording, MiB per subflow (as given to SchedulerCpuPerGb), optionally how many
 * of the methods that own the most samples to list per configuration (the first mptcp4j frame).
 */
public final class SchedulerCpuSplit {
    private SchedulerCpuSplit() {}

    private record Run(long start, long end, String config, boolean measured, long bytes) {}

    public static void main(String[] a) throws java.io.IOException {
        if (a.length != 2 && a.length != 3) {
            System.err.println("usage: SchedulerCpuSplit RECORDING.jfr MIB_PER_SUBFLOW [TOP_METHODS]");
            System.exit(2);
        }
        long mibPerSubflow = Long.parseLong(a[1]);
        List<Run> runs = new ArrayList<>();
        List<RecordedEvent> samples = new ArrayList<>();
        try (RecordingFile f = new RecordingFile(Path.of(a[0]))) {
            while (f.hasMoreEvents()) {
                RecordedEvent e = f.readEvent();
                String t = e.getEventType().getName();
                if (t.equals("org.mptcp4j.bench.SchedulerTransfer")) {
                    int n = e.getInt("subflows");
                    runs.add(new Run(nanos(e.getStartTime()), nanos(e.getEndTime()), e.getString("scheduler") + " x" + n,
                            e.getBoolean("measured"), n * mibPerSubflow << 20));
                } else if (t.equals("jdk.ExecutionSample")) {
                    samples.add(e);
                }
            }
        }
        runs.sort(Comparator.comparingLong(Run::start));
        int top = a.length == 3 ? Integer.parseInt(a[2]) : 0;
        Map<String, Map<String, Integer>> count = new TreeMap<>();
        Map<String, Map<String, Integer>> methods = new TreeMap<>();
        Map<String, Double> gb = new TreeMap<>();
        for (Run r : runs) {
            if (r.measured()) {
                gb.merge(r.config(), r.bytes() / 1e9, Double::sum);
            }
        }
        for (RecordedEvent s : samples) {
            long t = nanos(s.getStartTime());
            Run run = null;
            for (Run r : runs) {
                if (r.start() <= t && t <= r.end()) {
                    run = r;
                    break;
                }
            }
            if (run == null || !run.measured()) {
                continue;
            }
            String owner = "other";
            RecordedStackTrace st = s.getStackTrace();
            if (st != null) {
                for (RecordedFrame fr : st.getFrames()) {
                    String c = fr.getMethod().getType().getName();
                    if (c.startsWith("org.mptcp4j.")) {
                        methods.computeIfAbsent(run.config(), k -> new HashMap<>())
                                .merge(c + "." + fr.getMethod().getName(), 1, Integer::sum);
                        owner = c.startsWith("org.mptcp4j.sim.stack.") ? "sim-apps+glue"
                                : c.startsWith("org.mptcp4j.sim.") ? "simulator"
                                : c.startsWith("org.mptcp4j.bench.") ? "benchmark" : "engine";
                        break;
                    }
                }
            }
            count.computeIfAbsent(run.config(), k -> new TreeMap<>()).merge(owner, 1, Integer::sum);
        }
        System.out.println("samples (1 ms each) per GB, measured rounds");
        for (var e : count.entrySet()) {
            double g = gb.get(e.getKey());
            int total = e.getValue().values().stream().mapToInt(Integer::intValue).sum();
            StringBuilder b = new StringBuilder(String.format("%-14s total %6.0f/GB", e.getKey(), total / g));
            for (var o : e.getValue().entrySet()) {
                b.append(String.format("  %s %.0f (%.1f%%)", o.getKey(), o.getValue() / g, 100.0 * o.getValue() / total));
            }
            System.out.println(b);
            methods.getOrDefault(e.getKey(), Map.of()).entrySet().stream()
                    .sorted(Map.Entry.<String, Integer>comparingByValue().reversed()).limit(top)
                    .forEach(m -> System.out.printf("    %6.0f/GB %s%n", m.getValue() / g, m.getKey()));
        }
    }

    private static long nanos(Instant i) {
        return i.getEpochSecond() * 1_000_000_000L + i.getNano();
    }
}
