package org.mptcp4j.api;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.mptcp4j.base.Nanos;
import org.mptcp4j.base.SecureRng;
import org.mptcp4j.base.SplitMix64;
import org.mptcp4j.mptcp.Endpoint;
import org.mptcp4j.mptcp.Limits;
import org.mptcp4j.mptcp.MptcpConfig;
import org.mptcp4j.net.emu.PathEmulator;
import org.mptcp4j.net.udp.UdpDriver;
import org.mptcp4j.link.LinkSpec;
import org.mptcp4j.stack.StackConfig;

/**
 * Two mptcp4j hosts over loopback UDP, the client with a second subflow joined from another
 * address. One end writes a stream and closes its socket; the other reads to the end of the stream
 * and closes too. Both stacks then finish closing (both DATA_FINs acknowledged, every subflow
 * closed with a FIN) by themselves, so {@link MptcpHost#close()} has nothing left to linger for:
 * the count of connections still closing falls to zero at both ends, long before
 * {@link MptcpHost#DEFAULT_LINGER} would run out. The client's paths are emulated (5 ms one way):
 * its host, closed first, still lets out what its stack sent, so the server's last subflow FIN
 * gets its ACK and the server has nothing left closing either.
 */
class MptcpCloseOverUdpTest {
    private static final int PORT = 5001;
    /** Bytes written before waiting for the join. */
    private static final int FIRST = 64 << 10;

    @ParameterizedTest(name = "client closes first: {0}")
    @ValueSource(booleans = {true, false})
    void oneEndWritesAndCloses_otherClosesAtEndOfStream_nothingLeftClosing(boolean clientWrites) throws Exception {
        InetAddress serverIp = InetAddress.getByName("127.0.0.2");
        InetAddress clientA = InetAddress.getByName("127.0.0.1");
        InetAddress clientB = InetAddress.getByName("127.0.0.3");
        UdpDriver serverLink = UdpDriver.builder().local(serverIp, 0).open();
        UdpDriver clientLink = UdpDriver.builder().local(clientA, 0).local(clientB, 0)
                .peer(serverIp, serverLink.localSocketAddress(serverIp)).open();
        serverLink.addPeer(clientA, clientLink.localSocketAddress(clientA));
        serverLink.addPeer(clientB, clientLink.localSocketAddress(clientB));
        StackConfig clientConfig = StackConfig.defaults().withMptcp(MptcpConfig.defaults()
                .withEndpoints(List.of(Endpoint.of(clientB, 1, Endpoint.Flag.SUBFLOW))).withLimits(new Limits(1, 0)));
        PathEmulator paths = new PathEmulator(new SplitMix64(1));
        paths.configure(clientA, null, LinkSpec.of(100_000_000, Nanos.ofMillis(5)));
        paths.configure(clientB, null, LinkSpec.of(100_000_000, Nanos.ofMillis(5)));
        byte[] data = new byte[1 << 20];
        new Random(7).nextBytes(data);

        try (MptcpHost server = MptcpHost.overUdp("server", StackConfig.defaults(), serverLink, List.of(serverIp));
             MptcpHost client = MptcpHost.start("client", clientConfig, new SecureRng(), clientLink,
                     List.of(clientA, clientB), paths, null);
             MptcpServerSocket listener = new MptcpServerSocket(server, new InetSocketAddress(serverIp, PORT), 8)) {
            CompletableFuture<byte[]> serving = CompletableFuture.supplyAsync(() -> {
                try (MptcpSocket s = listener.accept()) {
                    if (clientWrites) {
                        return s.getInputStream().readAllBytes();
                    }
                    // Joins are refused once the DATA_FIN is queued: the rest waits for the join.
                    s.getOutputStream().write(data, 0, FIRST);
                    awaitJoin(s);
                    s.getOutputStream().write(data, FIRST, data.length - FIRST);
                    return null;
                } catch (Exception e) {
                    throw new RuntimeException(e);
                }
            });
            byte[] received = null;
            int subflows;
            try (MptcpSocket s = new MptcpSocket(client)) {
                s.bind(new InetSocketAddress(clientA, 0));
                s.connect(new InetSocketAddress(serverIp, PORT), 5_000);
                // The client joins once the server has shown it holds the keys (its first DSS, after
                // the first data): the first 64 KiB go before the wait for the join, the rest after.
                if (clientWrites) {
                    s.getOutputStream().write(data, 0, FIRST);
                    awaitJoin(s);
                    s.getOutputStream().write(data, FIRST, data.length - FIRST);
                } else {
                    received = s.getInputStream().readNBytes(FIRST);
                    awaitJoin(s);
                    byte[] rest = s.getInputStream().readAllBytes();
                    received = Arrays.copyOf(received, FIRST + rest.length);
                    System.arraycopy(rest, 0, received, FIRST, rest.length);
                }
                subflows = s.mptcpInfo().subflows().size();
            }
            byte[] served = serving.get(10, TimeUnit.SECONDS);
            assertThat(Arrays.equals(clientWrites ? served : received, data)).isTrue();
            assertThat(subflows).isEqualTo(2);

            assertThat(waitForNoPendingClose(client)).as("client, %s", client.counters()).isZero();
            client.close();
            assertThat(waitForNoPendingClose(server)).as("server, %s", server.counters()).isZero();
        }
    }

    /**
     * Waits for the host's count of connections still closing to fall to zero, at most half the
     * linger (a connection that never finishes closing keeps its count up for all of it); the count.
     */
    private static int waitForNoPendingClose(MptcpHost host) throws Exception {
        long deadline = System.nanoTime() + MptcpHost.DEFAULT_LINGER.toNanos() / 2;
        while (System.nanoTime() - deadline < 0 && pendingCloses(host) > 0) {
            Thread.sleep(5);
        }
        return pendingCloses(host);
    }

    private static void awaitJoin(MptcpSocket s) throws Exception {
        for (int i = 0; i < 2000 && s.mptcpInfo().subflows().stream().filter(f -> f.established()).count() < 2; i++) {
            Thread.sleep(1);
        }
    }

    private static int pendingCloses(MptcpHost host) throws Exception {
        return host.call(() -> host.endpoint().stack().pendingCloseCount());
    }
}
