package org.mptcp4j.bench.cc;

import java.util.concurrent.TimeUnit;
import org.mptcp4j.base.Nanos;
import org.mptcp4j.cc.AckEvent;
import org.mptcp4j.cc.CongestionAlgorithm;
import org.mptcp4j.cc.CongestionController;
import org.mptcp4j.cc.CoupledGroup;
import org.mptcp4j.cc.LossEvent;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;

/**
 * What one ACK in congestion avoidance costs the congestion controller of an MPTCP subflow: two
 * subflows of one connection (RTTs 20 and 40 ms, windows between 500 and 1000 segments of 1448
 * bytes), ACKs alternating between them, each acknowledging one segment; a window that reaches
 * 1000 segments is halved, so the run is a sawtooth. LIA as the paper implements it (integer alpha,
 * recomputed when a window changes, {@code cwnd_cnt}) against its exact twin (doubles, alpha on
 * every ACK), with uncoupled Reno as the same-run reference.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
public class CoupledAckBenchmark {
    private static final int MSS = 1448;
    private static final long MAX_WINDOW = 1000L * MSS;

    @Param({"lia", "lia-exact", "olia", "balia", "reno"})
    public String cc;

    private final CongestionController[] subflows = new CongestionController[2];
    private final AckEvent[] acks = new AckEvent[2];
    private final LossEvent[] losses = new LossEvent[2];
    private int next;

    @Setup
    public void setUp() {
        CoupledGroup group = new CoupledGroup();
        CongestionAlgorithm a = CongestionAlgorithm.byName(cc).orElseThrow();
        for (int i = 0; i < 2; i++) {
            long rtt = Nanos.ofMillis(20L << i);
            subflows[i] = a.factory().create(group, 0, MSS);
            acks[i] = new AckEvent(0, MSS, rtt, rtt, rtt, MAX_WINDOW, false, true);
            losses[i] = new LossEvent(0, MAX_WINDOW, MSS, rtt);
        }
        for (int i = 0; i < 2; i++) {
            // Slow start to the ceiling, then a loss: congestion avoidance from 500 segments.
            while (subflows[i].windowBytes() < MAX_WINDOW) {
                subflows[i].onAck(acks[i]);
            }
            subflows[i].onCongestion(losses[i]);
        }
    }

    @Benchmark
    public long ack() {
        int i = next++ & 1;
        CongestionController c = subflows[i];
        c.onAck(acks[i]);
        if (c.windowBytes() >= MAX_WINDOW) {
            c.onCongestion(losses[i]);
        }
        return c.windowBytes();
    }
}
