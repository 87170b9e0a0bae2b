package org.mptcp4j.cli;

import java.util.concurrent.Callable;
import picocli.CommandLine.Command;

/**
 * The main job. Until the engine can carry a transfer end to end it reports the version and what
 * is built and what is coming; each later piece replaces a line of this with a real run.
 */
@Command(name = "demo", description = "Run the demonstration (for now: version and roadmap).")
final class DemoCommand implements Callable<Integer> {
    @Override
    public Integer call() {
        System.out.println("mptcp4j " + Version.current() + " on Java " + Runtime.version());
        System.out.println();
        System.out.println("Commands to come:");
        System.out.println("  demo      a multipath transfer over two simulated paths, then over the namespace testbed");
        System.out.println("  sim       the paper's experiments in the deterministic simulator (Figs. 4-8)");
        System.out.println("  perf      iperf-like measurements over UDP or TUN, against mptcp4j or the kernel");
        System.out.println("  testbed   up | down | status: the paper's Fig. 3 testbed in network namespaces");
        return 0;
    }
}
