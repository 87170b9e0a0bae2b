package org.mptcp4j.bench.tcp;

import java.util.concurrent.TimeUnit;
import org.mptcp4j.mptcp.SchedulerTrace;
import org.mptcp4j.stack.StackConfig;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;

/**
 * The scheduler trace off and on, per data segment: {@link StackSegmentBenchmark}'s one MSS through
 * both stacks of an MPTCP connection, each segment a scheduling decision of its own (the
 * application writes one MSS at a time). Off, the send path pays a null check; on, it builds the
 * decision (the candidates as they are) and hands it to a trace that counts it. A build without
 * the hook cannot run beside this one, so off is the reference.
 *
 * <pre>java -jar bench/target/benchmarks.jar tcp.SchedulerTraceBenchmark -wi 3 -i 5</pre>
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Fork(1)
public class SchedulerTraceBenchmark {
    @Param({"off", "on"})
    public String trace;

    private StackPairDriver pair;
    /** Decisions seen (on): kept so the trace's work is not dead code. */
    public long decisions;

    @Setup
    public void setUp() throws Exception {
        StackConfig cfg = StackConfig.defaults().withSendBufferBytes(4 << 20).withReceiveBufferBytes(4 << 20);
        pair = new StackPairDriver(cfg, 1);
        SchedulerTrace counting = d -> decisions += d.length();
        pair.client.setSchedulerTrace(trace.equals("on") ? counting : null); // the connection opened next has it
        pair.connectBusy(5001);
    }

    @Benchmark
    public long segmentThroughBothStacks() {
        return pair.segment() + decisions;
    }
}
