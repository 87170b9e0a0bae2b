package org.mptcp4j.sim;

import java.util.Arrays;
import org.mptcp4j.base.Nanos;
import org.mptcp4j.base.Rng;
import org.mptcp4j.link.LinkSpec;
import org.mptcp4j.link.LossModel;

/**
 * One direction of a link: a drop-tail queue whose server serializes packets at the link's rate,
 * then a pipe that holds them for the propagation delay (htsim's {@code Queue → Pipe}). Both
 * schedule themselves: the queue has at most one pending "service complete" event, the pipe one
 * event for the packet at its head (a constant delay keeps the pipe in FIFO order; only a
 * reordered packet gets an event of its own).
 *
 * <p>A link can be taken down and brought up at scheduled times ({@link #downAt}, {@link #upAt}).
 * Going down discards what is queued and what is on the wire, like a cut cable; while down, every
 * arriving packet is discarded. Each discard is counted in {@link LinkCounters#droppedDown()}.
 * A packet larger than the link's MTU is refused on arrival ({@link LinkCounters#mtuDrops()}).
 *
 * <p>A link between two partitions of a {@link ParallelSimulation} has its queue in the sending
 * node's partition and its pipe in the receiving node's: what leaves the queue crosses to the
 * receiving thread through a {@link CrossQueue}, which the receiving partition drains before it
 * runs past a time the sender has reached plus the delay ({@link PipeEnd#takeArrivals}). Such a
 * link keeps its delay and stays up.
 */
public final class Link implements PacketSink {
    /** The partition of the sending node: the queue and its server. */
    private final Simulation sim;
    private final String name;
    private final Node from;
    private final Node to;
    private LinkSpec spec;
    private final Rng rng;
    private LossModel.Process loss;
    private final LinkCounters counters;

    // The queue, the packet in service at its head included.
    private final PacketFifo queue = new PacketFifo();
    private int queuedPackets;
    private long queuedBytes;
    /** Seq of the pending "service complete" event, or -1 when the server is idle. */
    private long serviceSeq = -1;
    /**
     * The serialization time of the last packet length served, under the current spec: a link
     * serves runs of alike packets (full segments, ACKs), and the 64-bit division behind
     * {@link LinkSpec#serializationNanos} was a visible share of each packet's cost.
     */
    private int servedLength = -1;
    private long servedNanos;

    /** The pipe, its delivery and counters, on the receiving node's partition: see {@link PipeEnd}. */
    private final PipeEnd end;
    /** Between partitions: packets sent, with their arrival times, not yet taken by the receiving end. */
    private final CrossQueue outbox;

    private boolean up = true;
    /** Grows each time the link goes down; packets from an older generation are discarded. */
    private long generation;

    private PacketObserver[] transmitObservers = new PacketObserver[0];

    private final EventHandler serviceComplete = (now, arg) -> onServiceComplete(now);
    private final EventHandler upDown = (now, arg) -> setUp((Boolean) arg);
    private final EventHandler respec = (now, arg) -> reconfigure((LinkSpec) arg);

    Link(Simulation sim, String name, Node from, Node to, LinkSpec spec) {
        this.sim = sim;
        this.outbox = to.simulation() != sim ? new CrossQueue() : null;
        this.end = new PipeEnd(this, to.simulation(), to, outbox);
        this.counters = new LinkCounters(end);
        this.name = name;
        this.from = from;
        this.to = to;
        this.spec = spec;
        this.rng = sim.rng("link:" + name);
        this.loss = spec.loss().newProcess(rng);
    }

    public String name() {
        return name;
    }

    public Node from() {
        return from;
    }

    public Node to() {
        return to;
    }

    public LinkSpec spec() {
        return spec;
    }

    public LinkCounters counters() {
        return counters;
    }

    public boolean isUp() {
        return up;
    }

    /** Packets in the queue, the one being serialized included. */
    public int queuedPackets() {
        return queuedPackets;
    }

    public long queuedBytes() {
        return queuedBytes;
    }

    /** Calls {@code observer} for each packet as its serialization starts (a capture on the sender). */
    public Link observeTransmit(PacketObserver observer) {
        transmitObservers = append(transmitObservers, observer);
        return this;
    }

    /** Calls {@code observer} for each packet the far end receives (a capture on the receiver). */
    public Link observeReceive(PacketObserver observer) {
        end.observe(observer);
        return this;
    }

    /** Takes the link down at {@code atNanos}. */
    public Link downAt(long atNanos) {
        checkWithinPartition("taken down");
        sim.schedule(atNanos, upDown, Boolean.FALSE);
        return this;
    }

    /** Brings the link up at {@code atNanos}. */
    public Link upAt(long atNanos) {
        checkWithinPartition("brought up");
        sim.schedule(atNanos, upDown, Boolean.TRUE);
        return this;
    }

    /** Applies {@code newSpec} at {@code atNanos} (see {@link #reconfigure}). */
    public Link reconfigureAt(long atNanos, LinkSpec newSpec) {
        checkWithinPartition("reconfigured");
        sim.schedule(atNanos, respec, newSpec);
        return this;
    }

    /**
     * Changes the link's rate, delay, queue limit and impairments now, as {@code tc qdisc change}
     * would: the packet being serialized finishes at the old rate, queued packets stay (even above
     * a lowered limit), packets already on the wire keep their arrival time, and a packet never
     * overtakes one sent before it when the delay shrinks. A new loss model starts in its initial
     * state; the same loss model keeps its state.
     */
    public void reconfigure(LinkSpec newSpec) {
        checkWithinPartition("reconfigured");
        if (!newSpec.loss().equals(spec.loss())) {
            loss = newSpec.loss().newProcess(rng);
        }
        spec = newSpec;
        servedLength = -1;
    }

    /** Takes the link down or up now. */
    public void setUp(boolean nowUp) {
        checkWithinPartition(nowUp ? "brought up" : "taken down");
        if (nowUp == up) {
            return;
        }
        up = nowUp;
        if (!nowUp) {
            generation++;
            serviceSeq = -1;
            counters.droppedDown += queue.flush(sim.pool()) + end.flush();
            queuedPackets = 0;
            queuedBytes = 0;
        }
    }

    /** Samples the queue length every {@code intervalNanos} from now until {@code untilNanos}. */
    public QueueSamples sampleQueue(long intervalNanos, long untilNanos) {
        QueueSamples samples = new QueueSamples(this);
        EventHandler sampler = new EventHandler() {
            @Override
            public void onEvent(long now, Object arg) {
                samples.add(now, queuedPackets, queuedBytes);
                if (now + intervalNanos <= untilNanos) {
                    sim.schedule(now + intervalNanos, this, null);
                }
            }
        };
        sim.schedule(sim.nowNanos(), sampler, null);
        return samples;
    }

    @Override
    public void receive(Packet p) {
        if (!up) {
            counters.droppedDown++;
            sim.pool().release(p);
            return;
        }
        if (p.length > spec.mtu()) {
            // A driver refuses a frame larger than the interface MTU (Linux: the packet never
            // reaches the qdisc, the sender gets EMSGSIZE or the forwarder an ICMP error).
            counters.mtuDrops++;
            sim.pool().release(p);
            return;
        }
        if (!spec.queue().admits(queuedPackets, queuedBytes, p.length)) {
            counters.droppedQueue++;
            sim.pool().release(p);
            return;
        }
        queue.add(p, p.length, 0);
        queuedPackets++;
        queuedBytes += p.length;
        if (serviceSeq < 0) {
            beginService(sim.nowNanos());
        }
    }

    private void beginService(long now) {
        if (transmitObservers.length > 0) {
            queue.peek().completeChecksum(); // an observer sees what the wire carries
        }
        for (PacketObserver o : transmitObservers) {
            o.observe(now, this, queue.peek());
        }
        serviceSeq = sim.schedule(now + serializationNanos(queue.peekLength()), serviceComplete, null);
    }

    private long serializationNanos(int length) {
        if (length != servedLength) {
            servedNanos = spec.serializationNanos(length);
            servedLength = length;
        }
        return servedNanos;
    }

    /** The head packet is fully on the wire. */
    private void onServiceComplete(long now) {
        if (sim.currentEventSeq() != serviceSeq) {
            return; // the link went down during serialization
        }
        int length = queue.peekLength();
        Packet p = queue.poll();
        queuedPackets--;
        queuedBytes -= length;
        serviceSeq = -1;
        if (!queue.isEmpty()) {
            beginService(now);
        }
        counters.packetsSent++;
        counters.bytesSent += length;
        TransmitCompletion sender = p.completion;
        if (sender == null) {
            transmit(now, p, length);
            return;
        }
        // The packet left its sender's device: told once the link is done with it (the sender may send again at once).
        Object charge = p.charge;
        int bytes = p.chargeBytes;
        p.completion = null;
        p.charge = null;
        transmit(now, p, length);
        sender.transmitted(charge, bytes);
    }

    /** {@code p} leaves the queue; only what happens to it rarely (loss, corruption, copies) reads or writes the packet itself. */
    private void transmit(long now, Packet p, int length) {
        if (loss.lose()) {
            counters.droppedLoss++;
            sim.pool().release(p);
            return;
        }
        if (length > 0 && rng.chance(spec.corruptProbability())) {
            corrupt(p);
            p.checksumValidated = false;
            counters.corrupted++;
        }
        Packet copy = null;
        if (rng.chance(spec.duplicateProbability())) {
            copy = sim.pool().duplicate(p);
            counters.duplicated++;
        }
        long arrival = now + spec.delayNanos();
        if (rng.chance(spec.reorderProbability())) {
            counters.reordered++;
            p.linkGeneration = generation;
            if (outbox != null) {
                outbox.offer(p, arrival + spec.reorderExtraDelayNanos(), true);
            } else {
                sim.schedule(arrival + spec.reorderExtraDelayNanos(), end.reorderedArrives, p);
            }
        } else if (arrival == now && copy == null && end.pipe.isEmpty()) {
            // A zero-delay link (a host's access link, say): the packet reaches the far end as its
            // last bit leaves, within this event, instead of in a pipe event of its own: one event
            // per packet fewer. Other events due this nanosecond run after the delivery, whatever
            // their seq (a pipe event would have run after those scheduled before it); how events of
            // one nanosecond are ordered is the model's choice either way. Not while packets wait
            // in the pipe, which arrive first, nor with a duplicate to follow.
            sim.countInlineEvent();
            end.deliver(now, p, length);
        } else {
            enterPipe(p, length, arrival);
        }
        if (copy != null) {
            enterPipe(copy, length, arrival);
        }
    }

    /**
     * Flips one bit chosen uniformly after the IP header (so routing still works and the transport
     * checksum catches it), or anywhere in a packet that has no payload.
     */
    private void corrupt(Packet p) {
        p.completeChecksum(); // the flipped bit must fail the checksum the wire carries
        int header = IpPacket.headerLength(p.data, p.length);
        int start = header > 0 && header < p.length ? header : 0;
        int bit = rng.nextInt((p.length - start) * 8);
        p.data[start + (bit >>> 3)] ^= (byte) (1 << (bit & 7));
    }

    private void enterPipe(Packet p, int length, long arrival) {
        if (outbox != null) {
            outbox.offer(p, arrival, false);
            return;
        }
        end.toPipe(p, length, arrival);
    }

    /** Makes this the {@code index}th link between partitions of its {@link ParallelSimulation}. */
    void numberAcross(int index) {
        end.numberAcross(index);
    }

    /** The receiving end, for a {@link ParallelSimulation}: it takes the link's arrivals on its own thread. */
    PipeEnd end() {
        return end;
    }

    /** Whether {@code p}, sent before, may still arrive: not if the link went down since. */
    boolean isCurrent(Packet p) {
        return p.linkGeneration == generation;
    }

    /**
     * Checks the fields against each other: the queue list holds {@code queuedPackets} packets of
     * {@code queuedBytes} in all; the server is busy exactly when the queue is not empty; the pipe's
     * arrival times never decrease, and its head event is pending exactly when it is not empty; a
     * down link holds nothing. For tests, after each step.
     */
    void checkInvariants() {
        long bytes = 0;
        for (int i = 0; i < queue.size(); i++) {
            Packet p = queue.get(i);
            bytes += queue.lengthAt(i);
            check(queue.lengthAt(i) == p.length, "a queued packet's length disagrees with the queue's");
            check(!p.free, "a queued packet is in the pool");
        }
        check(queue.size() == queuedPackets && bytes == queuedBytes, "queue counts disagree with the queue");
        check((serviceSeq >= 0) == !queue.isEmpty(), "server busy iff queue not empty");
        long previous = Long.MIN_VALUE;
        PacketFifo pipe = end.pipe;
        for (int i = 0; i < pipe.size(); i++) {
            Packet p = pipe.get(i);
            check(pipe.timeAt(i) >= previous, "pipe out of order");
            check(pipe.lengthAt(i) == p.length, "a packet's length on the wire disagrees with the pipe's");
            check(!p.free, "a packet on the wire is in the pool");
            previous = pipe.timeAt(i);
        }
        check((end.pipeSeq >= 0) == !pipe.isEmpty(), "pipe event pending iff pipe not empty");
        check(up || (queue.isEmpty() && pipe.isEmpty()), "a down link holds packets");
    }

    private void checkWithinPartition(String what) {
        if (outbox != null) {
            throw new IllegalStateException(name + " joins two partitions and cannot be " + what
                    + ": its delay is what lets the partitions run apart");
        }
    }

    private void check(boolean condition, String what) {
        if (!condition) {
            throw new IllegalStateException(name + ": " + what);
        }
    }

    static PacketObserver[] append(PacketObserver[] array, PacketObserver o) {
        PacketObserver[] bigger = Arrays.copyOf(array, array.length + 1);
        bigger[array.length] = o;
        return bigger;
    }

    @Override
    public String toString() {
        return "Link[" + name + " " + spec.rateBps() + "bps " + Nanos.toMillis(spec.delayNanos()) + "ms]";
    }
}
