package org.mptcp4j.sim;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.BooleanSupplier;
import org.mptcp4j.base.Nanos;
import org.mptcp4j.base.Rng;
import org.mptcp4j.link.LinkSpec;

/**
 * A discrete-event network in virtual nanoseconds: the clock, the event queue, the packet pool,
 * the random generators, and the nodes and links of one topology.
 *
 * <p>Determinism: events run in {@code (time, seq)} order (see {@link EventQueue}), and every
 * component draws from its own generator, derived from the run seed and the component's name
 * ({@link #rng}), so one seed gives the same run bit for bit, and adding a component does not
 * change the draws of the others. Single-threaded: build and run from one thread (a
 * {@link ParallelSimulation} runs several, each the partition of one network, on their own threads).
 *
 * <pre>{@code
 * Simulation sim = new Simulation(42);
 * Host a = sim.host("a", "10.0.0.1");
 * Host b = sim.host("b", "10.0.0.2");
 * DuplexLink ab = sim.connect(a, b, LinkSpec.of(100_000_000, Duration.ofMillis(10)));
 * a.route("0.0.0.0/0", ab.aToB());
 * b.route("0.0.0.0/0", ab.bToA());
 * a.attach(generator);
 * b.attach(sink);
 * sim.runFor(Duration.ofSeconds(10));
 * }</pre>
 */
public final class Simulation {
    private final long seed;
    private final EventQueue queue;
    private final PacketPool pool = new PacketPool();
    private final Map<String, Node> nodes = new LinkedHashMap<>();
    private final List<Link> links = new ArrayList<>();
    private long nowNanos;
    private long eventsProcessed;

    /** A simulation on the default event queue, {@link QuaternaryHeapQueue} (the faster measured). */
    public Simulation(long seed) {
        this(seed, new QuaternaryHeapQueue());
    }

    /** A simulation on a specific event-queue implementation (benchmarks compare them). */
    public Simulation(long seed, EventQueue queue) {
        this.seed = seed;
        this.queue = queue;
    }

    public long seed() {
        return seed;
    }

    public long nowNanos() {
        return nowNanos;
    }

    public PacketPool pool() {
        return pool;
    }

    /** Events run so far. */
    public long eventsProcessed() {
        return eventsProcessed;
    }

    /** The time of the earliest pending event (a cancelled one perhaps), or MAX_VALUE when none is left. */
    long nextEventNanos() {
        return queue.isEmpty() ? Long.MAX_VALUE : queue.peekTimeNanos();
    }

    /** Events waiting (lazily cancelled ones included). */
    public int pendingEvents() {
        return queue.size();
    }

    /**
     * The generator of the component called {@code componentName}: a pure function of the run
     * seed and the name, independent of the order components are created in.
     */
    public Rng rng(String componentName) {
        long h = 0xCBF2_9CE4_8422_2325L; // FNV-1a 64
        for (int i = 0; i < componentName.length(); i++) {
            h = (h ^ componentName.charAt(i)) * 0x0000_0100_0000_01B3L;
        }
        return Rng.seeded(Rng.seeded(seed ^ h).nextLong());
    }

    /** Schedules {@code handler} at {@code atNanos} (not before now); returns the event's seq. */
    public long schedule(long atNanos, EventHandler handler, Object arg) {
        if (atNanos < nowNanos) {
            throw new IllegalArgumentException("event in the past: " + atNanos + " < " + nowNanos);
        }
        if (atNanos == Nanos.NEVER) {
            throw new IllegalArgumentException("an event cannot be scheduled at Nanos.NEVER");
        }
        return queue.schedule(atNanos, handler, arg);
    }

    /** As {@link #schedule(long, EventHandler, Object)} with the caller's seq (see {@link EventQueue#schedule(long, long, EventHandler, Object)}). */
    long schedule(long atNanos, long seq, EventHandler handler, Object arg) {
        if (atNanos < nowNanos) {
            throw new IllegalArgumentException("event in the past: " + atNanos + " < " + nowNanos);
        }
        return queue.schedule(atNanos, seq, handler, arg);
    }

    public long scheduleIn(long delayNanos, EventHandler handler, Object arg) {
        return schedule(nowNanos + delayNanos, handler, arg);
    }

    /**
     * Counts an event whose work a component did in place, within the event running now, instead
     * of scheduling it for now (a zero-delay link's delivery): {@link #eventsProcessed()} stays
     * the count of events the model has. A {@link #runUntil(BooleanSupplier, long)} condition is
     * not asked between the two.
     */
    void countInlineEvent() {
        eventsProcessed++;
    }

    /** The seq of the event running now: compare with a kept seq to ignore cancelled events. */
    public long currentEventSeq() {
        return queue.poppedSeq();
    }

    /** Runs until no event is left. */
    public void run() {
        runUntil(Long.MAX_VALUE);
    }

    /** Runs every event at or before {@code endNanos}; the clock then reads {@code endNanos}. */
    public void runUntil(long endNanos) {
        EventQueue q = queue;
        long events = 0;
        while (!q.isEmpty() && q.peekTimeNanos() <= endNanos) {
            EventHandler h = q.pop();
            nowNanos = q.poppedTimeNanos();
            events++;
            h.onEvent(nowNanos, q.poppedArg());
        }
        eventsProcessed += events;
        if (endNanos != Long.MAX_VALUE && endNanos > nowNanos) {
            nowNanos = endNanos;
        }
    }

    /**
     * Runs until {@code done} holds (checked after each event) or the next event lies beyond
     * {@code deadlineNanos}; returns whether {@code done} held. The bounded drive of scenario
     * tests: it fails instead of hanging.
     */
    public boolean runUntil(BooleanSupplier done, long deadlineNanos) {
        while (!done.getAsBoolean()) {
            if (queue.isEmpty() || queue.peekTimeNanos() > deadlineNanos) {
                return false;
            }
            step();
        }
        return true;
    }

    public void runFor(long durationNanos) {
        runUntil(nowNanos + durationNanos);
    }

    public void runFor(Duration duration) {
        runFor(duration.toNanos());
    }

    /** Runs the next event; false when there was none. */
    public boolean step() {
        if (queue.isEmpty()) {
            return false;
        }
        EventHandler h = queue.pop();
        nowNanos = queue.poppedTimeNanos();
        eventsProcessed++;
        h.onEvent(nowNanos, queue.poppedArg());
        return true;
    }

    /** A new host with the given address literals. */
    public Host host(String name, String... addresses) {
        Host h = register(new Host(this, name));
        for (String a : addresses) {
            h.address(a);
        }
        return h;
    }

    public Router router(String name) {
        return register(new Router(this, name));
    }

    /** A one-way link from {@code from} to {@code to}. */
    public Link link(Node from, Node to, LinkSpec spec) {
        checkMine(from);
        checkMine(to);
        String base = from.name() + "->" + to.name();
        String name = base;
        for (int n = 2; linkNamed(name) != null; n++) {
            name = base + "#" + n;
        }
        Link link = new Link(this, name, from, to, spec);
        links.add(link);
        return link;
    }

    /** A link in each direction between {@code a} and {@code b}, both described by {@code spec}. */
    public DuplexLink connect(Node a, Node b, LinkSpec spec) {
        return connect(a, b, spec, spec);
    }

    public DuplexLink connect(Node a, Node b, LinkSpec aToB, LinkSpec bToA) {
        return new DuplexLink(link(a, b, aToB), link(b, a, bToA));
    }

    public Node node(String name) {
        Node n = nodes.get(name);
        if (n == null) {
            throw new IllegalArgumentException("no node " + name);
        }
        return n;
    }

    public List<Link> links() {
        return Collections.unmodifiableList(links);
    }

    public Link linkNamed(String name) {
        for (Link l : links) {
            if (l.name().equals(name)) {
                return l;
            }
        }
        return null;
    }

    /** Observes every packet received on every link that exists now (links added later are not watched). */
    public void observeAllLinks(PacketObserver observer) {
        for (Link l : links) {
            l.observeReceive(observer);
        }
    }

    /** A link of a {@link ParallelSimulation} from one of this simulation's nodes to another partition's. */
    Link adopt(Link link) {
        checkMine(link.from());
        links.add(link);
        return link;
    }

    Set<String> nodeNames() {
        return Collections.unmodifiableSet(nodes.keySet());
    }

    private <N extends Node> N register(N node) {
        if (nodes.putIfAbsent(node.name(), node) != null) {
            throw new IllegalArgumentException("duplicate node name " + node.name());
        }
        return node;
    }

    private void checkMine(Node n) {
        if (nodes.get(n.name()) != n) {
            throw new IllegalArgumentException(n + " belongs to another simulation");
        }
    }
}
