package org.mptcp4j.bench.sim;

import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import jdk.jfr.Event;
import jdk.jfr.Label;
import jdk.jfr.Name;
import org.mptcp4j.mptcp.SchedulerTrace;

/**
 * The scheduler runs per segment (the paper's worry, section 4.3): CPU seconds per GB of one bulk
 * transfer in the simulator ({@link SchedulerRuns}: 1, 2, 4, 8 alike paths of 100 Mbit/s, 10 ms,
 * and n times the bytes over n subflows, so that each subflow carries about as much, from slow
 * start to steady state, whatever n), both hosts and the network included, in CPU time of the
 * running thread (wall time swings on a shared machine). The configurations take turns, round
 * after round, so that JIT warm-up and the machine's other load fall on all of them alike; each
 * figure is the median of its rounds, and each subflow count is also given as a ratio to the
 * single subflow's figure of the same scheduler: the ratio of the medians, and the median of the
 * ratios within each round (with its range). With {@code trace} in the list, {@code default}
 * over 2 subflows also runs with a trace that counts the decisions and drops them: the difference
 * over the decisions is what building a decision costs when the trace is on.
 *
 * <pre>java -cp bench/target/benchmarks.jar org.mptcp4j.bench.sim.SchedulerCpuPerGb default,ecf,roundrobin,trace 1,2,4,8 32 2 7</pre>
 *
 * Arguments: schedulers, subflow counts, MiB per subflow, warm-up rounds, measured rounds.
 */
public final class SchedulerCpuPerGb {
    private SchedulerCpuPerGb() {}

    /**
     * One transfer, for a flight recording: the execution samples between its begin and end are
     * this configuration's, so one run can split each configuration's CPU between the simulator
     * and the stacks ({@code -XX:StartFlightRecording}; without a recording it costs nothing).
     */
    @Name("org.mptcp4j.bench.SchedulerTransfer")
    @Label("Scheduler transfer")
    static final class TransferEvent extends Event {
        @Label("Scheduler")
        String scheduler;
        @Label("Subflows")
        int subflows;
        @Label("Measured")
        boolean measured;
    }

    private record Config(String scheduler, int subflows, boolean trace) {
        String label() {
            return scheduler + (trace ? "+trace" : "") + " x" + subflows;
        }
    }

    public static void main(String[] args) {
        if (args.length != 5) {
            System.err.println("usage: SchedulerCpuPerGb SCHEDULERS[,trace] SUBFLOW_COUNTS MIB_PER_SUBFLOW WARMUP MEASURED");
            System.exit(2);
        }
        long perSubflow = Long.parseLong(args[2]) << 20;
        int warmup = Integer.parseInt(args[3]);
        int measured = Integer.parseInt(args[4]);
        List<Config> configs = new ArrayList<>();
        for (String scheduler : args[0].split(",")) {
            if (scheduler.equals("trace")) {
                configs.add(new Config("default", 2, true));
                continue;
            }
            for (String count : args[1].split(",")) {
                configs.add(new Config(scheduler, Integer.parseInt(count), false));
            }
        }
        ThreadMXBean threads = ManagementFactory.getThreadMXBean();
        Map<Config, List<Double>> cpuPerGb = new LinkedHashMap<>();
        long[] decisions = new long[1];
        SchedulerTrace counting = d -> decisions[0]++;
        long traced = 0;
        for (int round = 0; round < warmup + measured; round++) {
            for (Config c : configs) {
                long bytes = c.subflows() * perSubflow;
                decisions[0] = 0;
                TransferEvent event = new TransferEvent();
                event.scheduler = c.scheduler() + (c.trace() ? "+trace" : "");
                event.subflows = c.subflows();
                event.measured = round >= warmup;
                event.begin();
                long start = threads.getCurrentThreadCpuTime();
                SchedulerRuns.transfer(c.scheduler(), c.subflows(), bytes, c.trace() ? counting : null);
                long used = threads.getCurrentThreadCpuTime() - start;
                event.commit();
                if (round >= warmup) {
                    cpuPerGb.computeIfAbsent(c, k -> new ArrayList<>()).add(used / 1e9 / (bytes / 1e9));
                    traced = c.trace() ? decisions[0] : traced;
                }
            }
        }
        System.out.printf(Locale.ROOT, "n x %d MiB over n paths of 100 Mbit/s, 10 ms; CPU s per GB, median of %d rounds "
                + "after %d (min-max)%n", perSubflow >> 20, measured, warmup);
        // Each round's ratio to the single subflow's figure of the same round: the machine's other
        // load moves both alike, so their ratio scatters less than the ratio of the two medians.
        Map<Config, List<Double>> perRound = new LinkedHashMap<>();
        for (Config c : configs) {
            Config one = new Config(c.scheduler(), 1, false);
            if (c.subflows() != 1 && !c.trace() && cpuPerGb.containsKey(one)) {
                List<Double> ratios = new ArrayList<>();
                for (int i = 0; i < measured; i++) {
                    ratios.add(cpuPerGb.get(c).get(i) / cpuPerGb.get(one).get(i));
                }
                Collections.sort(ratios);
                perRound.put(c, ratios);
            }
        }
        Map<String, Double> single = new LinkedHashMap<>();
        for (Config c : configs) {
            List<Double> v = cpuPerGb.get(c);
            Collections.sort(v);
            double median = v.get(v.size() / 2);
            if (c.subflows() == 1 && !c.trace()) {
                single.put(c.scheduler(), median);
            }
            Double one = single.get(c.scheduler());
            String ratio = c.trace() ? "" : c.subflows() == 1 || one == null ? ""
                    : String.format(Locale.ROOT, "  %.2f x 1 subflow", median / one);
            List<Double> r = perRound.get(c);
            String rounds = r == null ? "" : String.format(Locale.ROOT, "; per round %.2f (%.2f-%.2f)",
                    r.get(r.size() / 2), r.getFirst(), r.getLast());
            System.out.printf(Locale.ROOT, "%-22s %.3f (%.3f-%.3f)%s%s%n", c.label(), median, v.get(0), v.get(v.size() - 1),
                    ratio, rounds);
        }
        Config on = new Config("default", 2, true);
        Config off = new Config("default", 2, false);
        if (cpuPerGb.containsKey(on) && cpuPerGb.containsKey(off)) {
            double gb = 2 * perSubflow / 1e9;
            double onSeconds = cpuPerGb.get(on).get(measured / 2) * gb;
            double offSeconds = cpuPerGb.get(off).get(measured / 2) * gb;
            System.out.printf(Locale.ROOT, "trace on: %d decisions per transfer, %+.0f ns per decision (medians: %.3f s on, "
                    + "%.3f s off)%n", traced, (onSeconds - offSeconds) * 1e9 / Math.max(1, traced), onSeconds, offSeconds);
        }
    }
}
