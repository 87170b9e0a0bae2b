package org.mptcp4j.sim;

import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;

/** A test endpoint: keeps a copy of every packet its host receives, records its wake-ups, and lets the test drive its host. */
final class Probe implements Endpoint {
    HostContext host;
    final List<Long> wakeups = new ArrayList<>();
    final List<byte[]> packets = new ArrayList<>();

    @Override public void attach(HostContext h) { host = h; }
    @Override public void onWakeup(long now) { wakeups.add(now); }

    @Override
    public void onPacket(long now, ByteBuffer p) {
        byte[] copy = new byte[p.remaining()];
        p.get(copy);
        packets.add(copy);
    }
}
