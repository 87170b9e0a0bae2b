package org.mptcp4j.sim.traffic;

import java.nio.ByteBuffer;
import java.util.Arrays;
import java.util.BitSet;
import org.mptcp4j.sim.Endpoint;
import org.mptcp4j.sim.HostContext;

/**
 * Receives the datagrams of {@link UdpSource}s and counts what a user would want to know: packets
 * and bytes, checksum failures (corruption), duplicates, reordered arrivals (a sequence number
 * lower than one already seen) and one-way delay. With {@link #recordArrivals()} it also keeps
 * each arrival's sequence number and time.
 */
public final class CountingSink implements Endpoint {
    private long packets;
    private long bytes;
    private long badChecksum;
    private long malformed;
    private long duplicates;
    private long reordered;
    private long highestSeq = -1;
    private long firstArrivalNanos = -1;
    private long lastArrivalNanos = -1;
    private long delaySumNanos;
    private long maxDelayNanos;
    private final BitSet seen = new BitSet();

    private boolean recording;
    private long[] arrivalSeqs = new long[0];
    private long[] arrivalTimes = new long[0];
    private int arrivals;

    /** Keep every valid arrival's sequence number and time (for timing tests and traces). */
    public CountingSink recordArrivals() {
        recording = true;
        arrivalSeqs = new long[64];
        arrivalTimes = new long[64];
        return this;
    }

    @Override
    public void attach(HostContext host) {
        // A sink only reacts to arrivals.
    }

    @Override
    public void onWakeup(long nowNanos) {
        // Never asks for one.
    }

    @Override
    public void onPacket(long nowNanos, ByteBuffer p) {
        switch (Ipv4Udp.check(p)) {
            case OK -> accept(nowNanos, p);
            case BAD_IP_CHECKSUM, BAD_UDP_CHECKSUM -> badChecksum++;
            case MALFORMED, NOT_UDP -> malformed++;
        }
    }

    private void accept(long now, ByteBuffer p) {
        long seq = Ipv4Udp.seq(p);
        if (seq < 0 || seq > Integer.MAX_VALUE) {
            malformed++;
            return;
        }
        if (seen.get((int) seq)) {
            duplicates++;
        } else {
            seen.set((int) seq);
        }
        if (seq < highestSeq) {
            reordered++;
        }
        highestSeq = Math.max(highestSeq, seq);
        packets++;
        bytes += p.remaining();
        long delay = now - Ipv4Udp.sendNanos(p);
        delaySumNanos += delay;
        maxDelayNanos = Math.max(maxDelayNanos, delay);
        if (firstArrivalNanos < 0) {
            firstArrivalNanos = now;
        }
        lastArrivalNanos = now;
        if (recording) {
            if (arrivals == arrivalSeqs.length) {
                arrivalSeqs = Arrays.copyOf(arrivalSeqs, arrivals * 2);
                arrivalTimes = Arrays.copyOf(arrivalTimes, arrivals * 2);
            }
            arrivalSeqs[arrivals] = seq;
            arrivalTimes[arrivals] = now;
            arrivals++;
        }
    }

    /** Valid datagrams received, duplicates included. */
    public long packets() { return packets; }
    /** IP bytes of the valid datagrams. */
    public long bytes() { return bytes; }
    /** Datagrams whose IP or UDP checksum failed. */
    public long badChecksum() { return badChecksum; }
    public long malformed() { return malformed; }
    public long duplicates() { return duplicates; }
    /** Valid datagrams distinct by sequence number. */
    public long distinct() { return packets - duplicates; }
    public long reordered() { return reordered; }
    public long firstArrivalNanos() { return firstArrivalNanos; }
    public long lastArrivalNanos() { return lastArrivalNanos; }
    public long maxDelayNanos() { return maxDelayNanos; }

    public double meanDelayNanos() {
        return packets == 0 ? 0 : delaySumNanos / (double) packets;
    }

    public boolean hasSeen(long seq) {
        return seq >= 0 && seq <= Integer.MAX_VALUE && seen.get((int) seq);
    }

    /** Recorded arrivals (see {@link #recordArrivals()}). */
    public int arrivals() { return arrivals; }
    public long arrivalSeq(int i) { return arrivalSeqs[java.util.Objects.checkIndex(i, arrivals)]; }
    public long arrivalNanos(int i) { return arrivalTimes[java.util.Objects.checkIndex(i, arrivals)]; }
}
