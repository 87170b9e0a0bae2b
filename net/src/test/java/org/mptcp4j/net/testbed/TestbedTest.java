package org.mptcp4j.net.testbed;

import static org.assertj.core.api.Assertions.assertThat;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.mptcp4j.net.os.FdPoller;
import org.mptcp4j.net.os.NetNamespace;
import org.mptcp4j.net.os.Wakeup;
import org.mptcp4j.net.support.Ipv4Udp;
import org.mptcp4j.net.support.NetCapabilities;
import org.mptcp4j.net.tun.TunDevice;

/** Builds one real testbed (path A shaped with tbf), checks what it promises, and tears it down. */
class TestbedTest {
    private static Testbed testbed;

    @BeforeAll
    static void up() throws Exception {
        NetCapabilities.requireRootTunAndNamespaces();
        NetCapabilities.requireProgram("tc");
        NetCapabilities.requireProgram("python3");
        testbed = Testbed.up(TestbedConfig.defaults(Testbed.newId()).withRates(100_000_000L, 0));
    }

    @AfterAll
    static void down() throws Exception {
        if (testbed != null) {
            String id = testbed.config().id();
            Testbed.down(id);
            assertThat(Testbed.namespaceExists(testbed.layout().mptcp4jNamespace())).isFalse();
            assertThat(Testbed.namespaceExists(testbed.layout().kernelNamespace())).isFalse();
            assertThat(Testbed.find(id)).isEmpty();
        }
    }

    @Test
    void status_showsBothNamespacesShapingAndMptcpLimits() throws Exception {
        assertThat(Testbed.find(testbed.config().id())).isPresent();
        String status = testbed.status();
        assertThat(status).contains("(up)", "tbf", "rate 100Mbit", "subflows 8", "add_addr_accepted 8",
                "198.18.2.2", "signal subflow", "m4j0");
        // Dual-stack: the IPv6 twins (RFC 5180's 2001:2::/48) on the veths.
        assertThat(status).contains("2001:2:0:1::fe/64", "2001:2:0:2::fe/64", "2001:2:0:1::2/64", "2001:2:0:2::2/64");
    }

    @Test
    void kernelDatagramToMptcp4jAddressB_arrivesOnTun_andReplyReturnsOverPathB() throws Exception {
        TestbedLayout l = testbed.layout();
        long pathBBefore = txPackets(l.kernelNamespace(), TestbedLayout.PATH_B_KERNEL_IF);
        try (TunDevice tun = testbed.openTun();
                Wakeup wakeup = new Wakeup();
                FdPoller poller = new FdPoller(tun.fd(), wakeup);
                Arena arena = Arena.ofConfined();
                DatagramSocket kernel = NetNamespace.call(l.kernelNamespace(),
                        () -> new DatagramSocket(new InetSocketAddress(l.kernelAddressB(), 0)))) {
            kernel.setSoTimeout(5000);
            byte[] hello = "over path B".getBytes(StandardCharsets.US_ASCII);
            MemorySegment buf = arena.allocate(2048);
            // UDP promises nothing, so send as ping does: again every half second, ten times at most.
            Optional<Ipv4Udp> arrived = Optional.empty();
            for (int attempt = 0; attempt < 10 && arrived.isEmpty(); attempt++) {
                kernel.send(new DatagramPacket(hello, hello.length, new InetSocketAddress(l.mptcp4jAddressB(), 5001)));
                arrived = readUdp(tun, poller, buf, 500_000_000L);
            }
            Ipv4Udp got = arrived.orElseThrow(() -> new AssertionError("nothing arrived on the TUN in ten tries"));
            assertThat(got.source()).isEqualTo(l.kernelAddressB());
            assertThat(got.destination()).isEqualTo(l.mptcp4jAddressB());
            assertThat(new String(got.payload(), StandardCharsets.US_ASCII)).isEqualTo("over path B");

            byte[] reply = new Ipv4Udp(l.mptcp4jAddressB(), l.kernelAddressB(), 5001, got.sourcePort(),
                    "reply".getBytes(StandardCharsets.US_ASCII)).encode();
            MemorySegment out = arena.allocate(reply.length);
            MemorySegment.copy(reply, 0, out, ValueLayout.JAVA_BYTE, 0, reply.length);
            tun.write(out, reply.length);
            DatagramPacket in = new DatagramPacket(new byte[64], 64);
            kernel.receive(in);
            assertThat(new String(in.getData(), 0, in.getLength(), StandardCharsets.US_ASCII)).isEqualTo("reply");
        }
        assertThat(txPackets(l.kernelNamespace(), TestbedLayout.PATH_B_KERNEL_IF)).isGreaterThan(pathBBefore);
    }

    @Test
    void kernelMptcpClientInRouter_toKernelServer_negotiatesMptcp() throws Exception {
        TestbedLayout l = testbed.layout();
        Map<String, Long> before = Nstat.read(l.kernelNamespace());
        try (Capture capture = Capture.start(l.kernelNamespace(), TestbedLayout.PATH_A_KERNEL_IF);
                KernelPeer server = KernelPeer.start(l.kernelNamespace(), "server", "--mptcp",
                "--bind", l.kernelAddressA().getHostAddress(), "--timeout", "20")) {
            int port = server.awaitListening();
            try (KernelPeer client = KernelPeer.start(l.mptcp4jNamespace(), "client", "--mptcp",
                    "--connect", l.kernelAddressA().getHostAddress(), "--port", Integer.toString(port),
                    "--send", "2000000", "--timeout", "20")) {
                Map<String, String> sent = client.awaitResult(30);
                Map<String, String> received = server.awaitResult(30);
                assertThat(received.get("received")).isEqualTo("2000000");
                assertThat(received.get("received_sha256")).isEqualTo(sent.get("sent_sha256"));
            }
            // tshark dissects the handshake: an MP_CAPABLE SYN (subtype 0) towards the kernel's address.
            assertThat(capture.count("tcp.flags.syn == 1 && tcp.flags.ack == 0 && tcp.options.mptcp.subtype == 0 && ip.dst == "
                    + l.kernelAddressA().getHostAddress())).isEqualTo(1);
        }
        Map<String, Long> delta = Nstat.delta(before, Nstat.read(l.kernelNamespace()));
        assertThat(delta.get("MPTcpExtMPCapableSYNRX")).isEqualTo(1L);
    }

    private static long txPackets(String ns, String dev) throws Exception {
        return Long.parseLong(Shell.run("ip", "netns", "exec", ns, "cat", "/sys/class/net/" + dev + "/statistics/tx_packets").strip());
    }

    private static Optional<Ipv4Udp> readUdp(TunDevice tun, FdPoller poller, MemorySegment buf, long timeoutNanos)
            throws Exception {
        long deadline = System.nanoTime() + timeoutNanos;
        while (System.nanoTime() < deadline) {
            int n = tun.read(buf);
            if (n == 0) {
                poller.await(deadline - System.nanoTime());
                continue;
            }
            Optional<Ipv4Udp> udp = Ipv4Udp.parse(buf.asSlice(0, n).toArray(ValueLayout.JAVA_BYTE), n);
            if (udp.isPresent()) {
                return udp;
            }
        }
        return Optional.empty();
    }
}
