package org.mptcp4j.net.support;

import java.nio.ByteBuffer;
import java.util.ArrayDeque;
import java.util.Optional;
import java.util.concurrent.LinkedBlockingQueue;
import org.mptcp4j.base.Nanos;
import org.mptcp4j.net.driver.SansIoEndpoint;

/**
 * A small sans-IO endpoint for driver tests: it speaks IPv4/UDP, echoes datagrams sent to port 7
 * back to their sender, records every other datagram it receives, sends what the test queues, and
 * sends one "beacon" datagram when its timer fires. Everything runs on the reactor thread; the
 * test reads {@link #received} from its own thread.
 */
public final class DatagramEndpoint implements SansIoEndpoint {
    public static final int ECHO_PORT = 7;

    private final ArrayDeque<byte[]> outbox = new ArrayDeque<>();
    public final LinkedBlockingQueue<Ipv4Udp> received = new LinkedBlockingQueue<>();
    private long beaconAtNanos = Nanos.NEVER;
    private Ipv4Udp beacon;
    private int echoed;

    /** Queues a datagram (call on the reactor thread, through the driver). */
    public void send(Ipv4Udp datagram) {
        outbox.add(datagram.encode());
    }

    /** Sends {@code datagram} at {@code atNanos} from the timer (reactor thread). */
    public void sendAt(long atNanos, Ipv4Udp datagram) {
        beaconAtNanos = atNanos;
        beacon = datagram;
    }

    public int echoed() {
        return echoed;
    }

    @Override
    public void handleInbound(long nowNanos, ByteBuffer ipPacket) {
        byte[] bytes = new byte[ipPacket.remaining()];
        ipPacket.get(ipPacket.position(), bytes);
        Optional<Ipv4Udp> d = Ipv4Udp.parse(bytes, bytes.length);
        if (d.isEmpty()) {
            return;
        }
        Ipv4Udp in = d.get();
        if (in.destinationPort() == ECHO_PORT) {
            outbox.add(new Ipv4Udp(in.destination(), in.source(), ECHO_PORT, in.sourcePort(), in.payload()).encode());
            echoed++;
        } else {
            received.add(in);
        }
    }

    @Override
    public void handleTimeout(long nowNanos) {
        if (nowNanos >= beaconAtNanos) {
            beaconAtNanos = Nanos.NEVER;
            outbox.add(beacon.encode());
        }
    }

    @Override
    public boolean pollTransmit(long nowNanos, ByteBuffer out) {
        byte[] next = outbox.poll();
        if (next == null) {
            return false;
        }
        out.put(next);
        return true;
    }

    @Override
    public long pollTimeout() {
        return beaconAtNanos;
    }
}
