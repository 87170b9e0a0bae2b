package org.mptcp4j.api;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.security.MessageDigest;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.mptcp4j.base.Nanos;
import org.mptcp4j.base.SplitMix64;
import org.mptcp4j.net.emu.PathEmulator;
import org.mptcp4j.net.udp.UdpDriver;
import org.mptcp4j.link.LinkSpec;
import org.mptcp4j.link.LossModel;
import org.mptcp4j.stack.ConnectionInfo;
import org.mptcp4j.stack.StackConfig;
import org.mptcp4j.tcp.TcpState;

/** The UDP loopback snippets of docs/NET.md, as written there; unprivileged. */
class NetGuideExampleTest {

    /** NET.md "Quick start: two stacks over UDP on loopback". */
    @Test
    void quickStart_helloArrives() throws Exception {
        String printed;
        InetAddress serverIp = InetAddress.getByName("127.0.0.2"), clientIp = InetAddress.getByName("127.0.0.1");
        UdpDriver serverLink = UdpDriver.builder().local(serverIp, 0).open();     // 0: any free UDP port
        UdpDriver clientLink = UdpDriver.builder().local(clientIp, 0)
                .peer(serverIp, serverLink.localSocketAddress(serverIp)).open();
        serverLink.addPeer(clientIp, clientLink.localSocketAddress(clientIp));

        try (MptcpHost server = MptcpHost.overUdp("server", StackConfig.defaults(), serverLink, List.of(serverIp));
             MptcpHost client = MptcpHost.overUdp("client", StackConfig.defaults(), clientLink, List.of(clientIp));
             MptcpServerSocket listener = new MptcpServerSocket(server, new InetSocketAddress(serverIp, 5001), 8)) {
            CompletableFuture<byte[]> received = CompletableFuture.supplyAsync(() -> {
                try (MptcpSocket s = listener.accept()) {
                    return s.getInputStream().readAllBytes();
                } catch (IOException e) {
                    throw new UncheckedIOException(e);
                }
            });
            try (MptcpSocket s = new MptcpSocket(client)) {
                s.connect(new InetSocketAddress(serverIp, 5001), 5_000);
                s.getOutputStream().write("hello".getBytes());
                s.shutdownOutput();
                printed = new String(received.get(10, TimeUnit.SECONDS)) + " " + s.info(); // hello, state, RTT, cwnd, bytes
                System.out.println(printed);
            }
        }
        assertThat(printed).startsWith("hello ").contains("cwnd:");
    }

    /** NET.md "Path emulation": the same over a 10 ms path with 1 % loss; the stream still arrives whole. */
    @Test
    void pathEmulation_lossyPath_streamArrivesIntact() throws Exception {
        InetAddress serverIp = InetAddress.getByName("127.0.0.2"), clientIp = InetAddress.getByName("127.0.0.1");
        UdpDriver serverLink = UdpDriver.builder().local(serverIp, 0).open();
        UdpDriver link = UdpDriver.builder().local(clientIp, 0)
                .peer(serverIp, serverLink.localSocketAddress(serverIp)).open();
        serverLink.addPeer(clientIp, link.localSocketAddress(clientIp));
        long seed = 7;
        InetAddress localA = clientIp, remote = serverIp;
        List<InetAddress> addresses = List.of(clientIp);
        SplitMix64 rng = new SplitMix64(seed + 1);

        PathEmulator egress = new PathEmulator(new SplitMix64(seed));
        egress.configure(localA, remote, LinkSpec.of(100_000_000, Nanos.ofMillis(10)).withLoss(LossModel.bernoulli(0.01)));

        byte[] data = new byte[1 << 20];
        new java.util.Random(seed).nextBytes(data);
        byte[] got;
        ConnectionInfo info;
        try (MptcpHost server = MptcpHost.overUdp("server", StackConfig.defaults(), serverLink, List.of(serverIp));
             MptcpHost client = MptcpHost.start("emulated", StackConfig.defaults(), rng, link, addresses, egress, /* ingress */ null);
             MptcpServerSocket listener = new MptcpServerSocket(server, new InetSocketAddress(serverIp, 5001), 8)) {
            CompletableFuture<byte[]> received = CompletableFuture.supplyAsync(() -> {
                try (MptcpSocket s = listener.accept()) {
                    return s.getInputStream().readAllBytes();
                } catch (IOException e) {
                    throw new UncheckedIOException(e);
                }
            });
            try (MptcpSocket s = new MptcpSocket(client)) {
                s.connect(new InetSocketAddress(serverIp, 5001), 5_000);
                s.getOutputStream().write(data);
                s.shutdownOutput();
                got = received.get(30, TimeUnit.SECONDS);
                info = s.info();
            }
        }
        assertThat(MessageDigest.getInstance("SHA-256").digest(got))
                .as("seed %d", seed).isEqualTo(MessageDigest.getInstance("SHA-256").digest(data));
        assertThat(info.state()).isNotEqualTo(TcpState.ESTABLISHED); // we sent FIN
        assertThat(egress.counters(localA, remote).offered()).isGreaterThan(data.length / 1448);
    }
}
