package org.mptcp4j.bench.sim;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.UnknownHostException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.mptcp4j.base.Nanos;
import org.mptcp4j.mptcp.Endpoint;
import org.mptcp4j.mptcp.Limits;
import org.mptcp4j.mptcp.SchedulerTrace;
import org.mptcp4j.sim.Simulation;
import org.mptcp4j.sim.stack.BulkSender;
import org.mptcp4j.sim.stack.Sink;
import org.mptcp4j.sim.stack.StackEndpoint;
import org.mptcp4j.sim.topo.MultipathTestbed;
import org.mptcp4j.sim.topo.PathSpec;
import org.mptcp4j.sim.topo.Topologies;
import org.mptcp4j.stack.StackConfig;

/**
 * One bulk transfer over {@code n} subflows in the simulator, for the scheduler's cost: n paths of
 * 100 Mbit/s and 10 ms each, alike, so that each subflow sees what a single one sees and what
 * changes with n is the scheduling (the same total rate split n ways gave each n its own queueing
 * and loss, and the CPU per GB moved by 2x between neighbouring n for that reason alone); a client
 * with a {@code subflow} endpoint on each further path, the chosen scheduler on both hosts, no
 * hashing (the stacks' work, not SHA-256's).
 */
final class SchedulerRuns {
    private SchedulerRuns() {}

    static final long PATH_RATE_BPS = 100_000_000L;
    private static final long LOOK_EVERY_NANOS = 10_000_000L;

    /** What a run did: the data through, the simulated time, the scheduler's decisions traced (0 if no trace). */
    record Result(long bytes, long simulatedNanos, long events, int subflows) {}

    static Result transfer(String scheduler, int n, long bytes, SchedulerTrace trace) {
        Simulation sim = new Simulation(1);
        PathSpec[] paths = new PathSpec[n];
        for (int i = 0; i < n; i++) {
            paths[i] = PathSpec.of(PATH_RATE_BPS, Duration.ofMillis(10));
        }
        MultipathTestbed bed = Topologies.multipathTestbed(sim, paths);
        StackConfig base = StackConfig.defaults();
        // Both ends allow n - 1 joins (`ip mptcp limits set subflows n-1` on each, as Linux needs
        // it): with the default limit of 2 the server refused the fourth to eighth subflow.
        Limits limits = new Limits(Math.max(1, n - 1), 0);
        StackConfig server = base.withMptcp(base.mptcp().withScheduler(scheduler).withLimits(limits));
        List<Endpoint> endpoints = new ArrayList<>();
        for (int i = 1; i < n; i++) {
            endpoints.add(Endpoint.of(address(bed.path(i).clientAddress()), i, Endpoint.Flag.SUBFLOW));
        }
        StackConfig client = server.withMptcp(server.mptcp().withEndpoints(endpoints));
        Sink sink = new Sink(5001).withoutHashing();
        StackEndpoint serverEnd = new StackEndpoint(server).add(sink);
        bed.server().attach(serverEnd);
        BulkSender app = new BulkSender(new InetSocketAddress(address(MultipathTestbed.SERVER_ADDRESS), 5001), bytes, 1)
                .withoutHashing().from(address(bed.path(0).clientAddress()));
        StackEndpoint clientEnd = new StackEndpoint(client).add(app);
        bed.client().attach(clientEnd);
        if (trace != null) {
            clientEnd.stack().setSchedulerTrace(app.conn(), trace);
        }
        int[] most = {0};
        long[] nextLook = {0};
        sim.runUntil(() -> {
            // The subflows are counted every 10 simulated ms, not after every event: a snapshot per
            // event cost 15-19 % of the run, and one per ms still 1 % with 8 subflows (more with
            // more), which measured the benchmark rather than the stacks.
            if (sim.nowNanos() >= nextLook[0] && app.conn() != null) {
                nextLook[0] = sim.nowNanos() + LOOK_EVERY_NANOS;
                var info = clientEnd.stack().mptcpInfo(app.conn());
                if (info != null) {
                    // Subflows that carried data: a join the server refuses is listed for a while too.
                    int carrying = 0;
                    for (var f : info.subflows()) {
                        carrying += f.dataBytesSent() > 0 ? 1 : 0;
                    }
                    most[0] = Math.max(most[0], carrying);
                }
            }
            return sink.completeFlows() == 1;
        }, Nanos.ofSeconds(600));
        if (sink.completeFlows() != 1 || sink.totalBytes() != bytes) {
            throw new AssertionError(scheduler + " over " + n + " subflows: " + sink.totalBytes() + " of " + bytes);
        }
        if (most[0] != n) {
            throw new AssertionError(scheduler + ": " + most[0] + " subflows carried data, not " + n);
        }
        return new Result(bytes, sim.nowNanos(), sim.eventsProcessed(), most[0]);
    }

    private static InetAddress address(String literal) {
        try {
            return InetAddress.getByName(literal);
        } catch (UnknownHostException e) {
            throw new IllegalArgumentException(literal, e);
        }
    }
}
