package org.mptcp4j.sim.mptcp;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.mptcp4j.base.Nanos;
import org.mptcp4j.mib.MibCounter;
import org.mptcp4j.mptcp.Limits;
import org.mptcp4j.mptcp.MptcpConfig;
import org.mptcp4j.mptcp.MptcpInfo;
import org.mptcp4j.sim.Simulation;
import org.mptcp4j.sim.stack.BulkSender;
import org.mptcp4j.sim.stack.Sink;
import org.mptcp4j.sim.stack.StackEndpoint;
import org.mptcp4j.sim.topo.MultipathTestbed;
import org.mptcp4j.sim.topo.PathSpec;
import org.mptcp4j.sim.topo.Topologies;
import org.mptcp4j.stack.ConnHandle;
import org.mptcp4j.stack.StackConfig;
import org.mptcp4j.tcp.TcpState;

/**
 * Both ends send, half-close, read the other's stream to its end and close. After the two
 * DATA_FINs (RFC 8684 section 3.3.3) every subflow closes with a FIN, as Linux closes the
 * subflows once the MPTCP socket is closed at the data level: within a few round trips each one is
 * CLOSED or in TIME_WAIT, and neither stack counts a connection still closing (what a driver
 * waits for before it stops).
 */
class MptcpCloseTest {
    private static final long BYTES = 256 << 10;

    @ParameterizedTest(name = "{0} path(s)")
    @ValueSource(ints = {1, 2})
    void bothEndsClose_everySubflowClosesWithinAFewRoundTrips(int paths) {
        PathSpec[] spec = new PathSpec[paths];
        for (int i = 0; i < paths; i++) {
            spec[i] = PathSpec.of(20_000_000, Duration.ofMillis(10 + 5 * i));
        }
        MptcpScenario s = MptcpScenario.standard(70 + paths, BYTES, spec);
        s.assertIntact(s.run(Nanos.ofSeconds(60)));
        assertThat(s.maxSubflows).as("%s", s).isEqualTo(paths);

        s.sim.runFor(Nanos.ofSeconds(1));

        assertClosed(s, s.clientEnd, s.client.conn());
        assertClosed(s, s.serverEnd, s.server.conn());
    }

    /**
     * The client writes and closes at once (no half-close first); the server reads to the end of
     * the stream and closes only then, answering the client's DATA_FIN with its own.
     */
    @ParameterizedTest(name = "{0} path(s)")
    @ValueSource(ints = {1, 2})
    void writeThenClose_serverClosesAtEndOfStream_everySubflowCloses(int paths) {
        WriteThenClose w = WriteThenClose.start(paths, 80 + paths);
        Simulation sim = w.sim();
        Sink sink = w.sink();
        BulkSender sender = w.sender();
        StackEndpoint serverEnd = w.serverEnd();
        StackEndpoint clientEnd = w.clientEnd();
        int[] maxSubflows = {0};
        boolean done = sim.runUntil(() -> {
            maxSubflows[0] = Math.max(maxSubflows[0], clientEnd.stack().subflowCount());
            return !sink.flows().isEmpty() && sink.flow().isComplete();
        }, Nanos.ofSeconds(60));
        assertThat(done).isTrue();
        assertThat(sink.flow().sha256()).isEqualTo(sender.sha256());
        assertThat(maxSubflows[0]).isEqualTo(paths);

        sim.runFor(Nanos.ofSeconds(1));

        String where = "seed " + (80 + paths) + ", client " + clientEnd.stack().mib() + ", server "
                + serverEnd.stack().mib();
        assertClosed(where, clientEnd, sender.conn());
        assertClosed(where, serverEnd, sink.flow().conn());
    }

    /**
     * MPTcpExtMPCurrEstab as Linux keeps it ({@code mptcp_set_state}): a connection counts while
     * ESTABLISHED or CLOSE_WAIT at the MPTCP level, and no longer from the moment its application
     * closes (FIN_WAIT1 or LAST_ACK), not once its DATA_FIN is acknowledged. The client writes
     * 256 KiB and closes at once, with the data still in flight; the server closes at the end of the
     * stream.
     */
    @Test
    void currEstab_countsUntilTheApplicationCloses_notUntilItsDataFinIsAcked() {
        long seed = 90;
        WriteThenClose w = WriteThenClose.start(2, seed);
        Simulation sim = w.sim();
        Sink sink = w.sink();
        BulkSender sender = w.sender();
        StackEndpoint serverEnd = w.serverEnd();
        StackEndpoint clientEnd = w.clientEnd();

        assertThat(sim.runUntil(sender::isDone, Nanos.ofSeconds(60))).as("seed %d: the client closed", seed).isTrue();
        assertThat(clientEnd.stack().mib().get(MibCounter.MPTCP_CURR_ESTAB)).as("seed %d: the client, closed", seed).isZero();
        assertThat(serverEnd.stack().mib().get(MibCounter.MPTCP_CURR_ESTAB)).as("seed %d: the server, reading", seed)
                .isEqualTo(1);
        assertThat(sink.flows()).as("seed %d: nothing of the stream's end yet", seed).allMatch(f -> !f.isComplete());

        assertThat(sim.runUntil(() -> !sink.flows().isEmpty() && sink.flow().isComplete(), Nanos.ofSeconds(60))).isTrue();
        assertThat(sink.flow().sha256()).isEqualTo(sender.sha256());
        assertThat(serverEnd.stack().mib().get(MibCounter.MPTCP_CURR_ESTAB)).as("seed %d: the server, closed", seed).isZero();
    }

    /**
     * A client that writes {@link #BYTES} and closes at once, joining a subflow per further path
     * (20 Mbit/s, 10 ms and 5 ms more per path), and a server whose {@link Sink} closes at the end
     * of the stream; attached, not yet run.
     */
    private record WriteThenClose(Simulation sim, Sink sink, StackEndpoint serverEnd, BulkSender sender,
            StackEndpoint clientEnd) {
        static WriteThenClose start(int paths, long seed) {
            PathSpec[] spec = new PathSpec[paths];
            for (int i = 0; i < paths; i++) {
                spec[i] = PathSpec.of(20_000_000, Duration.ofMillis(10 + 5 * i));
            }
            Simulation sim = new Simulation(seed);
            MultipathTestbed bed = Topologies.multipathTestbed(sim, spec);
            StackConfig clientConfig = StackConfig.defaults().withMptcp(MptcpConfig.defaults()
                    .withEndpoints(MptcpScenario.subflowEndpoints(bed)).withLimits(new Limits(Math.max(1, paths - 1), 0)));
            Sink sink = new Sink(MptcpScenario.PORT);
            StackEndpoint serverEnd = new StackEndpoint(StackConfig.defaults()).add(sink);
            BulkSender sender = new BulkSender(MptcpScenario.server(), BYTES, seed);
            StackEndpoint clientEnd = new StackEndpoint(clientConfig).add(sender);
            bed.server().attach(serverEnd);
            bed.client().attach(clientEnd);
            return new WriteThenClose(sim, sink, serverEnd, sender, clientEnd);
        }
    }

    private static void assertClosed(Object s, StackEndpoint end, ConnHandle h) {
        MptcpInfo info = end.stack().mptcpInfo(h);
        if (info != null) {
            for (MptcpInfo.SubflowInfo sf : info.subflows()) {
                assertThat(sf.state()).as("%s -> %s; %s", sf.local(), sf.remote(), s)
                        .isIn(TcpState.CLOSED, TcpState.TIME_WAIT);
            }
        }
        assertThat(end.stack().pendingCloseCount()).as("%s", s).isZero();
        assertThat(end.stack().mib().get(MibCounter.MPTCP_CURR_ESTAB)).as("%s", s).isZero();
    }
}
