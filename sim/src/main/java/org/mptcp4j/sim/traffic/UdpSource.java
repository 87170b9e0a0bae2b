package org.mptcp4j.sim.traffic;

import java.nio.ByteBuffer;
import org.mptcp4j.base.Nanos;
import org.mptcp4j.sim.Endpoint;
import org.mptcp4j.sim.HostContext;
import org.mptcp4j.sim.Prefix;

/**
 * Sends valid IPv4/UDP datagrams: {@code burst} packets every {@code intervalNanos} (a constant
 * rate when {@code burst} is 1, packet trains otherwise), {@code count} packets in all, starting at
 * {@code startNanos}. Each datagram carries its sequence number (from 0) and send time; a
 * {@link CountingSink} reads them back. Incoming packets are counted and ignored.
 *
 * <pre>{@code
 * host.attach(UdpSource.from("10.0.0.1").to("10.0.0.2").payloadBytes(1472)
 *         .rateBps(50_000_000).count(10_000).build());
 * }</pre>
 */
public final class UdpSource implements Endpoint {
    private final byte[] src;
    private final byte[] dst;
    private final int srcPort;
    private final int dstPort;
    private final int payloadBytes;
    private final long intervalNanos;
    private final int burst;
    private final long count;
    private final long startNanos;
    private final ByteBuffer out;

    private HostContext host;
    private long sent;
    private long received;

    private UdpSource(Builder b) {
        src = Prefix.addressBytes(b.src);
        dst = Prefix.addressBytes(b.dst);
        if (src.length != 4 || dst.length != 4) {
            throw new IllegalArgumentException("UdpSource speaks IPv4");
        }
        srcPort = b.srcPort;
        dstPort = b.dstPort;
        payloadBytes = b.payloadBytes;
        intervalNanos = b.intervalNanos;
        burst = b.burst;
        count = b.count;
        startNanos = b.startNanos;
        out = ByteBuffer.allocate(Ipv4Udp.HEADERS_BYTES + payloadBytes);
    }

    public static Builder from(String sourceAddress) {
        return new Builder(sourceAddress);
    }

    /** Size of each datagram on the wire (IP header included). */
    public int packetBytes() {
        return Ipv4Udp.HEADERS_BYTES + payloadBytes;
    }

    public long sent() {
        return sent;
    }

    /** Packets that arrived at the source (replies, misrouted traffic). */
    public long received() {
        return received;
    }

    public boolean isDone() {
        return sent >= count;
    }

    @Override
    public void attach(HostContext hostContext) {
        this.host = hostContext;
        if (count > 0) {
            hostContext.wakeAt(Math.max(startNanos, hostContext.nowNanos()));
        }
    }

    @Override
    public void onPacket(long nowNanos, ByteBuffer ipPacket) {
        received++;
    }

    @Override
    public void onWakeup(long nowNanos) {
        for (int i = 0; i < burst && sent < count; i++) {
            if (sent == 0) {
                Ipv4Udp.write(out.clear(), src, dst, srcPort, dstPort, 0, 0, nowNanos, payloadBytes);
                out.flip();
            } else {
                Ipv4Udp.restamp(out, (int) sent, sent, nowNanos);
            }
            host.send(out);
            sent++;
        }
        host.wakeAt(sent < count ? nowNanos + intervalNanos : Nanos.NEVER);
    }

    /** Fluent configuration; every setting has a default but the addresses. */
    public static final class Builder {
        private final String src;
        private String dst;
        private int srcPort = 40_000;
        private int dstPort = 5001; // iperf2's port, the paper's tool
        private int payloadBytes = 1472; // a 1500-byte IPv4 packet
        private long intervalNanos = Nanos.PER_MILLI;
        private int burst = 1;
        private long count = 1;
        private long startNanos;
        private long rateBps;

        private Builder(String src) {
            this.src = src;
        }

        public Builder to(String destinationAddress) {
            this.dst = destinationAddress;
            return this;
        }

        public Builder ports(int source, int destination) {
            this.srcPort = source;
            this.dstPort = destination;
            return this;
        }

        /** UDP payload per datagram; the packet is 28 bytes longer. */
        public Builder payloadBytes(int bytes) {
            this.payloadBytes = bytes;
            return this;
        }

        /** Each packet (or each burst) this long after the previous one. */
        public Builder intervalNanos(long nanos) {
            this.intervalNanos = nanos;
            this.rateBps = 0;
            return this;
        }

        /** Paces single packets (or bursts) to this average IP-level rate. */
        public Builder rateBps(long bps) {
            this.rateBps = bps;
            return this;
        }

        /** Packets sent back to back at each interval: a packet train. */
        public Builder burst(int packets) {
            this.burst = packets;
            return this;
        }

        public Builder count(long packets) {
            this.count = packets;
            return this;
        }

        public Builder startNanos(long nanos) {
            this.startNanos = nanos;
            return this;
        }

        public UdpSource build() {
            if (dst == null) {
                throw new IllegalStateException("destination address missing");
            }
            if (burst < 1 || count < 0 || payloadBytes < Ipv4Udp.MIN_PAYLOAD_BYTES) {
                throw new IllegalArgumentException("burst >= 1, count >= 0, payload >= 16 required");
            }
            if (rateBps > 0) {
                long bits = 8L * (Ipv4Udp.HEADERS_BYTES + payloadBytes) * burst;
                intervalNanos = Math.ceilDiv(bits * Nanos.PER_SECOND, rateBps);
            }
            if (intervalNanos <= 0) {
                throw new IllegalArgumentException("interval must be positive");
            }
            return new UdpSource(this);
        }
    }
}
