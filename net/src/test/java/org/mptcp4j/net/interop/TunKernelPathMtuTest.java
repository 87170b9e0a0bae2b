package org.mptcp4j.net.interop;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.InetSocketAddress;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.mptcp4j.api.MptcpHost;
import org.mptcp4j.api.MptcpSocket;
import org.mptcp4j.base.SecureRng;
import org.mptcp4j.net.perf.Transfers;
import org.mptcp4j.net.support.NetCapabilities;
import org.mptcp4j.net.testbed.KernelPeer;
import org.mptcp4j.net.testbed.Shell;
import org.mptcp4j.net.testbed.Testbed;
import org.mptcp4j.net.testbed.TestbedConfig;
import org.mptcp4j.net.testbed.TestbedLayout;
import org.mptcp4j.net.tun.TunLink;
import org.mptcp4j.stack.StackConfig;

/**
 * Path MTU discovery against the real kernel (RFC 1191): the TUN and both veths keep a 1500-byte
 * MTU, but the router's route over path A takes 1280 bytes, so the Linux router in the mptcp4j
 * namespace answers our 1500-byte DF packets with ICMP "fragmentation needed" (next-hop MTU 1280).
 * The kernel peer's own route back is limited to 1280 too, so both directions fit, but announces
 * MSS 1460 ({@code advmss}): nothing tells mptcp4j the smaller MTU but the ICMP.
 */
class TunKernelPathMtuTest {
    private static final long BYTES = 5_000_000L;
    private static final int PATH_MTU = 1280;

    @Test
    void routerWith1280ByteRoute_icmpLowersTheMss_bothWaysArriveIntact() throws Exception {
        NetCapabilities.requireRootTunAndNamespaces();
        NetCapabilities.requireProgram("python3");
        Testbed testbed = Testbed.up(TestbedConfig.defaults(Testbed.newId()));
        try {
            TestbedLayout l = testbed.layout();
            // The route mptcp4j's path-A address takes through the router (table 101), and the kernel's way back.
            Shell.run("ip", "-n", l.mptcp4jNamespace(), "route", "replace", "default",
                    "via", l.kernelAddressA().getHostAddress(), "dev", TestbedLayout.PATH_A_LOCAL_IF,
                    "table", "101", "mtu", "lock", Integer.toString(PATH_MTU));
            Shell.run("ip", "-n", l.kernelNamespace(), "route", "replace", l.mptcp4jAddressA().getHostAddress() + "/32",
                    "via", l.routerAddressA().getHostAddress(), "dev", TestbedLayout.PATH_A_KERNEL_IF,
                    "mtu", "lock", Integer.toString(PATH_MTU), "advmss", "1460");
            TunLink link = new TunLink(testbed.openTun(false, false), true);
            try (MptcpHost host = MptcpHost.start("pmtu", StackConfig.defaults(), new SecureRng(), link,
                    List.of(l.mptcp4jAddressA(), l.mptcp4jAddressB()), null, null);
                    KernelPeer server = KernelPeer.start(l.kernelNamespace(), "server",
                            "--bind", l.kernelAddressA().getHostAddress(), "--port", "5300",
                            "--send", Long.toString(BYTES), "--timeout", "60")) {
                server.awaitListening();
                Transfers.Result sent;
                Transfers.Result received;
                int mss;
                try (MptcpSocket s = new MptcpSocket(host)) {
                    s.bind(new InetSocketAddress(l.mptcp4jAddressA(), 0));
                    s.connect(new InetSocketAddress(l.kernelAddressA(), 5300), 10_000);
                    sent = Transfers.send(s.getOutputStream(), BYTES, 7);
                    mss = s.info().mss();
                    s.shutdownOutput();
                    received = Transfers.receive(s.getInputStream());
                }
                Map<String, String> kernel = server.awaitResult(60);
                Map<String, Long> counters = host.counters();
                assertThat(kernel.get("received_sha256")).as("the kernel got what mptcp4j sent").isEqualTo(sent.sha256());
                assertThat(received.sha256()).as("mptcp4j got what the kernel sent").isEqualTo(kernel.get("sent_sha256"));
                assertThat(received.bytes()).isEqualTo(BYTES);
                assertThat(counters.getOrDefault("IcmpInDestUnreachs", 0L)).as("%s", counters).isPositive();
                assertThat(counters.getOrDefault("Mptcp4jTcpPmtuUpdates", 0L)).as("%s", counters).isPositive();
                // 1280 - 20 (IP) - 20 (TCP) - 12 (timestamps).
                assertThat(mss).isEqualTo(PATH_MTU - 52);
            }
        } finally {
            Testbed.down(testbed.config().id());
        }
    }
}
