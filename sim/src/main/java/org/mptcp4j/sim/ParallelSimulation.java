package org.mptcp4j.sim;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.atomic.AtomicLongArray;
import java.util.concurrent.locks.LockSupport;
import java.util.function.BooleanSupplier;
import org.mptcp4j.link.LinkSpec;

/**
 * One network run on several threads: its nodes split into partitions, each a {@link Simulation}
 * of its own, joined by links whose propagation delay lets them run apart. This is conservative
 * parallel discrete-event simulation (Chandy, Misra and Bryant; ns-3's distributed simulator is of
 * the same kind): a packet sent at time {@code t} over a link between partitions arrives no
 * earlier than {@code t + delay}. Each partition publishes how far it has got, a time before which
 * it will send nothing more; another partition may run every event earlier than that time plus
 * the link's delay, once it has taken the packets published with it. So each thread runs ahead
 * on its own, by up to a link delay, and waits only when the other is that far behind. Every
 * {@link #CHECKPOINT_NANOS} of simulated time (or the lookahead, if longer) all partitions stop at
 * the same time: then the stop condition is asked, and the packet pools are balanced.
 *
 * <p>Determinism: a partition runs its events in its own {@code (time, seq)} order, and a packet
 * from another partition arrives with a seq of its own ({@link EventQueue#FIRST_OWN_SEQ}: by link,
 * then by its place on the link), which does not depend on when the receiving thread took it over.
 * So one seed gives the same run bit for bit however the threads are scheduled. Every component
 * draws from the generator of its name, as in a {@link Simulation}, whatever its partition. The
 * run is the one a {@link Simulation} makes of the same network except where a packet arriving
 * from another partition falls on the same nanosecond as another event of the receiving partition:
 * the arrival then comes after the partition's own events, and arrivals in link order.
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
 * unique over all partitions; an application or event reads and writes only its own partition's
 * objects (the stop condition, asked at checkpoints, may read all of them); what observes a link's
 * transmissions runs on its sending partition's thread, what observes its deliveries on the
 * receiving one's. Build and run from one thread.
 */
public final class ParallelSimulation {
    /** Pauses between two looks at the other partitions' progress while waiting for them. */
    private static final int WAIT_SPINS = 32;
    /**
     * Spins waiting for another partition before parking: on an idle core the other is most often
     * microseconds away, but on a loaded machine a spinning thread takes the core the partition it
     * waits for needs, so it then sleeps in short naps instead.
     */
    private static final int SPINS_BEFORE_PARK = 1 << 16;
    private static final long PARK_NANOS = 20_000;

    /** Simulated time between checkpoints, at least: where the stop condition is asked. */
    public static final long CHECKPOINT_NANOS = 50_000_000;

    private final Simulation[] partitions;
    private final List<Link> between = new ArrayList<>();
    /** Per partition, the ends of the links from other partitions into it, the partition and the delay of each. */
    private final PipeEnd[][] inbound;
    private final int[][] inboundFrom;
    private final long[][] inboundDelay;
    /** Set when a partition failed or the run is being left: a partition waiting for others gives up. */
    private volatile boolean abandon;
    /** The smallest delay of a link between partitions: how far the partitions may run apart. */
    private long lookaheadNanos = Long.MAX_VALUE;
    /** Per partition (at {@link #slot}), a time before which it will send nothing more. */
    private final AtomicLongArray progress;
    /** Per partition (at {@link #slot}), 1 while it waits for another's progress: they then publish at every event. */
    private final AtomicLongArray waiting;
    /** Per partition, the partitions its links lead into: those that wait for its progress. */
    private final int[][] listeners;
    private long checkpoints;
    /**
     * Per partition (at {@link #slot}), written by its own thread only: the wall time it spent
     * waiting for the others' progress within a stretch, and how many times it began to.
     */
    private final long[] waitedNanos;
    private final long[] waits;
    /** Per partition (at {@link #slot}), written by its own thread only: the wall time it spent running events. */
    private final long[] busyNanos;
    /** Progress is published when it has moved this far: a fraction of the lookahead, so little of it is lost. */
    private long publishQuantum;
    private static final int PUBLISH_PER_LOOKAHEAD = 64;

    /** {@code partitions} empty partitions of a run with {@code seed}. */
    public ParallelSimulation(long seed, int partitions) {
        if (partitions < 1) {
            throw new IllegalArgumentException(partitions + " partitions");
        }
        this.partitions = new Simulation[partitions];
        this.inbound = new PipeEnd[partitions][0];
        this.inboundFrom = new int[partitions][0];
        this.inboundDelay = new long[partitions][0];
        this.progress = new AtomicLongArray(slot(partitions));
        this.waiting = new AtomicLongArray(slot(partitions));
        this.listeners = new int[partitions][0];
        this.waitedNanos = new long[slot(partitions)];
        this.waits = new long[slot(partitions)];
        this.busyNanos = new long[slot(partitions)];
        for (int i = 0; i < partitions; i++) {
            Simulation sim = new Simulation(seed);
            sim.pool().numberAsPartition(i, partitions);
            this.partitions[i] = sim;
        }
        // A ring from each pool to each other for the packets it made that end there (PacketPool#joinPartitions).
        CrossQueue[][] rings = new CrossQueue[partitions][partitions];
        for (int from = 0; from < partitions; from++) {
            for (int to = 0; to < partitions; to++) {
                rings[from][to] = from == to ? null : new CrossQueue();
            }
        }
        for (int i = 0; i < partitions; i++) {
            CrossQueue[] comingBack = new CrossQueue[partitions];
            for (int from = 0; from < partitions; from++) {
                comingBack[from] = rings[from][i];
            }
            this.partitions[i].pool().joinPartitions(i, rings[i], comingBack);
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
        int sender = partitionOf(from);
        int receiver = partitionOf(to);
        Simulation a = partitions[sender];
        if (sender == receiver) {
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
        link.numberAcross(between.size());
        between.add(link);
        int n = inbound[receiver].length;
        inbound[receiver] = Arrays.copyOf(inbound[receiver], n + 1);
        inbound[receiver][n] = link.end();
        inboundFrom[receiver] = Arrays.copyOf(inboundFrom[receiver], n + 1);
        inboundFrom[receiver][n] = sender;
        inboundDelay[receiver] = Arrays.copyOf(inboundDelay[receiver], n + 1);
        inboundDelay[receiver][n] = spec.delayNanos();
        if (Arrays.stream(listeners[sender]).noneMatch(l -> l == receiver)) {
            listeners[sender] = Arrays.copyOf(listeners[sender], listeners[sender].length + 1);
            listeners[sender][listeners[sender].length - 1] = receiver;
        }
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

    /** Times all partitions have stood at a checkpoint. */
    public long checkpoints() {
        return checkpoints;
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
     * whether {@code done} held. {@code done} is asked while all partitions stand at a checkpoint,
     * so the run goes on to the checkpoint after the one in which it came true (at most
     * {@link #CHECKPOINT_NANOS}, or the lookahead, longer than {@link Simulation#runUntil(BooleanSupplier, long)}).
     */
    public boolean runUntil(BooleanSupplier done, long deadlineNanos) {
        if (partitions.length == 1) {
            return partitions[0].runUntil(done, deadlineNanos);
        }
        checkNamesUnique();
        abandon = false;
        publishQuantum = Math.max(1, lookaheadNanos / PUBLISH_PER_LOOKAHEAD);
        long interval = Math.max(CHECKPOINT_NANOS, lookaheadNanos);
        Threads threads = new Threads();
        try {
            while (!done.getAsBoolean()) {
                long start = nextEventNanos();
                if (start == Long.MAX_VALUE || start > deadlineNanos) {
                    return false;
                }
                // Events strictly before stopAt run now; the sum saturates for a deadline of MAX_VALUE.
                long stopAt = Math.min(deadlineNanos, start > Long.MAX_VALUE - interval ? Long.MAX_VALUE - 1
                        : start + interval - 1) + 1;
                threads.run(start, stopAt);
                checkpoints++;
                atCheckpoint(stopAt);
            }
            return true;
        } finally {
            threads.stop();
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
     * All partitions stand at {@code stopAt}: their clocks are set to it, and the packets sent to
     * arrive later are taken into their pipes.
     */
    private void atCheckpoint(long stopAt) {
        for (Simulation sim : partitions) {
            sim.runUntil(stopAt - 1); // nothing is left before stopAt: this only moves the clock
        }
        for (Link l : between) {
            l.end().takeArrivals();
        }
    }

    /**
     * Partition {@code i}'s events before {@code stopAt}, as far as the partitions it hears from
     * allow: each has published in {@link #progress} a time before which it sends nothing more,
     * so nothing arrives from it before that time plus the link's delay. It publishes its own
     * progress before an event once the event's time is {@link #publishQuantum} past what it last
     * published (a write per event would cost a cache miss per event, the other thread reading
     * the line), before every event while a partition it sends to waits for it ({@link #waiting}),
     * and when it waits itself (the earliest time it may still have an event at), which is what
     * keeps two waiting partitions from waiting for ever: each lets the other run a link delay
     * further.
     */
    private void runPartition(int i, long stopAt) {
        Simulation sim = partitions[i];
        PipeEnd[] in = inbound[i];
        int[] from = inboundFrom[i];
        long[] delays = inboundDelay[i];
        int[] waiters = listeners[i];
        long published = progress.getPlain(slot(i));
        int spins = 0;
        boolean flagged = false;
        long waitingSince = 0; // System.nanoTime() when this partition began to wait; 0 while it runs
        while (true) {
            long horizon = stopAt;
            for (int k = 0; k < in.length; k++) {
                long sender = progress.getAcquire(slot(from[k]));
                horizon = Math.min(horizon, sender > Long.MAX_VALUE - delays[k] ? Long.MAX_VALUE : sender + delays[k]);
            }
            // After reading the senders' progress: all they sent before it is in the queues now.
            for (PipeEnd e : in) {
                e.takeArrivals();
            }
            long next = sim.nextEventNanos();
            if (waitingSince != 0 && (next < horizon || horizon >= stopAt || abandon)) {
                waitedNanos[slot(i)] += System.nanoTime() - waitingSince;
                waitingSince = 0;
            }
            if (flagged && next < horizon) {
                waiting.setRelease(slot(i), 0);
                flagged = false;
            }
            boolean runs = next < horizon;
            long running = runs ? System.nanoTime() : 0; // two clock reads per run of events, not per event
            for (; next < horizon; next = sim.nextEventNanos()) {
                if (next != published && (next - published >= publishQuantum || anyWaiting(waiters))) {
                    progress.setRelease(slot(i), next);
                    published = next;
                }
                sim.step();
                spins = 0;
            }
            if (runs) {
                busyNanos[slot(i)] += System.nanoTime() - running;
            }
            long safe = Math.min(next, horizon);
            if (safe != published) {
                progress.setRelease(slot(i), safe);
                published = safe;
            }
            if (horizon >= stopAt || abandon) {
                if (flagged) {
                    waiting.setRelease(slot(i), 0);
                }
                return;
            }
            if (!flagged) {
                waiting.setRelease(slot(i), 1);
                flagged = true;
            }
            if (waitingSince == 0) {
                waitingSince = System.nanoTime();
                waits[slot(i)]++;
            }
            // Read the others' lines seldom while they write them: each read takes the line away.
            for (int k = 0; k < WAIT_SPINS; k++) {
                Thread.onSpinWait();
            }
            spins = pause(spins);
        }
    }

    private boolean anyWaiting(int[] partitions) {
        for (int p : partitions) {
            if (waiting.getOpaque(slot(p)) != 0) {
                return true;
            }
        }
        return false;
    }

    /** A partition's place in {@link #progress}: a cache line of its own, as each writes its own while the others read it. */
    private static int slot(int partition) {
        return (partition + 1) * 16; // and none on the array's first line, which holds its length
    }

    /**
     * Wall time partition {@code i}'s thread has spent waiting for the other partitions' progress
     * (a stretch's events it could not run yet, since a packet sent before them might still
     * arrive), over all runs so far; not the waits at checkpoints. What the partitioning loses
     * beside the work itself: a partition that never waits runs as fast as it can. Read it
     * between runs.
     */
    public long waitedNanos(int i) {
        return waitedNanos[slot(i)];
    }

    /**
     * Wall time partition {@code i}'s thread has spent running events, over all runs so far: with
     * {@link #waitedNanos}, what a partition's time went to. Beside a one-thread run of the same
     * network it shows what the work itself costs more on several threads (packets copied across,
     * cache lines handed between cores). Read it between runs.
     */
    public long busyNanos(int i) {
        return busyNanos[slot(i)];
    }

    /** How many times partition {@code i} began to wait (see {@link #waitedNanos}). */
    public long waits(int i) {
        return waits[slot(i)];
    }

    /** The index of the partition {@code n} was built on. */
    private int partitionOf(Node n) {
        for (int i = 0; i < partitions.length; i++) {
            if (n.simulation() == partitions[i]) {
                return i;
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
     * The threads of partitions 1 and up; the caller's thread runs partition 0. A stretch to a
     * checkpoint is handed out by raising {@link #released}; each worker raises its
     * {@link Worker#finished} to the same number when its partition has reached the checkpoint.
     * Both are volatile: what a thread wrote before raising one is seen by whoever reads the
     * raised value, so the partitions' state changes hands at each checkpoint.
     */
    private final class Threads {
        private final Worker[] workers = new Worker[partitions.length - 1];
        /** The thread that runs partition 0 and waits for the workers at each checkpoint. */
        private final Thread caller = Thread.currentThread();
        private volatile long released;
        private volatile long stopAt;
        private volatile boolean stopping;

        Threads() {
            for (int i = 0; i < workers.length; i++) {
                workers[i] = new Worker(i + 1);
                Thread t = new Thread(workers[i], "sim-partition-" + (i + 1));
                t.setDaemon(true);
                workers[i].thread = t;
                t.start();
            }
        }

        /** Runs every partition from {@code start} (no event is earlier) to just before {@code end}. */
        void run(long start, long end) {
            for (int i = 0; i < partitions.length; i++) {
                progress.setRelease(slot(i), start);
            }
            stopAt = end;
            long stretch = released + 1;
            released = stretch;
            for (Worker w : workers) {
                LockSupport.unpark(w.thread);
            }
            try {
                runPartition(0, end);
            } catch (RuntimeException | Error e) {
                abandon = true;
                awaitWorkers(stretch);
                throw e;
            }
            awaitWorkers(stretch);
            for (Worker w : workers) {
                if (w.failure != null) {
                    throw rethrown(w.failure);
                }
            }
        }

        private void awaitWorkers(long stretch) {
            for (Worker w : workers) {
                int spins = 0;
                while (w.finished < stretch) {
                    spins = pause(spins);
                }
            }
        }

        void stop() {
            abandon = true;
            stopping = true;
            released = released + 1;
            for (Worker w : workers) {
                LockSupport.unpark(w.thread);
            }
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
            private final int partition;
            private Thread thread;
            private volatile long finished;
            private volatile Throwable failure;

            Worker(int partition) {
                this.partition = partition;
            }

            @Override
            public void run() {
                long done = finished;
                int spins = 0;
                while (true) {
                    long stretch = released;
                    if (stretch == done) {
                        spins = pause(spins);
                        continue;
                    }
                    if (stopping) {
                        return;
                    }
                    spins = 0;
                    if (failure == null) {
                        try {
                            runPartition(partition, stopAt);
                        } catch (Throwable t) {
                            failure = t;
                            abandon = true;
                        }
                    }
                    done = stretch;
                    finished = stretch;
                    LockSupport.unpark(caller);
                }
            }
        }
    }

    /** One step of waiting for another thread: spins first, then naps (see {@link #SPINS_BEFORE_PARK}). */
    static int pause(int spins) {
        if (spins < SPINS_BEFORE_PARK) {
            Thread.onSpinWait();
        } else {
            LockSupport.parkNanos(PARK_NANOS);
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
