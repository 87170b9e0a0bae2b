package org.mptcp4j.sim;

/**
 * The receiving end of a {@link Link}: the pipe that holds packets for the propagation delay, its
 * one pending event, the delivery to the far node and the delivery counters; between partitions
 * of a {@link ParallelSimulation}, also the taking over of what the sending partition published.
 * It runs on the receiving node's partition, and reads nothing of the {@link Link} per packet (but
 * the generation a reordered packet is checked against): between partitions the sending end runs
 * on another thread and writes the queue's state per packet, and one cache line in use by both
 * would move between their cores at every packet (false sharing). The padding classes around the fields keep them on lines of their own: a
 * superclass's fields come before a subclass's in every object layout.
 */
final class PipeEnd extends PipeEndFields {
    @SuppressWarnings("unused")
    private long after0, after1, after2, after3, after4, after5, after6, after7;

    PipeEnd(Link link, Simulation sim, Node to, CrossQueue outbox) {
        super(link, sim, to, outbox);
    }
}

/** {@link PipeEnd}'s fields and work, after {@link PipeEndPadding}. */
abstract class PipeEndFields extends PipeEndPadding {
    private final Link link;
    /** The receiving node's partition. */
    final Simulation sim;
    private final Node to;
    /** Packets on the wire in arrival order (reordered ones excepted), each with its arrival time. */
    final PacketFifo pipe = new PacketFifo();
    /** Between partitions: what the sending end published and this end has not taken yet; else null. */
    private final CrossQueue outbox;
    private PacketObserver[] observers = new PacketObserver[0];
    private final EventHandler headArrives = (now, arg) -> onPipeHead(now);
    final EventHandler reorderedArrives = (now, arg) -> onReordered((Packet) arg);
    private final CrossQueue.Receiver arrive = this::arrive;

    /** Seq of the pending event for the pipe's head, or -1 when the pipe is empty. */
    long pipeSeq = -1;
    /** Between partitions: this link's place among them, which orders its arrivals among equal times. */
    private long acrossIndex = -1;
    /** Between partitions: arrival events scheduled, in the pipe and on their own (reordered). */
    private long pipeArrivals;
    private long reorderedArrivals;
    long packetsDelivered;
    long bytesDelivered;
    long droppedDown;

    PipeEndFields(Link link, Simulation sim, Node to, CrossQueue outbox) {
        this.link = link;
        this.sim = sim;
        this.to = to;
        this.outbox = outbox;
    }

    void observe(PacketObserver observer) {
        observers = Link.append(observers, observer);
    }

    void numberAcross(int index) {
        if (index >= 1 << 17) {
            throw new IllegalArgumentException("more than 2^17 links between partitions");
        }
        acrossIndex = index;
    }

    /** {@code p} enters the pipe, to arrive at {@code arrival} but never before one sent earlier. */
    void toPipe(Packet p, int length, long arrival) {
        boolean wasEmpty = pipe.isEmpty();
        if (!wasEmpty && pipe.lastTime() > arrival) {
            arrival = pipe.lastTime(); // the delay shrank: still first in, first out
        }
        pipe.add(p, length, arrival);
        if (wasEmpty) {
            scheduleHead(arrival);
        }
    }

    /**
     * Between partitions, on this end's thread: takes what the sending partition has published,
     * in the order it was sent, each into a packet of this partition's pool ({@link
     * PacketPool#takeOver}). Each arrives at least the link's delay after it was sent, so not
     * before a time this partition may not yet pass.
     */
    void takeArrivals() {
        outbox.drain(arrive);
    }

    private void arrive(Packet sent, long arrival, boolean outOfOrder) {
        Packet p = sim.pool().takeOver(sent);
        if (outOfOrder) {
            sim.schedule(arrival, arrivalSeq(1, reorderedArrivals++), reorderedArrives, p);
        } else {
            toPipe(p, p.length, arrival);
        }
    }

    /**
     * The seq of an arrival over a link between partitions: after the receiving partition's own
     * events of equal time, then by link and by order on the link, so that when the packet was
     * taken over, which depends on how the threads ran, does not change the run.
     */
    private long arrivalSeq(int kind, long n) {
        return EventQueue.FIRST_OWN_SEQ | acrossIndex << 45 | (long) kind << 44 | n;
    }

    /** The event for the pipe's head; between partitions, numbered by the packet's place on the link. */
    private void scheduleHead(long arrival) {
        pipeSeq = outbox == null ? sim.schedule(arrival, headArrives, null)
                : sim.schedule(arrival, arrivalSeq(0, pipeArrivals++), headArrives, null);
    }

    private void onPipeHead(long now) {
        if (sim.currentEventSeq() != pipeSeq) {
            return;
        }
        int length = pipe.peekLength();
        Packet p = pipe.poll();
        if (pipe.isEmpty()) {
            pipeSeq = -1;
        } else {
            scheduleHead(pipe.peekTime());
        }
        deliver(now, p, length);
    }

    private void onReordered(Packet p) {
        if (!link.isCurrent(p)) {
            droppedDown++;
            sim.pool().release(p);
            return;
        }
        deliver(sim.nowNanos(), p, p.length);
    }

    void deliver(long now, Packet p, int length) {
        packetsDelivered++;
        bytesDelivered += length;
        if (observers.length > 0) {
            p.completeChecksum(); // an observer sees what the wire carries
        }
        for (PacketObserver o : observers) {
            o.observe(now, link, p);
        }
        to.receive(p);
    }

    /** The link went down: what is on the wire is gone. Returns the packets discarded. */
    int flush() {
        pipeSeq = -1;
        return pipe.flush(sim.pool());
    }
}

/** Keeps {@link PipeEndFields} off the cache line of whatever was allocated before. */
abstract class PipeEndPadding {
    @SuppressWarnings("unused")
    private long before0, before1, before2, before3, before4, before5, before6, before7;
}
