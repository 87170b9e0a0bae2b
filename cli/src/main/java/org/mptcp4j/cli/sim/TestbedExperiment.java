package org.mptcp4j.cli.sim;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.mptcp4j.net.perf.MultipathTransfer;
import org.mptcp4j.net.testbed.Shell;
import org.mptcp4j.net.testbed.Testbed;
import org.mptcp4j.net.testbed.TestbedConfig;

/**
 * An experiment of the paper that measures real I/O and CPU (Fig. 8, the CPU cost), so it runs on the TUN
 * testbed ({@code docs/TESTBED.md}) instead of the simulator: each run brings up a testbed of its
 * own (its id is random, its namespaces go in {@code finally}), measures, and takes it down. Runs go
 * one after the other whatever {@code --threads} says (two at once would share the CPU they
 * measure); {@code --seeds N} repeats each point N times (real runs are not seeded);
 * {@code --duration} is the seconds of sending per transfer.
 */
abstract class TestbedExperiment implements Experiment {
    /** The kernel server's port. */
    static final int PORT = 5201;

    @Override
    public final boolean needsTestbed() {
        return true;
    }

    @Override
    public int defaultSeeds(boolean quick) {
        return 1;
    }

    @Override
    public double defaultDurationSeconds(boolean quick) {
        return quick ? 2 : 4;
    }

    /**
     * Why this machine cannot run testbed experiments (one line), or null when it can: root,
     * {@code /dev/net/tun}, iproute2 and python3 (the kernel peer).
     */
    static String missingCapability() {
        try {
            boolean root = Files.readString(Path.of("/proc/self/status")).lines()
                    .anyMatch(l -> l.matches("Uid:\\s+0\\s.*"));
            if (!root) {
                return "needs root (the TUN testbed creates network namespaces; run it with sudo)";
            }
        } catch (IOException e) {
            return "cannot tell whether this is root: " + e.getMessage();
        }
        if (!Files.exists(Path.of("/dev/net/tun"))) {
            return "needs /dev/net/tun";
        }
        for (String program : new String[] {"ip", "tc", "python3"}) {
            if (!Shell.hasProgram(program)) {
                return "needs the program " + program;
            }
        }
        return null;
    }

    /** The report's line on how it was made: runs, repetitions, seconds per transfer and the command. */
    String settingsLine(Settings s, int runs) {
        String seconds = java.math.BigDecimal.valueOf(s.durationSeconds()).stripTrailingZeros().toPlainString();
        return String.format(java.util.Locale.ROOT, "Runs: %d (each point %d time%s, a testbed of its own each), %s s of "
                + "sending per transfer; command: `sudo ./mptcp4j sim %s --seeds %d --duration %s%s`.", runs, s.seeds(),
                s.seeds() == 1 ? "" : "s", seconds, name(), s.seeds(), seconds, s.quick() ? " --quick" : "");
    }

    /** Brings up a testbed with {@code config} (its id replaced by a fresh one), runs {@code body}, takes it down. */
    static Map<String, Double> onTestbed(TestbedConfig config, TestbedBody body) {
        TestbedConfig c = new TestbedConfig(Testbed.newId(), config.mtu(), config.rateABps(), config.rateBBps(),
                config.qdisc(), 0, 0, config.offload());
        try {
            Testbed t = Testbed.up(c);
            try {
                return body.run(t);
            } finally {
                Testbed.down(c.id());
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    @FunctionalInterface
    interface TestbedBody {
        Map<String, Double> run(Testbed t) throws IOException;
    }

    /**
     * One point: on a testbed of its own, after the JVM's warm-up, kernel to kernel, mptcp4j to the
     * kernel and the kernel to mptcp4j, measured under the prefixes {@code kernel},
     * {@code mptcp4j_send} and {@code mptcp4j_recv}.
     */
    Map<String, Double> threeTransfers(Run run, TestbedConfig config, MultipathTransfer.Setup setup) {
        return onTestbed(config, t -> {
            MultipathTransfer transfer = MultipathTransfer.on(t, setup);
            transfer.warmUpOnce();
            Map<String, Double> m = new java.util.LinkedHashMap<>();
            String point = name() + " " + run.params();
            measure(m, "kernel", point + ": kernel -> kernel", transfer::kernelToKernel, false, false);
            measure(m, "mptcp4j_send", point + ": mptcp4j -> kernel", transfer::mptcp4jToKernel, true, false);
            measure(m, "mptcp4j_recv", point + ": kernel -> mptcp4j", transfer::kernelToMptcp4j, false, true);
            return m;
        });
    }

    /** One transfer of a point. */
    @FunctionalInterface
    interface Transfer {
        MultipathTransfer.Result run() throws IOException;
    }

    /**
     * Runs one transfer and puts its figures under {@code prefix}: goodput (Mbit/s), subflows, each
     * end's CPU seconds per GB delivered (total, and user alone for an mptcp4j end), and
     * {@code _failed} (1 when the transfer failed or lost bytes: its figures are then NaN, the
     * report shows "-", and stderr says why; the sweep goes on).
     */
    static void measure(Map<String, Double> m, String prefix, String what, Transfer transfer, boolean mptcp4jSends,
                        boolean mptcp4jReceives) {
        MultipathTransfer.Result r;
        String error;
        try {
            r = transfer.run();
            error = r.error();
        } catch (IOException | UncheckedIOException e) {
            r = null;
            error = String.valueOf(e.getMessage());
        }
        if (error != null) {
            System.err.println(what + " failed: " + error);
        }
        MultipathTransfer.Result ok = error == null ? r : null;
        m.put(prefix + "_failed", ok == null ? 1.0 : 0.0);
        m.put(prefix + "_mbps", ok == null ? Double.NaN : ok.goodputMbps());
        m.put(prefix + "_subflows", ok == null ? Double.NaN : ok.subflows());
        m.put(prefix + "_sender_cpu_s_per_gb", ok == null ? Double.NaN : perGb(ok.sender().totalSeconds(), ok));
        if (mptcp4jSends) {
            m.put(prefix + "_sender_user_cpu_s_per_gb", ok == null ? Double.NaN : perGb(ok.sender().userSeconds(), ok));
        }
        m.put(prefix + "_receiver_cpu_s_per_gb", ok == null ? Double.NaN : perGb(ok.receiver().totalSeconds(), ok));
        if (mptcp4jReceives) {
            m.put(prefix + "_receiver_user_cpu_s_per_gb", ok == null ? Double.NaN : perGb(ok.receiver().userSeconds(), ok));
        }
    }

    /** The report's line on failed transfers: how many, and at which points. */
    static String failuresLine(List<ResultTable.Row> rows) {
        List<String> failed = new java.util.ArrayList<>();
        for (ResultTable.Row r : rows) {
            for (String prefix : List.of("kernel", "mptcp4j_send", "mptcp4j_recv")) {
                if (r.metric(prefix + "_failed") != 0) {
                    failed.add(prefix + " at " + r.params());
                }
            }
        }
        return failed.isEmpty() ? "Every transfer completed with all its bytes."
                : "Failed transfers (\"-\" in the tables; the run's stderr says why): " + String.join("; ", failed) + ".";
    }

    private static double perGb(double cpuSeconds, MultipathTransfer.Result r) {
        return MultipathTransfer.Result.perGb(cpuSeconds, r.bytes());
    }
}
