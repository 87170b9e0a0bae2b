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
 */
public final class Link implements PacketSink {
    private final Simulation sim;
    private final String name;
    private final Node from;
    private final Node to;
    private LinkSpec spec;
    private final Rng rng;
    private LossModel.Process loss;
    private final LinkCounters counters = new LinkCounters();

    // The queue, the packet in service at its head included.
    private Packet queueHead;
    private Packet queueTail;
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

    // The pipe: packets on the wire in arrival order (reordered ones excepted).
    private Packet pipeHead;
    private Packet pipeTail;
    /** Seq of the pending event for the pipe's head, or -1 when the pipe is empty. */
    private long pipeSeq = -1;

    private boolean up = true;
    /** Grows each time the link goes down; packets from an older generation are discarded. */
    private long generation;

    private PacketObserver[] transmitObservers = new PacketObserver[0];
    private PacketObserver[] receiveObservers = new PacketObserver[0];

    private final EventHandler serviceComplete = (now, arg) -> onServiceComplete(now);
    private final EventHandler pipeHeadArrives = (now, arg) -> onPipeHead(now);
    private final EventHandler reorderedArrives = (now, arg) -> onReordered((Packet) arg);
    private final EventHandler upDown = (now, arg) -> setUp((Boolean) arg);
    private final EventHandler respec = (now, arg) -> reconfigure((LinkSpec) arg);

    Link(Simulation sim, String name, Node from, Node to, LinkSpec spec) {
        this.sim = sim;
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
        receiveObservers = append(receiveObservers, observer);
        return this;
    }

    /** Takes the link down at {@code atNanos}. */
    public Link downAt(long atNanos) {
        sim.schedule(atNanos, upDown, Boolean.FALSE);
        return this;
    }

    /** Brings the link up at {@code atNanos}. */
    public Link upAt(long atNanos) {
        sim.schedule(atNanos, upDown, Boolean.TRUE);
        return this;
    }

    /** Applies {@code newSpec} at {@code atNanos} (see {@link #reconfigure}). */
    public Link reconfigureAt(long atNanos, LinkSpec newSpec) {
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
        if (!newSpec.loss().equals(spec.loss())) {
            loss = newSpec.loss().newProcess(rng);
        }
        spec = newSpec;
        servedLength = -1;
    }

    /** Takes the link down or up now. */
    public void setUp(boolean nowUp) {
        if (nowUp == up) {
            return;
        }
        up = nowUp;
        if (!nowUp) {
            generation++;
            serviceSeq = -1;
            pipeSeq = -1;
            counters.droppedDown += flush(queueHead) + flush(pipeHead);
            queueHead = queueTail = null;
            pipeHead = pipeTail = null;
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
        p.next = null;
        if (queueTail == null) {
            queueHead = p;
        } else {
            queueTail.next = p;
        }
        queueTail = p;
        queuedPackets++;
        queuedBytes += p.length;
        if (serviceSeq < 0) {
            beginService(sim.nowNanos());
        }
    }

    private void beginService(long now) {
        Packet p = queueHead;
        for (PacketObserver o : transmitObservers) {
            o.observe(now, this, p);
        }
        serviceSeq = sim.schedule(now + serializationNanos(p.length), serviceComplete, null);
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
        Packet p = queueHead;
        queueHead = p.next;
        if (queueHead == null) {
            queueTail = null;
        }
        p.next = null;
        queuedPackets--;
        queuedBytes -= p.length;
        serviceSeq = -1;
        if (queueHead != null) {
            beginService(now);
        }
        counters.packetsSent++;
        counters.bytesSent += p.length;
        transmit(now, p);
    }

    private void transmit(long now, Packet p) {
        if (loss.lose()) {
            counters.droppedLoss++;
            sim.pool().release(p);
            return;
        }
        p.linkGeneration = generation;
        if (p.length > 0 && rng.chance(spec.corruptProbability())) {
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
            sim.schedule(arrival + spec.reorderExtraDelayNanos(), reorderedArrives, p);
        } else if (arrival == now && copy == null && pipeTail == null && sim.runsNextIfDueNow()) {
            // A zero-delay link (a host's access link, say) whose pipe event would be the very next
            // event: deliver now instead of scheduling it, one event per packet fewer in the queue.
            // Only with nothing else due now (nor a duplicate to follow), so that every other event
            // keeps its order and the run is the same packet for packet.
            sim.countInlineEvent();
            deliver(now, p);
        } else {
            enterPipe(p, arrival);
        }
        if (copy != null) {
            enterPipe(copy, arrival);
        }
    }

    /**
     * Flips one bit chosen uniformly after the IP header (so routing still works and the transport
     * checksum catches it), or anywhere in a packet that has no payload.
     */
    private void corrupt(Packet p) {
        int header = IpPacket.headerLength(p.data, p.length);
        int start = header > 0 && header < p.length ? header : 0;
        int bit = rng.nextInt((p.length - start) * 8);
        p.data[start + (bit >>> 3)] ^= (byte) (1 << (bit & 7));
    }

    private void enterPipe(Packet p, long arrival) {
        if (pipeTail != null && pipeTail.arrivalNanos > arrival) {
            arrival = pipeTail.arrivalNanos; // the delay shrank: still first in, first out
        }
        p.arrivalNanos = arrival;
        p.next = null;
        if (pipeTail == null) {
            pipeHead = p;
            pipeSeq = sim.schedule(arrival, pipeHeadArrives, null);
        } else {
            pipeTail.next = p;
        }
        pipeTail = p;
    }

    private void onPipeHead(long now) {
        if (sim.currentEventSeq() != pipeSeq) {
            return;
        }
        Packet p = pipeHead;
        pipeHead = p.next;
        p.next = null;
        if (pipeHead == null) {
            pipeTail = null;
            pipeSeq = -1;
        } else {
            pipeSeq = sim.schedule(pipeHead.arrivalNanos, pipeHeadArrives, null);
        }
        deliver(now, p);
    }

    private void onReordered(Packet p) {
        if (p.linkGeneration != generation) {
            counters.droppedDown++;
            sim.pool().release(p);
            return;
        }
        deliver(sim.nowNanos(), p);
    }

    private void deliver(long now, Packet p) {
        counters.packetsDelivered++;
        counters.bytesDelivered += p.length;
        for (PacketObserver o : receiveObservers) {
            o.observe(now, this, p);
        }
        to.receive(p);
    }

    private int flush(Packet head) {
        int n = 0;
        for (Packet p = head; p != null; ) {
            Packet next = p.next;
            sim.pool().release(p);
            p = next;
            n++;
        }
        return n;
    }

    /**
     * Checks the fields against each other: the queue list holds {@code queuedPackets} packets of
     * {@code queuedBytes} in all; the server is busy exactly when the queue is not empty; the pipe's
     * arrival times never decrease, and its head event is pending exactly when it is not empty; a
     * down link holds nothing. For tests, after each step.
     */
    void checkInvariants() {
        int n = 0;
        long bytes = 0;
        for (Packet p = queueHead; p != null; p = p.next) {
            n++;
            bytes += p.length;
            check(!p.free, "a queued packet is in the pool");
        }
        check(n == queuedPackets && bytes == queuedBytes, "queue counts disagree with the queue");
        check((serviceSeq >= 0) == (queueHead != null), "server busy iff queue not empty");
        long previous = Long.MIN_VALUE;
        for (Packet p = pipeHead; p != null; p = p.next) {
            check(p.arrivalNanos >= previous, "pipe out of order");
            check(!p.free, "a packet on the wire is in the pool");
            previous = p.arrivalNanos;
        }
        check((pipeSeq >= 0) == (pipeHead != null), "pipe event pending iff pipe not empty");
        check(up || (queueHead == null && pipeHead == null), "a down link holds packets");
    }

    private void check(boolean condition, String what) {
        if (!condition) {
            throw new IllegalStateException(name + ": " + what);
        }
    }

    private static PacketObserver[] append(PacketObserver[] array, PacketObserver o) {
        PacketObserver[] bigger = Arrays.copyOf(array, array.length + 1);
        bigger[array.length] = o;
        return bigger;
    }

    @Override
    public String toString() {
        return "Link[" + name + " " + spec.rateBps() + "bps " + Nanos.toMillis(spec.delayNanos()) + "ms]";
    }
}
