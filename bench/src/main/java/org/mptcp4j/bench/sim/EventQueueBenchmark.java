package org.mptcp4j.bench.sim;

import java.util.PriorityQueue;
import java.util.concurrent.TimeUnit;
import org.mptcp4j.base.Rng;
import org.mptcp4j.sim.BinaryHeapQueue;
import org.mptcp4j.sim.EventHandler;
import org.mptcp4j.sim.EventQueue;
import org.mptcp4j.sim.QuaternaryHeapQueue;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;

/**
 * The classic "hold" model of event-queue benchmarks: the queue keeps {@code size} pending events;
 * each operation pops the earliest and schedules a new one a random increment later (increments
 * are exponential-like with many ties, as packet events are). Compared: our binary heap, our 4-ary
 * heap, and {@link PriorityQueue} of event objects as the same-run reference.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
public class EventQueueBenchmark {
    private static final EventHandler NOOP = (now, arg) -> { };

    @Param({"binary", "quaternary", "jdk-priorityqueue"})
    public String queue;

    @Param({"64", "4096", "262144"})
    public int size;

    private EventQueue ours;
    private PriorityQueue<Ev> reference;
    private long[] increments;
    private int next;
    private long seq;

    private record Ev(long time, long seq, EventHandler handler, Object arg) implements Comparable<Ev> {
        @Override
        public int compareTo(Ev o) {
            int c = Long.compare(time, o.time);
            return c != 0 ? c : Long.compare(seq, o.seq);
        }
    }

    @Setup
    public void setUp() {
        Rng rng = Rng.seeded(1);
        increments = new long[1 << 16];
        for (int i = 0; i < increments.length; i++) {
            // 120 us (a 1500-byte packet at 100 Mbit/s) times 0..15, so many events share a time.
            increments[i] = 120_000L * rng.nextInt(16) + (rng.chance(0.1) ? 10_000_000 : 0);
        }
        switch (queue) {
            case "binary" -> ours = new BinaryHeapQueue();
            case "quaternary" -> ours = new QuaternaryHeapQueue();
            case "jdk-priorityqueue" -> reference = new PriorityQueue<>();
            default -> throw new IllegalArgumentException(queue);
        }
        for (int i = 0; i < size; i++) {
            long t = increments[next++ & 0xFFFF];
            if (ours != null) {
                ours.schedule(t, NOOP, null);
            } else {
                reference.add(new Ev(t, seq++, NOOP, null));
            }
        }
    }

    @Benchmark
    public long hold() {
        long inc = increments[next++ & 0xFFFF];
        if (ours != null) {
            ours.pop();
            long now = ours.poppedTimeNanos();
            ours.schedule(now + inc, NOOP, null);
            return now;
        }
        Ev e = reference.poll();
        reference.add(new Ev(e.time + inc, seq++, NOOP, null));
        return e.time;
    }
}
