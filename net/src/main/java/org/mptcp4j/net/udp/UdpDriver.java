package org.mptcp4j.net.udp;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.net.StandardSocketOptions;
import java.nio.ByteBuffer;
import java.nio.channels.DatagramChannel;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.mptcp4j.net.driver.IpPackets;
import org.mptcp4j.net.driver.PacketLink;

/**
 * Carries the stack's IP packets, unchanged, in UDP datagrams: one {@link DatagramChannel} per
 * local IP address, no privileges needed, works on loopback ({@code 127.0.0.1}, {@code 127.0.0.2},
 * ...). Both ends are mptcp4j. A packet leaves through the socket of its IP source address towards
 * the UDP address its IP destination maps to; a datagram is handed to the stack as the IP packet it
 * carries.
 *
 * <p>Mapping: {@link Builder#local} binds our socket for an IP address; {@link Builder#peer} says
 * where a remote IP address is reached. The usual convention, {@link Builder#samePort}, is "IP
 * address X is UDP X:port" on both sides.
 */
public final class UdpDriver implements PacketLink {
    /** Large enough for any IPv4 packet a 64 KB datagram can carry. */
    private static final int MAX_PACKET = 65_507;
    private static final int SOCKET_BUFFER_BYTES = 4 << 20;

    private final Selector selector;
    private final DatagramChannel[] channels;
    private final Map<Integer, DatagramChannel> channelByIpv4 = new HashMap<>();
    private final Map<InetAddress, DatagramChannel> channelByAddress = new HashMap<>();
    private final Map<Integer, InetSocketAddress> peerByIpv4 = new HashMap<>();
    private final Map<InetAddress, InetSocketAddress> peerByAddress = new HashMap<>();
    private final int defaultPeerPort;
    private final ByteBuffer rx = ByteBuffer.allocateDirect(MAX_PACKET);
    private final ByteBuffer tx = ByteBuffer.allocateDirect(MAX_PACKET);
    private int nextChannel;
    private long dropped;

    private UdpDriver(Builder b) throws IOException {
        selector = Selector.open();
        List<DatagramChannel> opened = new ArrayList<>();
        try {
            for (Map.Entry<InetAddress, InetSocketAddress> e : b.locals.entrySet()) {
                DatagramChannel ch = DatagramChannel.open(e.getValue().getAddress() instanceof java.net.Inet6Address
                        ? java.net.StandardProtocolFamily.INET6 : java.net.StandardProtocolFamily.INET);
                opened.add(ch);
                ch.setOption(StandardSocketOptions.SO_RCVBUF, SOCKET_BUFFER_BYTES);
                ch.setOption(StandardSocketOptions.SO_SNDBUF, SOCKET_BUFFER_BYTES);
                ch.bind(e.getValue());
                ch.configureBlocking(false);
                ch.register(selector, SelectionKey.OP_READ);
                channelByAddress.put(e.getKey(), ch);
                if (e.getKey().getAddress().length == 4) {
                    channelByIpv4.put(IpPackets.ipv4Key(e.getKey()), ch);
                }
            }
        } catch (IOException | RuntimeException e) {
            for (DatagramChannel ch : opened) {
                ch.close();
            }
            selector.close();
            throw e;
        }
        channels = opened.toArray(DatagramChannel[]::new);
        for (Map.Entry<InetAddress, InetSocketAddress> e : b.peers.entrySet()) {
            peerByAddress.put(e.getKey(), e.getValue());
            if (e.getKey().getAddress().length == 4) {
                peerByIpv4.put(IpPackets.ipv4Key(e.getKey()), e.getValue());
            }
        }
        defaultPeerPort = b.defaultPeerPort;
    }

    public static Builder builder() {
        return new Builder();
    }

    /** The UDP address our socket for {@code ipAddress} is bound to (its port when bound to 0). */
    public InetSocketAddress localSocketAddress(InetAddress ipAddress) throws IOException {
        DatagramChannel ch = channelByAddress.get(ipAddress);
        if (ch == null) {
            throw new IllegalArgumentException("no socket for " + ipAddress);
        }
        return (InetSocketAddress) ch.getLocalAddress();
    }

    /** Adds or changes where a remote IP address is reached; reactor thread (or before start). */
    public void addPeer(InetAddress ipAddress, InetSocketAddress udpAddress) {
        peerByAddress.put(ipAddress, udpAddress);
        if (ipAddress.getAddress().length == 4) {
            peerByIpv4.put(IpPackets.ipv4Key(ipAddress), udpAddress);
        }
    }

    @Override
    public ByteBuffer receive() throws IOException {
        // Round-robin over the sockets so that one busy path cannot starve the others.
        for (int i = 0; i < channels.length; i++) {
            DatagramChannel ch = channels[nextChannel];
            nextChannel = (nextChannel + 1) % channels.length;
            rx.clear();
            SocketAddress from = ch.receive(rx);
            if (from != null) {
                rx.flip();
                if (IpPackets.version(rx) == 0) {
                    dropped++;
                    continue;
                }
                return rx;
            }
        }
        return null;
    }

    /** A destination is reachable when it has a peer, or when every address maps to the same port. */
    @Override
    public boolean hasRoute(InetAddress destination) {
        return defaultPeerPort > 0 || peerByAddress.containsKey(destination);
    }

    @Override
    public ByteBuffer transmitBuffer() {
        return tx.clear();
    }

    @Override
    public boolean send(ByteBuffer packet) throws IOException {
        int version = IpPackets.version(packet);
        DatagramChannel ch;
        InetSocketAddress to;
        if (version == 4) {
            ch = channelByIpv4.get(IpPackets.ipv4Source(packet));
            int dst = IpPackets.ipv4Destination(packet);
            to = peerByIpv4.get(dst);
            if (to == null && defaultPeerPort > 0) {
                to = new InetSocketAddress(IpPackets.destination(packet), defaultPeerPort);
                peerByIpv4.put(dst, to);
            }
        } else if (version == 6) {
            ch = channelByAddress.get(IpPackets.source(packet));
            InetAddress dst = IpPackets.destination(packet);
            to = peerByAddress.get(dst);
            if (to == null && defaultPeerPort > 0) {
                to = new InetSocketAddress(dst, defaultPeerPort);
                peerByAddress.put(dst, to);
            }
        } else {
            dropped++;
            return false;
        }
        if (ch == null || to == null) {
            dropped++;
            return false;
        }
        if (ch.send(packet, to) == 0) {
            dropped++;
            return false;
        }
        return true;
    }

    @Override
    public void await(long timeoutNanos) throws IOException {
        if (timeoutNanos == 0) {
            selector.selectNow();
        } else if (timeoutNanos < 0) {
            selector.select();
        } else {
            // Selector time is in milliseconds; round up so that a deadline is never missed early.
            selector.select(Math.max(1, (timeoutNanos + 999_999) / 1_000_000));
        }
        selector.selectedKeys().clear();
    }

    @Override
    public void wakeup() {
        selector.wakeup();
    }

    @Override
    public boolean awaitInterruptible() {
        return true; // a thread interrupted in Selector.select returns from it
    }

    @Override
    public long dropped() {
        return dropped;
    }

    @Override
    public void close() throws IOException {
        IOException first = null;
        for (DatagramChannel ch : channels) {
            try {
                ch.close();
            } catch (IOException e) {
                first = first == null ? e : first;
            }
        }
        selector.close();
        if (first != null) {
            throw first;
        }
    }

    /** Which local IP addresses get a socket, and where remote IP addresses are reached. */
    public static final class Builder {
        private final Map<InetAddress, InetSocketAddress> locals = new LinkedHashMap<>();
        private final Map<InetAddress, InetSocketAddress> peers = new LinkedHashMap<>();
        private int defaultPeerPort;

        /** A socket for our IP address {@code ip}, bound to {@code udp}. */
        public Builder local(InetAddress ip, InetSocketAddress udp) {
            locals.put(ip, udp);
            return this;
        }

        /** Our IP address {@code ip} is UDP {@code ip:port} (port 0: any free port). */
        public Builder local(InetAddress ip, int port) {
            return local(ip, new InetSocketAddress(ip, port));
        }

        /** The remote IP address {@code ip} is reached at UDP {@code udp}. */
        public Builder peer(InetAddress ip, InetSocketAddress udp) {
            peers.put(ip, udp);
            return this;
        }

        /** Any remote IP address X without an explicit peer is UDP {@code X:port}. */
        public Builder samePort(int port) {
            defaultPeerPort = port;
            return this;
        }

        public UdpDriver open() throws IOException {
            if (locals.isEmpty()) {
                throw new IllegalArgumentException("a UDP driver needs at least one local address");
            }
            return new UdpDriver(this);
        }
    }
}
