package org.mptcp4j.sim;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.function.BooleanSupplier;
import org.mptcp4j.link.LinkSpec;

/**
 * One network run on several threads: its nodes split into partitions, each a {@link Simulation}
 * of its own, joined by links whose propagation delay lets them run apart. This is conservative
 * parallel discrete-event simulation with a fixed lookahead (Chandy and Misra; ns-3's distributed
 * simulator does the same with MPI): a packet sent at time {@code t} over a link between partitions
 * arrives no earlier than {@code t + delay}, so with {@code L} the smallest such delay, every
 * partition can run the window {@code [T, T + L)} on its own thread without anything from another
 * partition arriving in it. At the window's end the partitions wait for each other, the packets
 * sent between them are handed over ({@link Link}'s outbox), and the next window starts at the
 * earliest pending event.
 *
 * <p>Determinism: a partition runs its events in its own {@code (time, seq)} order, and packets
 * cross at window ends in the order of the links' creation, so one seed gives the same run bit for
 * bit however the threads are scheduled. Every component draws from the generator of its name,
 * as in a {@link Simulation}, so a component draws the same numbers in whichever partition it
 * sits. The run is the one {@link Simulation} would make of the same network except where a
 * packet arriving from another partition and an event of the receiving partition fall on the
 * same nanosecond: the arrival is then ordered after the events scheduled before the window began.
 *
 * <pre>{@code
 * ParallelSimulation net = new ParallelSimulation(42, 2);
 * Host a = net.partition(0).host("a", "10.0.0.1");
 * Host b = net.partition(1).host("b", "10.0.0.2");
 * DuplexLink ab = net.connect(a, b, LinkSpec.of(100_000_000, Duration.ofMillis(10)));
 * ...
 * net.runUntil(() -> sink.done(), Nanos.ofSeconds(60));
 * }</pre>
 *
 * <p>Rules: nodes of different partitions meet only through links made here (a link between
 * partitions needs a delay above zero, and cannot be taken down or reconfigured); node names are
 * unique over all partitions; what observes a link's transmissions runs on its sending partition's
 * thread, what observes its deliveries on the receiving one's. Build and run from one thread.
 */
public final class ParallelSimulation {
    /** Spins waiting for the other partitions before yielding the core: a window takes microseconds. */
    private static final int SPINS_BEFORE_YIELD = 1 << 12;

    private final Simulation[] partitions;
    private final List<Link> between = new ArrayList<>();
    /** The smallest delay of a link between partitions: how far the partitions may run apart. */
    private long lookaheadNanos = Long.MAX_VALUE;
    private long windows;

    /** {@code partitions} empty partitions of a run with {@code seed}. */
    public ParallelSimulation(long seed, int partitions) {
        if (partitions < 1) {
            throw new IllegalArgumentException(partitions + " partitions");
        }
        this.partitions = new Simulation[partitions];
        for (int i = 0; i < partitions; i++) {
            Simulation sim = new Simulation(seed);
            sim.pool().numberAsPartition(i, partitions);
            this.partitions[i] = sim;
        }
    }

    public int partitions() {
        return partitions.length;
    }

    /** Partition {@code i}: build its nodes and the links inside it on it. */
    public Simulation partition(int i) {
        return partitions[i];
    }

    /**
     * A one-way link from {@code from} to {@code to}: inside a partition as {@link Simulation#link}
     * makes it, or between two partitions.
     */
    public Link link(Node from, Node to, LinkSpec spec) {
        Simulation a = partitionOf(from);
        Simulation b = partitionOf(to);
        if (a == b) {
            return a.link(from, to, spec);
        }
        if (spec.delayNanos() <= 0) {
            throw new IllegalArgumentException("a link between partitions needs a propagation delay: "
                    + from.name() + "->" + to.name() + " has none");
        }
        String name = from.name() + "->" + to.name();
        String base = name;
        for (int n = 2; linkNamed(name) != null; n++) {
            name = base + "#" + n;
        }
        Link link = a.adopt(new Link(a, name, from, to, spec));
        between.add(link);
        lookaheadNanos = Math.min(lookaheadNanos, spec.delayNanos());
        return link;
    }

    /** A link in each direction between {@code a} and {@code b} (see {@link #link}). */
    public DuplexLink connect(Node a, Node b, LinkSpec aToB, LinkSpec bToA) {
        return new DuplexLink(link(a, b, aToB), link(b, a, bToA));
    }

    public DuplexLink connect(Node a, Node b, LinkSpec spec) {
        return connect(a, b, spec, spec);
    }

    /** The first link of that name in any partition, or null. */
    public Link linkNamed(String name) {
        for (Simulation sim : partitions) {
            Link l = sim.linkNamed(name);
            if (l != null) {
                return l;
            }
        }
        return null;
    }

    /** Every link of every partition, partition by partition. */
    public List<Link> links() {
        List<Link> all = new ArrayList<>();
        for (Simulation sim : partitions) {
            all.addAll(sim.links());
        }
        return all;
    }

    /** The time the partitions have all reached. */
    public long nowNanos() {
        long now = Long.MAX_VALUE;
        for (Simulation sim : partitions) {
            now = Math.min(now, sim.nowNanos());
        }
        return now;
    }

    /** Events run so far, over all partitions. */
    public long eventsProcessed() {
        long events = 0;
        for (Simulation sim : partitions) {
            events += sim.eventsProcessed();
        }
        return events;
    }

    /** Times the partitions have waited for each other. */
    public long windows() {
        return windows;
    }

    /** Packets handed out and not yet released, over all partitions. */
    public long packetsInUse() {
        long n = 0;
        for (Simulation sim : partitions) {
            n += sim.pool().inUse();
        }
        return n;
    }

    /** Runs until no event is left. */
    public void run() {
        runUntil(() -> false, Long.MAX_VALUE);
    }

    /**
     * Runs until {@code done} holds or the next event lies beyond {@code deadlineNanos}; returns
     * whether {@code done} held. {@code done} is asked while the partitions wait for each other,
     * so the run goes on to the end of the window in which it came true (at most the lookahead
     * longer than {@link Simulation#runUntil(BooleanSupplier, long)} would run).
     */
    public boolean runUntil(BooleanSupplier done, long deadlineNanos) {
        if (partitions.length == 1) {
            return partitions[0].runUntil(done, deadlineNanos);
        }
        checkNamesUnique();
        long lookahead = lookaheadNanos; // MAX_VALUE when no link joins the partitions: they run apart to the end
        Workers workers = new Workers();
        try {
            while (!done.getAsBoolean()) {
                long start = nextEventNanos();
                if (start == Long.MAX_VALUE || start > deadlineNanos) {
                    return false;
                }
                // Events strictly before windowEnd run now; a deadline of MAX_VALUE keeps the sum from overflowing.
                long windowEnd = Math.min(deadlineNanos, start > Long.MAX_VALUE - lookahead ? Long.MAX_VALUE - 1
                        : start + lookahead - 1) + 1;
                workers.runWindow(windowEnd);
                windows++;
                exchange();
            }
            return true;
        } finally {
            workers.stop();
        }
    }

    /** The earliest pending event of any partition, or MAX_VALUE. */
    private long nextEventNanos() {
        long next = Long.MAX_VALUE;
        for (Simulation sim : partitions) {
            next = Math.min(next, sim.nextEventNanos());
        }
        return next;
    }

    /**
     * While the partitions wait: the packets sent between them cross, and free packets go back to
     * the pools of the partitions that sent as many away, so that no pool keeps growing.
     */
    private void exchange() {
        for (Link l : between) {
            int crossed = l.crossOver();
            if (crossed > 0) {
                PacketPool to = l.to().simulation().pool();
                to.moveFreeTo(l.from().simulation().pool(), crossed);
            }
        }
    }

    private Simulation partitionOf(Node n) {
        for (Simulation sim : partitions) {
            if (n.simulation() == sim) {
                return sim;
            }
        }
        throw new IllegalArgumentException(n + " belongs to no partition of this simulation");
    }

    /** A component's generator follows from its name: two nodes of one name would draw alike. */
    private void checkNamesUnique() {
        Set<String> names = new HashSet<>();
        for (Simulation sim : partitions) {
            for (String name : sim.nodeNames()) {
                if (!names.add(name)) {
                    throw new IllegalStateException("node name " + name + " is used in two partitions");
                }
            }
        }
    }

    /**
     * The threads of partitions 1 and up; the caller's thread runs partition 0. A window is handed
     * out by raising {@link #released}; each worker raises its {@link Worker#finished} to the same
     * number when its partition has run it. Both are volatile: a write before raising one is seen
     * by whoever reads the raised value, so the partitions' state changes hands at each meeting.
     */
    private final class Workers {
        private final Worker[] workers = new Worker[partitions.length - 1];
        private volatile long released;
        private volatile long windowEnd;
        private volatile boolean stopping;

        Workers() {
            for (int i = 0; i < workers.length; i++) {
                workers[i] = new Worker(partitions[i + 1]);
                Thread t = new Thread(workers[i], "sim-partition-" + (i + 1));
                t.setDaemon(true);
                workers[i].thread = t;
                t.start();
            }
        }

        void runWindow(long end) {
            windowEnd = end;
            long window = released + 1;
            released = window;
            partitions[0].runUntil(end - 1);
            for (Worker w : workers) {
                int spins = 0;
                while (w.finished < window) {
                    spins = pause(spins);
                }
                if (w.failure != null) {
                    throw rethrown(w.failure);
                }
            }
        }

        void stop() {
            stopping = true;
            released = released + 1;
            for (Worker w : workers) {
                try {
                    w.thread.join();
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    return;
                }
            }
        }

        private final class Worker implements Runnable {
            private final Simulation sim;
            private Thread thread;
            private volatile long finished;
            private volatile Throwable failure;

            Worker(Simulation sim) {
                this.sim = sim;
            }

            @Override
            public void run() {
                long done = finished;
                int spins = 0;
                while (true) {
                    long window = released;
                    if (window == done) {
                        spins = pause(spins);
                        continue;
                    }
                    if (stopping) {
                        return;
                    }
                    spins = 0;
                    try {
                        sim.runUntil(windowEnd - 1);
                    } catch (Throwable t) {
                        failure = t;
                    }
                    done = window;
                    finished = window;
                }
            }
        }
    }

    private static int pause(int spins) {
        if (spins < SPINS_BEFORE_YIELD) {
            Thread.onSpinWait();
        } else {
            Thread.yield();
        }
        return spins + 1;
    }

    private static RuntimeException rethrown(Throwable t) {
        if (t instanceof RuntimeException r) {
            return r;
        }
        if (t instanceof Error e) {
            throw e;
        }
        return new IllegalStateException("a partition failed", t);
    }
}
