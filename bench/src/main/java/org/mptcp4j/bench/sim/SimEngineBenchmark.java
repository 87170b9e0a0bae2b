package org.mptcp4j.bench.sim;

import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import org.mptcp4j.sim.BinaryHeapQueue;
import org.mptcp4j.sim.EventQueue;
import org.mptcp4j.sim.QuaternaryHeapQueue;
import org.mptcp4j.sim.Simulation;
import org.openjdk.jmh.annotations.AuxCounters;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;

/**
 * The whole engine: packet trains over three hops ({@link ThreeHopTrains}), 2000 trains of
 * {@code burst} 1500-byte packets, one train per 1.2 ms. The {@code events} counter is the
 * simulator's events per second (serialization completions, pipe arrivals, host wake-ups), the
 * figure the target of 10 million per second is about.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
public class SimEngineBenchmark {
    @Param({"binary", "quaternary"})
    public String queue;

    @Param({"10", "40"})
    public int burst;

    private Supplier<EventQueue> factory;

    /** Per-iteration totals that JMH turns into rates. */
    @State(Scope.Thread)
    @AuxCounters(AuxCounters.Type.OPERATIONS)
    public static class Counts {
        public long events;
        public long simulatedNanos;
        /**
         * On several threads: per partition, the wall time it waited for the others and how often
         * (ParallelSimulation#waitedNanos). Not public: JMH would take them for counters.
         */
        long[] waitedNanos = new long[0];
        long[] waits = new long[0];
        /** On several threads: per partition, the wall time it ran events (ParallelSimulation#busyNanos). */
        long[] busyNanos = new long[0];

        @Setup(Level.Iteration)
        public void reset() {
            events = 0;
            simulatedNanos = 0;
            waitedNanos = new long[0];
            waits = new long[0];
            busyNanos = new long[0];
        }
    }

    @Setup
    public void setUp() {
        factory = switch (queue) {
            case "binary" -> BinaryHeapQueue::new;
            case "quaternary" -> QuaternaryHeapQueue::new;
            default -> throw new IllegalArgumentException(queue);
        };
    }

    @Benchmark
    public long threeHopTrains(Counts counts) {
        Simulation sim = ThreeHopTrains.run(factory, 1, 2000, burst, 1_200_000);
        counts.events += sim.eventsProcessed();
        counts.simulatedNanos += sim.nowNanos();
        return sim.eventsProcessed();
    }
}
