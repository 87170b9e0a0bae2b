package org.mptcp4j.net.udp;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.InetAddress;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.mptcp4j.base.Nanos;
import org.mptcp4j.base.SplitMix64;
import org.mptcp4j.net.driver.RealTimeDriver;
import org.mptcp4j.net.emu.PathCounters;
import org.mptcp4j.net.emu.PathEmulator;
import org.mptcp4j.net.support.DatagramEndpoint;
import org.mptcp4j.net.support.Ipv4Udp;
import org.mptcp4j.link.LinkSpec;
import org.mptcp4j.link.LossModel;
import org.mptcp4j.link.QueueLimit;

/** Two reactors on loopback addresses exchanging IP packets in UDP datagrams, unprivileged. */
class UdpDriverTest {
    private static final long SEED = 7;
    private static final InetAddress A = ip("127.0.0.1");
    private static final InetAddress B = ip("127.0.0.2");
    private static final InetAddress B2 = ip("127.0.0.3");

    @Test
    void twoLoopbackStacks_echoOverTwoPaths_withLossEmulatedOnOnePath() throws Exception {
        DatagramEndpoint client = new DatagramEndpoint();
        DatagramEndpoint server = new DatagramEndpoint();
        UdpDriver serverLink = UdpDriver.builder().local(B, 0).local(B2, 0).open();
        UdpDriver clientLink = UdpDriver.builder().local(A, 0)
                .peer(B, serverLink.localSocketAddress(B)).peer(B2, serverLink.localSocketAddress(B2)).open();
        serverLink.addPeer(A, clientLink.localSocketAddress(A));

        PathEmulator egress = new PathEmulator(new SplitMix64(SEED));
        egress.configure(A, B2, LinkSpec.of(100_000_000, Nanos.ofMillis(5))
                .withLoss(LossModel.bernoulli(0.2)).withQueue(QueueLimit.UNLIMITED));
        try (RealTimeDriver serverDriver = new RealTimeDriver("udp-b", serverLink, server).start();
                RealTimeDriver clientDriver = new RealTimeDriver("udp-a", clientLink, client, egress, null).start()) {
            clientDriver.submit(() -> {
                for (int i = 0; i < 200; i++) {
                    byte[] payload = ("n" + i).getBytes(StandardCharsets.US_ASCII);
                    client.send(new Ipv4Udp(A, B, 40000, DatagramEndpoint.ECHO_PORT, payload));
                    client.send(new Ipv4Udp(A, B2, 40001, DatagramEndpoint.ECHO_PORT, payload));
                }
                return null;
            }).get(5, TimeUnit.SECONDS);

            PathCounters lossy = clientDriver.submit(() -> egress.counters(A, B2)).get(5, TimeUnit.SECONDS);
            int expected = 200 + (int) (lossy.offered() - lossy.lost());
            int viaB = 0;
            int viaB2 = 0;
            for (int i = 0; i < expected; i++) {
                Ipv4Udp echo = client.received.poll(10, TimeUnit.SECONDS);
                assertThat(echo).as("echo %d of %d (seed %d)", i, expected, SEED).isNotNull();
                assertThat(echo.destination()).isEqualTo(A);
                if (echo.source().equals(B)) {
                    viaB++;
                } else {
                    viaB2++;
                }
            }
            assertThat(viaB).isEqualTo(200);
            assertThat(lossy.offered()).isEqualTo(200);
            assertThat(lossy.lost()).as("seed %d", SEED).isBetween(20L, 70L);
            assertThat(viaB2).isEqualTo(200 - (int) lossy.lost());
            assertThat(server.echoed()).isEqualTo(expected);
        }
    }

    @Test
    void packetToUnmappedAddress_isCountedAsDropped() throws Exception {
        DatagramEndpoint endpoint = new DatagramEndpoint();
        try (RealTimeDriver driver = new RealTimeDriver("udp-x", UdpDriver.builder().local(A, 0).open(), endpoint).start()) {
            driver.submit(() -> {
                endpoint.send(new Ipv4Udp(A, ip("127.0.0.9"), 1, 2, new byte[10]));
                return null;
            }).get(5, TimeUnit.SECONDS);
            long dropped = driver.submit(() -> driver.stats().linkDropped()).get(5, TimeUnit.SECONDS);
            assertThat(dropped).isEqualTo(1);
        }
    }

    private static InetAddress ip(String s) {
        try {
            return InetAddress.getByName(s);
        } catch (java.net.UnknownHostException e) {
            throw new AssertionError(e);
        }
    }
}
