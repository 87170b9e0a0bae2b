package org.mptcp4j.cli;

import java.util.List;
import java.util.concurrent.Callable;
import org.mptcp4j.net.testbed.Testbed;
import org.mptcp4j.net.testbed.TestbedConfig;
import org.mptcp4j.net.testbed.TestbedLayout;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code ./mptcp4j testbed up|down|status}: the paper's Fig. 3 testbed in two network namespaces (root). */
@Command(name = "testbed", mixinStandardHelpOptions = true,
        description = "The namespace testbed (paper Fig. 3): mptcp4j on a TUN, the Linux kernel, two disjoint veth paths. Needs root.",
        subcommands = {TestbedCommand.Up.class, TestbedCommand.Down.class, TestbedCommand.Status.class})
final class TestbedCommand implements Runnable {
    @picocli.CommandLine.Spec
    picocli.CommandLine.Model.CommandSpec spec;

    @Override
    public void run() {
        spec.commandLine().usage(System.out);
    }

    @Command(name = "up", mixinStandardHelpOptions = true, description = "Create a testbed and print its id and addresses.")
    static final class Up implements Callable<Integer> {
        @Option(names = "--id", description = "Testbed id (1-8 of a-z0-9); default: random.")
        String id;

        @Option(names = "--mtu", defaultValue = "1500", description = "MTU of veths and TUN (default ${DEFAULT-VALUE}).")
        int mtu;

        @Option(names = "--rate-a", defaultValue = "unlimited", description = "Rate of path A, e.g. 1gbit, 100mbit (default ${DEFAULT-VALUE}).")
        String rateA;

        @Option(names = "--rate-b", defaultValue = "unlimited", description = "Rate of path B (default ${DEFAULT-VALUE}).")
        String rateB;

        @Option(names = "--qdisc", defaultValue = "tbf", description = "tbf or htb (default ${DEFAULT-VALUE}).")
        String qdisc;

        @Option(names = "--loss-a", defaultValue = "0", paramLabel = "PERCENT",
                description = "Random loss on path A in percent, each direction (e.g. 1, 0.5; at most 4 decimals; default ${DEFAULT-VALUE}). "
                        + "nftables drops packets as they arrive from the path, never on a sender's output.")
        String lossA;

        @Option(names = "--loss-b", defaultValue = "0", paramLabel = "PERCENT", description = "Random loss on path B in percent (default ${DEFAULT-VALUE}).")
        String lossB;

        @Option(names = "--no-offload",
                description = "TSO, GSO and GRO off on the veths (ethtool -K), so one drop is one MTU-sized packet; "
                        + "default: offload on, a 64 KB super-segment crosses the path, and is lost, as one packet.")
        boolean noOffload;

        @Override
        public Integer call() throws Exception {
            TestbedConfig config = new TestbedConfig(id != null ? id : Testbed.newId(), mtu,
                    TestbedConfig.parseRate(rateA), TestbedConfig.parseRate(rateB), qdisc,
                    TestbedConfig.parseLoss(lossA), TestbedConfig.parseLoss(lossB), !noOffload);
            Testbed t = Testbed.up(config);
            TestbedLayout l = t.layout();
            System.out.println("testbed " + config.id() + " is up");
            System.out.println("  mptcp4j runs in:  ip netns exec " + l.mptcp4jNamespace() + " ...  (TUN " + TestbedLayout.TUN
                    + ", addresses " + l.mptcp4jAddressA().getHostAddress() + " path A, " + l.mptcp4jAddressB().getHostAddress() + " path B)");
            System.out.println("  the kernel runs in: ip netns exec " + l.kernelNamespace() + " ...  (addresses "
                    + l.kernelAddressA().getHostAddress() + ", " + l.kernelAddressB().getHostAddress() + ")");
            if (config.lossAPercent() > 0 || config.lossBPercent() > 0 || !config.offload()) {
                System.out.println("  loss: path A " + TestbedConfig.formatLoss(config.lossAPercent()) + ", path B "
                        + TestbedConfig.formatLoss(config.lossBPercent()) + " each direction; veth offload "
                        + (config.offload() ? "on" : "off"));
            }
            System.out.println("  remove it with: ./mptcp4j testbed down --id " + config.id());
            return 0;
        }
    }

    @Command(name = "down", mixinStandardHelpOptions = true, description = "Remove a testbed (all of them with --all).")
    static final class Down implements Callable<Integer> {
        @Option(names = "--id", description = "Which testbed; may be left out when only one is up.")
        String id;

        @Option(names = "--all", description = "Remove every testbed that has a state file.")
        boolean all;

        @Override
        public Integer call() throws Exception {
            List<String> ids = selected(id, all);
            if (ids == null) {
                return 2;
            }
            for (String i : ids) {
                Testbed.down(i);
                System.out.println("testbed " + i + " removed");
            }
            return 0;
        }
    }

    @Command(name = "status", mixinStandardHelpOptions = true, description = "Describe the testbeds that are up.")
    static final class Status implements Callable<Integer> {
        @Option(names = "--id", description = "Only this testbed.")
        String id;

        @Override
        public Integer call() throws Exception {
            List<Testbed> beds = id != null ? Testbed.find(id).stream().toList() : Testbed.list();
            if (beds.isEmpty()) {
                System.out.println(id != null ? "no testbed " + id : "no testbed is up (state in " + Testbed.stateDirectory() + ")");
                return id != null ? 1 : 0;
            }
            for (Testbed t : beds) {
                System.out.print(t.status());
            }
            return 0;
        }
    }

    /** The ids a command acts on, or null after printing why none could be chosen. */
    private static List<String> selected(String id, boolean all) throws Exception {
        if (id != null) {
            return List.of(id);
        }
        List<String> ids = Testbed.list().stream().map(t -> t.config().id()).toList();
        if (all || ids.size() <= 1) {
            if (ids.isEmpty()) {
                System.out.println("no testbed is up");
            }
            return ids;
        }
        System.err.println("several testbeds are up (" + String.join(", ", ids) + "): pass --id ID or --all");
        return null;
    }
}
