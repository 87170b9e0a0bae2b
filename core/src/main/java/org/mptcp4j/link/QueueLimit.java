package org.mptcp4j.link;

/**
 * The capacity of a link's drop-tail queue, in packets or in bytes: a packet that would make the
 * queue exceed it is dropped on arrival. The packet being serialized counts as queued (as in
 * Linux's {@code pfifo} with {@code txqueuelen}, and htsim's {@code Queue}).
 */
public record QueueLimit(Unit unit, long limit) {
    public enum Unit { PACKETS, BYTES }

    /** No limit: the queue grows without bound. */
    public static final QueueLimit UNLIMITED = new QueueLimit(Unit.PACKETS, Long.MAX_VALUE);

    public QueueLimit {
        if (limit < 1) {
            throw new IllegalArgumentException("queue limit must be at least 1: " + limit);
        }
    }

    public static QueueLimit packets(long packets) {
        return new QueueLimit(Unit.PACKETS, packets);
    }

    public static QueueLimit bytes(long bytes) {
        return new QueueLimit(Unit.BYTES, bytes);
    }

    /** Whether a packet of {@code lengthBytes} fits on top of what is queued. */
    public boolean admits(int queuedPackets, long queuedBytes, int lengthBytes) {
        return unit == Unit.PACKETS ? queuedPackets + 1L <= limit : queuedBytes + lengthBytes <= limit;
    }
}
