package org.mptcp4j.sim;

import org.mptcp4j.link.LinkSpec;

/**
 * What happened on one direction of a link. {@code packetsSent}/{@code bytesSent} count every
 * packet that finished serialization (those later lost on the wire included), like an interface's
 * TX counters; each drop is counted once under its cause.
 */
public final class LinkCounters {
    /** The receiving end's counters live with its other state (see {@link PipeEnd}). */
    private final PipeEnd end;
    long packetsSent;
    long bytesSent;
    long droppedQueue;
    long droppedLoss;
    /** Discards by the sending end; the receiving end counts its own (a reordered packet of a link gone down since). */
    long droppedDown;
    long mtuDrops;
    long corrupted;
    long duplicated;
    long reordered;

    LinkCounters(PipeEnd end) {
        this.end = end;
    }

    public long packetsSent() { return packetsSent; }
    public long bytesSent() { return bytesSent; }
    /** Packets handed to the far end (duplicates included). */
    public long packetsDelivered() { return end.packetsDelivered; }
    public long bytesDelivered() { return end.bytesDelivered; }
    /** Arrived at a full queue (drop-tail). */
    public long droppedQueue() { return droppedQueue; }
    /** Lost at random by the loss model. */
    public long droppedLoss() { return droppedLoss; }
    /** Discarded because the link was down (queued, on the wire, or arriving). */
    public long droppedDown() { return droppedDown + end.droppedDown; }
    /** Larger than the link's MTU ({@link LinkSpec#mtu()}): refused on arrival. */
    public long mtuDrops() { return mtuDrops; }
    public long corrupted() { return corrupted; }
    public long duplicated() { return duplicated; }
    public long reordered() { return reordered; }

    @Override
    public String toString() {
        return "sent=" + packetsSent + "/" + bytesSent + "B delivered=" + end.packetsDelivered
                + " dropQueue=" + droppedQueue + " dropLoss=" + droppedLoss + " dropDown=" + droppedDown() + " dropMtu=" + mtuDrops
                + " corrupted=" + corrupted + " duplicated=" + duplicated + " reordered=" + reordered;
    }
}
