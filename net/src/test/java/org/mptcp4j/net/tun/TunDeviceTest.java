package org.mptcp4j.net.tun;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.Optional;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.mptcp4j.net.os.FdPoller;
import org.mptcp4j.net.os.NetNamespace;
import org.mptcp4j.net.os.Wakeup;
import org.mptcp4j.net.support.Ipv4Udp;
import org.mptcp4j.net.support.NetCapabilities;
import org.mptcp4j.net.support.TestNamespace;

/**
 * The TUN device against the Linux kernel, in a namespace of its own: the kernel's UDP socket sends
 * through the TUN and we read the raw IPv4 packet; we write a crafted reply and the kernel's socket
 * receives it (so the kernel accepted both checksums).
 */
class TunDeviceTest {
    private static final InetAddress KERNEL = address("198.18.0.1");
    private static final InetAddress TUN_PEER = address("198.18.0.2");
    private static final long WAIT_NANOS = 5_000_000_000L;

    @BeforeEach
    void needsRootAndTun() {
        NetCapabilities.requireRootTunAndNamespaces();
    }

    @Test
    void kernelDatagram_readFromTun_andCraftedReply_reachesKernelSocket() throws Exception {
        try (TestNamespace ns = TestNamespace.create();
                TunDevice tun = NetNamespace.call(ns.name(), () -> TunDevice.open("m4j%d"));
                Arena arena = Arena.ofConfined();
                Wakeup wakeup = new Wakeup();
                FdPoller poller = new FdPoller(tun.fd(), wakeup)) {
            tun.setMtu(1400);
            tun.setUp();
            assertThat(tun.mtu()).isEqualTo(1400);
            ns.ip("addr", "add", "198.18.0.1/24", "dev", tun.name());

            try (DatagramSocket kernelSocket = NetNamespace.call(ns.name(), () -> new DatagramSocket(new InetSocketAddress(KERNEL, 0)))) {
                kernelSocket.setSoTimeout(5000);
                byte[] hello = "hello tun".getBytes(StandardCharsets.US_ASCII);
                kernelSocket.send(new DatagramPacket(hello, hello.length, new InetSocketAddress(TUN_PEER, 7777)));

                MemorySegment buf = arena.allocate(2048);
                Ipv4Udp received = readUdp(tun, poller, buf).orElseThrow(() -> new AssertionError("no UDP packet came out of the TUN"));
                assertThat(received.source()).isEqualTo(KERNEL);
                assertThat(received.destination()).isEqualTo(TUN_PEER);
                assertThat(received.destinationPort()).isEqualTo(7777);
                assertThat(received.sourcePort()).isEqualTo(kernelSocket.getLocalPort());
                assertThat(new String(received.payload(), StandardCharsets.US_ASCII)).isEqualTo("hello tun");

                byte[] reply = new Ipv4Udp(TUN_PEER, KERNEL, 7777, received.sourcePort(),
                        "world".getBytes(StandardCharsets.US_ASCII)).encode();
                MemorySegment out = arena.allocate(reply.length);
                MemorySegment.copy(reply, 0, out, ValueLayout.JAVA_BYTE, 0, reply.length);
                assertThat(tun.write(out, reply.length)).isTrue();

                DatagramPacket in = new DatagramPacket(new byte[100], 100);
                kernelSocket.receive(in);
                assertThat(new String(in.getData(), 0, in.getLength(), StandardCharsets.US_ASCII)).isEqualTo("world");
                assertThat(in.getSocketAddress()).isEqualTo(new InetSocketAddress(TUN_PEER, 7777));
            }
        }
    }

    @Test
    void idleTun_wakeupFromAnotherThread_endsTheWait() throws Exception {
        try (TestNamespace ns = TestNamespace.create();
                TunDevice tun = NetNamespace.call(ns.name(), () -> TunDevice.open("m4j%d"));
                Wakeup wakeup = new Wakeup();
                FdPoller poller = new FdPoller(tun.fd(), wakeup)) {
            assertThat(poller.await(1_000_000L)).isZero();
            Thread.ofVirtual().start(wakeup::signal).join();
            assertThat(poller.await(WAIT_NANOS)).isEqualTo(FdPoller.WOKEN);
            assertThat(poller.await(0)).as("the wake-up was drained").isZero();
        }
    }

    @Test
    void receiveOffload_turnsOnTsoOfTheDevice_asEthtoolShowsIt() throws Exception {
        NetCapabilities.requireProgram("ethtool");
        try (TestNamespace ns = TestNamespace.create()) {
            try (TunDevice tun = NetNamespace.call(ns.name(), () -> TunDevice.open("m4j%d", true, true))) {
                assertThat(tun.hasReceiveOffload()).isTrue();
                assertThat(features(ns, tun.name()))
                        .contains("tcp-segmentation-offload: on", "tx-checksumming: on");
            }
            try (TunDevice tun = NetNamespace.call(ns.name(), () -> TunDevice.open("m4j%d", true, false))) {
                assertThat(tun.hasReceiveOffload()).isFalse();
                assertThat(features(ns, tun.name())).contains("tcp-segmentation-offload: off");
            }
        }
    }

    @Test
    void receiveOffloadWithoutVirtioHeader_isRefused() {
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> TunDevice.open("m4j%d", false, true))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("IFF_VNET_HDR");
    }

    /** The device's offload features as {@code ethtool -k} prints them (what the kernel will hand us). */
    private static String features(TestNamespace ns, String device) throws IOException {
        return org.mptcp4j.net.testbed.Shell.run("ip", "netns", "exec", ns.name(), "ethtool", "-k", device);
    }

    @Test
    void missingNamespace_isAClearError() {
        org.assertj.core.api.Assertions.assertThatThrownBy(
                        () -> NetNamespace.call("m4jt-does-not-exist", () -> TunDevice.open("m4j%d")))
                .isInstanceOf(IOException.class)
                .hasMessageContaining("m4jt-does-not-exist")
                .hasMessageContaining("No such file");
    }

    /** Reads packets until a UDP one arrives; the kernel may first send IPv6 router solicitations. */
    private static Optional<Ipv4Udp> readUdp(TunDevice tun, FdPoller poller, MemorySegment buf) throws IOException {
        long deadline = System.nanoTime() + WAIT_NANOS;
        while (System.nanoTime() < deadline) {
            int n = tun.read(buf);
            if (n == 0) {
                poller.await(deadline - System.nanoTime());
                continue;
            }
            byte[] packet = buf.asSlice(0, n).toArray(ValueLayout.JAVA_BYTE);
            Optional<Ipv4Udp> udp = Ipv4Udp.parse(packet, n);
            if (udp.isPresent()) {
                return udp;
            }
        }
        return Optional.empty();
    }

    private static InetAddress address(String literal) {
        try {
            return InetAddress.getByName(literal);
        } catch (java.net.UnknownHostException e) {
            throw new AssertionError(e);
        }
    }
}
