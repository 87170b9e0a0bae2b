package org.mptcp4j.net.driver;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.HashSet;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.mptcp4j.base.Nanos;
import org.mptcp4j.net.os.NetNamespace;
import org.mptcp4j.net.support.DatagramEndpoint;
import org.mptcp4j.net.support.Ipv4Udp;
import org.mptcp4j.net.support.NetCapabilities;
import org.mptcp4j.net.support.TestNamespace;
import org.mptcp4j.net.tun.TunDevice;
import org.mptcp4j.net.tun.TunLink;

/** The reactor on a TUN device with the kernel as peer: packets, timers and requests, in real time. */
class RealTimeDriverTunTest {
    private static final InetAddress KERNEL = ip("198.18.0.1");
    private static final InetAddress OURS = ip("198.18.0.2");

    @BeforeEach
    void needsRootAndTun() {
        NetCapabilities.requireRootTunAndNamespaces();
    }

    @Test
    void kernelSendsHundredDatagrams_reactorEchoesAll_andTimerSendsBeacon() throws Exception {
        DatagramEndpoint endpoint = new DatagramEndpoint();
        try (TestNamespace ns = TestNamespace.create();
                TunDevice tun = NetNamespace.call(ns.name(), () -> TunDevice.open("m4j%d"));
                RealTimeDriver driver = new RealTimeDriver("tun-test", new TunLink(tun, false), endpoint)) {
            tun.setUp();
            ns.ip("addr", "add", "198.18.0.1/24", "dev", tun.name());
            driver.start();
            try (DatagramSocket kernel = NetNamespace.call(ns.name(), () -> new DatagramSocket(new InetSocketAddress(KERNEL, 0)))) {
                kernel.setSoTimeout(5000);
                for (int i = 0; i < 100; i++) {
                    byte[] b = ("datagram " + i).getBytes(StandardCharsets.US_ASCII);
                    kernel.send(new DatagramPacket(b, b.length, new InetSocketAddress(OURS, DatagramEndpoint.ECHO_PORT)));
                }
                Set<String> echoes = new HashSet<>();
                DatagramPacket in = new DatagramPacket(new byte[100], 100);
                while (echoes.size() < 100) {
                    kernel.receive(in);
                    echoes.add(new String(in.getData(), 0, in.getLength(), StandardCharsets.US_ASCII));
                }
                assertThat(echoes).contains("datagram 0", "datagram 99");

                // A timer 20 ms ahead, set from the application side through the reactor.
                Ipv4Udp beacon = new Ipv4Udp(OURS, KERNEL, 9, kernel.getLocalPort(), "beacon".getBytes(StandardCharsets.US_ASCII));
                long scheduledAt = driver.submit(() -> {
                    long at = driver.nowNanos() + Nanos.ofMillis(20);
                    endpoint.sendAt(at, beacon);
                    return at;
                }).get(5, TimeUnit.SECONDS);
                kernel.receive(in);
                assertThat(new String(in.getData(), 0, in.getLength(), StandardCharsets.US_ASCII)).isEqualTo("beacon");
                assertThat(System.nanoTime()).as("the beacon was not sent before its deadline").isGreaterThanOrEqualTo(scheduledAt);
            }
            assertThat(endpoint.echoed()).isEqualTo(100);
            // Read on the reactor: it counts a packet after write(2) returns, which can be after the kernel delivered it.
            assertThat(driver.submit(driver::stats).get(5, TimeUnit.SECONDS).packetsOut()).isGreaterThanOrEqualTo(101);
            assertThat(driver.failure()).isNull();
        }
    }

    @Test
    void submit_runsOnTheReactorThread() throws Exception {
        DatagramEndpoint endpoint = new DatagramEndpoint();
        try (TestNamespace ns = TestNamespace.create();
                TunDevice tun = NetNamespace.call(ns.name(), () -> TunDevice.open("m4j%d"));
                RealTimeDriver driver = new RealTimeDriver("tun-test", new TunLink(tun, false), endpoint).start()) {
            assertThat(driver.inReactor()).isFalse();
            assertThat(driver.submit(driver::inReactor).get(5, TimeUnit.SECONDS)).isTrue();
            Thread vt = Thread.ofVirtual().start(() -> driver.execute(() -> {}));
            vt.join();
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
