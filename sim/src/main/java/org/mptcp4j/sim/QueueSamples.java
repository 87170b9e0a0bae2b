package org.mptcp4j.sim;

import java.util.Arrays;
import java.util.Objects;

/** Periodic samples of one link's queue length, in packets and bytes, kept in primitive arrays. */
public final class QueueSamples {
    private final Link link;
    private long[] times = new long[64];
    private int[] packets = new int[64];
    private long[] bytes = new long[64];
    private int count;

    QueueSamples(Link link) {
        this.link = link;
    }

    void add(long nowNanos, int queuedPackets, long queuedBytes) {
        if (count == times.length) {
            times = Arrays.copyOf(times, count * 2);
            packets = Arrays.copyOf(packets, count * 2);
            bytes = Arrays.copyOf(bytes, count * 2);
        }
        times[count] = nowNanos;
        packets[count] = queuedPackets;
        bytes[count] = queuedBytes;
        count++;
    }

    public Link link() {
        return link;
    }

    public int count() {
        return count;
    }

    public long timeNanos(int i) {
        return times[Objects.checkIndex(i, count)];
    }

    public int packets(int i) {
        return packets[Objects.checkIndex(i, count)];
    }

    public long bytes(int i) {
        return bytes[Objects.checkIndex(i, count)];
    }

    public int maxPackets() {
        int max = 0;
        for (int i = 0; i < count; i++) {
            max = Math.max(max, packets[i]);
        }
        return max;
    }

    public double meanPackets() {
        long sum = 0;
        for (int i = 0; i < count; i++) {
            sum += packets[i];
        }
        return count == 0 ? 0 : sum / (double) count;
    }
}
