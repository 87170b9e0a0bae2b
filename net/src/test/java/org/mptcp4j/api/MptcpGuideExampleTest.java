package org.mptcp4j.api;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.mptcp4j.base.Nanos;
import org.mptcp4j.base.SecureRng;
import org.mptcp4j.base.SplitMix64;
import org.mptcp4j.mptcp.Endpoint;
import org.mptcp4j.mptcp.Limits;
import org.mptcp4j.mptcp.MptcpConfig;
import org.mptcp4j.mptcp.MptcpInfo;
import org.mptcp4j.net.emu.PathEmulator;
import org.mptcp4j.net.udp.UdpDriver;
import org.mptcp4j.link.LinkSpec;
import org.mptcp4j.stack.StackConfig;

/**
 * README.md "MPTCP with the socket API": the example runs here as written there (the test checks
 * that README.md holds this very code), unprivileged over loopback UDP.
 */
class MptcpGuideExampleTest {

    // README:begin
    public class TwoPathExample {
        public static void main(String[] args) throws Exception {
            InetAddress serverIp = InetAddress.getByName("127.0.0.2");
            InetAddress clientA = InetAddress.getByName("127.0.0.1"), clientB = InetAddress.getByName("127.0.0.3");
            // IP over UDP on loopback, unprivileged: one UDP socket per IP address.
            UdpDriver serverLink = UdpDriver.builder().local(serverIp, 0).open();
            UdpDriver clientLink = UdpDriver.builder().local(clientA, 0).local(clientB, 0)
                    .peer(serverIp, serverLink.localSocketAddress(serverIp)).open();
            serverLink.addPeer(clientA, clientLink.localSocketAddress(clientA));
            serverLink.addPeer(clientB, clientLink.localSocketAddress(clientB));

            // Like "ip mptcp endpoint add 127.0.0.3 id 1 subflow; ip mptcp limits set subflows 1 add_addr_accepted 0":
            // once the connection is established, the client joins a second subflow from 127.0.0.3.
            StackConfig clientConfig = StackConfig.defaults().withMptcp(MptcpConfig.defaults()
                    .withEndpoints(List.of(Endpoint.of(clientB, 1, Endpoint.Flag.SUBFLOW)))
                    .withLimits(new Limits(1, 0)));
            // Loopback is one fast path: give each client address a path of its own, 40 Mbit/s and 5 ms one way.
            PathEmulator paths = new PathEmulator(new SplitMix64(1));
            paths.configure(clientA, null, LinkSpec.of(40_000_000, Nanos.ofMillis(5)));
            paths.configure(clientB, null, LinkSpec.of(40_000_000, Nanos.ofMillis(5)));
            byte[] data = new byte[8 << 20];
            new Random(1).nextBytes(data);

            try (MptcpHost server = MptcpHost.overUdp("server", StackConfig.defaults(), serverLink, List.of(serverIp));
                 MptcpHost client = MptcpHost.start("client", clientConfig, new SecureRng(), clientLink, List.of(clientA, clientB),
                         paths, null);
                 MptcpServerSocket listener = new MptcpServerSocket(server, new InetSocketAddress(serverIp, 5001), 8)) {
                // The server reads the 8 MiB and answers with their SHA-256.
                CompletableFuture<Void> serving = CompletableFuture.runAsync(() -> {
                    try (MptcpSocket s = listener.accept()) {
                        byte[] got = s.getInputStream().readNBytes(data.length);
                        s.getOutputStream().write(MessageDigest.getInstance("SHA-256").digest(got));
                        s.getInputStream().readAllBytes(); // until the client closes
                    } catch (Exception e) {
                        throw new RuntimeException(e);
                    }
                });
                try (MptcpSocket s = new MptcpSocket(client)) {
                    s.bind(new InetSocketAddress(clientA, 0));
                    s.connect(new InetSocketAddress(serverIp, 5001), 5_000);
                    // The join takes a round trip after the connection is established: wait for it.
                    for (int i = 0; i < 1000 && s.mptcpInfo().subflows().stream().filter(f -> f.established()).count() < 2; i++) {
                        Thread.sleep(1);
                    }
                    s.getOutputStream().write(data);
                    byte[] digest = s.getInputStream().readNBytes(32);
                    boolean equal = Arrays.equals(digest, MessageDigest.getInstance("SHA-256").digest(data));

                    MptcpInfo info = s.mptcpInfo(); // like MPTCP_INFO / ss -Mi
                    System.out.println(info.mode() + ", SHA-256 " + (equal ? "equal" : "DIFFERENT") + ", "
                            + info.bytesAcked() + " bytes acknowledged at the data level");
                    for (MptcpInfo.SubflowInfo f : info.subflows()) {
                        System.out.printf("  subflow %s -> %s: %d data bytes, srtt %.3f ms, cwnd %d%n",
                                f.local(), f.remote(), f.dataBytesSent(), f.srttNanos() / 1e6, f.cwndBytes());
                    }
                }
                serving.get(10, TimeUnit.SECONDS);
            }
        }
    }
    // README:end

    @Test
    void twoAddressesAndASubflowEndpoint_bothSubflowsCarryTheStream() throws Exception {
        PrintStream saved = System.out;
        ByteArrayOutputStream buf = new ByteArrayOutputStream();
        System.setOut(new PrintStream(buf, true));
        try {
            TwoPathExample.main(new String[0]);
        } finally {
            System.setOut(saved);
        }
        String printed = buf.toString();
        System.out.print(printed);
        assertThat(printed).startsWith("MPTCP, SHA-256 equal, " + (8 << 20) + " bytes acknowledged");
        List<String> subflows = printed.lines().filter(l -> l.startsWith("  subflow ")).toList();
        assertThat(subflows).as(printed).hasSize(2);
        assertThat(subflows.get(0)).startsWith("  subflow /127.0.0.1:");
        assertThat(subflows.get(1)).startsWith("  subflow /127.0.0.3:");
        for (String line : subflows) {
            long dataBytes = Long.parseLong(line.replaceAll(".*: ([0-9]+) data bytes.*", "$1"));
            assertThat(dataBytes).as("two equal paths share the stream: %s", line).isGreaterThan((8 << 20) / 8);
        }
    }

    @Test
    void readme_holdsTheExampleAsWritten() throws IOException {
        Path self = Path.of("src/test/java/org/mptcp4j/api/MptcpGuideExampleTest.java");
        String source = Files.readString(self);
        String example = source.substring(source.indexOf("    // README:begin\n") + "    // README:begin\n".length(),
                source.indexOf("    // README:end"));
        String readme = Files.readString(Path.of("../README.md"));
        assertThat(readme).as("README.md holds the example of %s, less its first four spaces of indent", self)
                .contains(example.lines().map(l -> l.startsWith("    ") ? l.substring(4) : l)
                        .collect(java.util.stream.Collectors.joining("\n", "", "\n")));
    }
}
