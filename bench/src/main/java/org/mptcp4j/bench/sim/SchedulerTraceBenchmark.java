package org.mptcp4j.bench.sim;

import java.util.concurrent.TimeUnit;
import org.mptcp4j.mptcp.SchedulerTrace;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.State;

/**
 * The scheduler trace off and on: a 32 MiB transfer over two subflows ({@link SchedulerRuns}) with
 * no trace, and with one that counts each decision and drops it (what the send path pays to build
 * the decision, before any writing). Off is a null check per mapping; the difference between the
 * two, over the decisions counted, is the trace's cost per decision.
 *
 * <pre>java -jar bench/target/benchmarks.jar SchedulerTraceBenchmark -f 1 -wi 3 -i 5</pre>
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
public class SchedulerTraceBenchmark {
    @Param({"off", "on"})
    public String trace;

    /** Decisions the last run traced (printed by hand from a run with -v EXTRA if wanted). */
    public long decisions;

    @Benchmark
    public long transfer() {
        decisions = 0;
        SchedulerTrace counting = d -> decisions++;
        SchedulerRuns.Result r = SchedulerRuns.transfer("default", 2, 32L << 20, trace.equals("on") ? counting : null);
        return r.events() + decisions;
    }
}
