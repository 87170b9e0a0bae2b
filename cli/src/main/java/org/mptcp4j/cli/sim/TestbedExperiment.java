package org.mptcp4j.cli.sim;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.mptcp4j.net.perf.MultipathTransfer;
import org.mptcp4j.net.testbed.Shell;
import org.mptcp4j.net.testbed.Testbed;
import org.mptcp4j.net.testbed.TestbedConfig;

/**
 * An experiment of the paper's section 5.2 that measures real I/O and CPU, so it runs on the TUN
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
                return "needs root (the TUN testbed creates network namespaces): sudo ./mptcp4j sim";
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

    /** Throws when a transfer lost bytes or failed: a measurement of a broken transfer is no measurement. */
    static MultipathTransfer.Result checked(String what, MultipathTransfer.Result r) throws IOException {
        if (r.error() != null) {
            throw new IOException(what + ": " + r.error());
        }
        return r;
    }

    /**
     * Puts one transfer's figures under {@code prefix}: goodput (Mbit/s), subflows, and each end's
     * CPU seconds per GB delivered (total, and user alone for an mptcp4j end).
     */
    static void put(Map<String, Double> m, String prefix, MultipathTransfer.Result r, boolean mptcp4jSends,
                    boolean mptcp4jReceives) {
        m.put(prefix + "_mbps", r.goodputMbps());
        m.put(prefix + "_subflows", (double) r.subflows());
        m.put(prefix + "_sender_cpu_s_per_gb", MultipathTransfer.Result.perGb(r.sender().totalSeconds(), r.bytes()));
        if (mptcp4jSends) {
            m.put(prefix + "_sender_user_cpu_s_per_gb", MultipathTransfer.Result.perGb(r.sender().userSeconds(), r.bytes()));
        }
        m.put(prefix + "_receiver_cpu_s_per_gb", MultipathTransfer.Result.perGb(r.receiver().totalSeconds(), r.bytes()));
        if (mptcp4jReceives) {
            m.put(prefix + "_receiver_user_cpu_s_per_gb", MultipathTransfer.Result.perGb(r.receiver().userSeconds(), r.bytes()));
        }
    }
}
