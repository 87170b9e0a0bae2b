package org.mptcp4j.api;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.List;
import org.mptcp4j.base.SplitMix64;
import org.mptcp4j.net.emu.PathEmulator;
import org.mptcp4j.net.udp.UdpDriver;
import org.mptcp4j.stack.StackConfig;

/**
 * Two mptcp4j hosts on loopback, IP over UDP (unprivileged): the server owns 127.0.0.2, the
 * client 127.0.0.1. Other addresses have no route from the client unless a test maps them.
 */
final class LoopbackPair implements AutoCloseable {
    static final InetAddress CLIENT = InetAddress.ofLiteral("127.0.0.1");
    static final InetAddress SERVER = InetAddress.ofLiteral("127.0.0.2");

    final UdpDriver clientLink;
    final MptcpHost server;
    final MptcpHost client;

    LoopbackPair(long seed) throws IOException {
        this(seed, StackConfig.defaults(), StackConfig.defaults());
    }

    LoopbackPair(long seed, StackConfig serverConfig, StackConfig clientConfig) throws IOException {
        this(seed, serverConfig, clientConfig, null);
    }

    /** With {@code clientEgress} (or null) emulating the client's outgoing path, a delay say. */
    LoopbackPair(long seed, StackConfig serverConfig, StackConfig clientConfig, PathEmulator clientEgress)
            throws IOException {
        UdpDriver serverLink = UdpDriver.builder().local(SERVER, 0).open();
        clientLink = UdpDriver.builder().local(CLIENT, 0).peer(SERVER, serverLink.localSocketAddress(SERVER)).open();
        serverLink.addPeer(CLIENT, clientLink.localSocketAddress(CLIENT));
        server = MptcpHost.start("server", serverConfig, new SplitMix64(seed), serverLink, List.of(SERVER), null, null);
        client = MptcpHost.start("client", clientConfig, new SplitMix64(seed + 1), clientLink, List.of(CLIENT),
                clientEgress, null);
    }

    MptcpServerSocket listen() throws IOException {
        return new MptcpServerSocket(server, new InetSocketAddress(SERVER, 0), 64);
    }

    @Override
    public void close() throws IOException {
        try {
            client.close(Duration.ofSeconds(2));
        } finally {
            server.close(Duration.ofSeconds(2));
        }
    }
}
