package org.mptcp4j.sim;

import java.net.InetAddress;
import java.nio.ByteBuffer;
import java.util.Arrays;
import java.util.List;
import org.mptcp4j.base.Nanos;
import org.mptcp4j.base.Rng;

/**
 * Runs several endpoints on one host (several traffic generators, a generator and a sink), each
 * with its own wake-up timer. Every member sees every packet that reaches the host, each through
 * its own buffer view; members filter what concerns them (by port, say). Wake-ups run in member
 * order.
 */
public final class EndpointGroup implements Endpoint {
    private final Endpoint[] endpoints;
    private final long[] wakeups;
    private HostContext host;
    /** True while members run their wake-ups: their new requests are combined once at the end. */
    private boolean dispatching;

    public EndpointGroup(Endpoint... endpoints) {
        this.endpoints = endpoints;
        this.wakeups = new long[endpoints.length];
        Arrays.fill(wakeups, Nanos.NEVER);
    }

    @Override
    public void attach(HostContext h) {
        this.host = h;
        for (int i = 0; i < endpoints.length; i++) {
            int index = i;
            endpoints[i].attach(new HostContext() {
                @Override public long nowNanos() { return h.nowNanos(); }
                @Override public void send(ByteBuffer p) { h.send(p); }
                @Override public void sendChecksummed(ByteBuffer p) { h.sendChecksummed(p); }
                @Override public int sendSegmented(ByteBuffer p, int gsoSize) { return h.sendSegmented(p, gsoSize); }
                @Override public int sendChecksumPartial(ByteBuffer p, int gsoSize) { return h.sendChecksumPartial(p, gsoSize); }
                @Override public int sendChecksumPartial(ByteBuffer p, int gsoSize, TransmitCompletion c, Object charge) {
                    return h.sendChecksumPartial(p, gsoSize, c, charge);
                }
                @Override public void wakeAt(long at) { wakeups[index] = at; rearm(); }
                @Override public List<InetAddress> addresses() { return h.addresses(); }
                @Override public Rng rng() { return h.rng(); }
            });
        }
    }

    private void rearm() {
        if (dispatching) {
            return;
        }
        long next = Nanos.NEVER;
        for (long w : wakeups) {
            next = Math.min(next, w);
        }
        host.wakeAt(next);
    }

    @Override
    public void onPacket(long now, ByteBuffer p) {
        onPacket(now, p, false);
    }

    @Override
    public void onPacket(long now, ByteBuffer p, boolean checksumValidated) {
        for (Endpoint e : endpoints) {
            e.onPacket(now, p.duplicate(), checksumValidated);
        }
    }

    /** Every member sees every packet: a partial checksum only when all of them take one. */
    @Override
    public boolean takesPartialChecksums() {
        for (Endpoint e : endpoints) {
            if (!e.takesPartialChecksums()) {
                return false;
            }
        }
        return true;
    }

    @Override
    public void onWakeup(long now) {
        dispatching = true;
        try {
            for (int i = 0; i < endpoints.length; i++) {
                if (wakeups[i] <= now) {
                    wakeups[i] = Nanos.NEVER;
                    endpoints[i].onWakeup(now);
                }
            }
        } finally {
            dispatching = false;
        }
        rearm();
    }
}
