package org.mptcp4j.net.testbed;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Map;
import org.junit.jupiter.api.Test;
import org.mptcp4j.net.support.NetCapabilities;

/**
 * {@code --loss-a} drops packets inside path A, in both directions: a kernel sender on either end
 * loses segments and has to retransmit them, which a drop on its own output hook would never show.
 */
class TestbedLossTest {
    private static final int BYTES = 2_000_000;

    @Test
    void lossOnPathA_withoutOffload_kernelSendersOnBothEndsRetransmit() throws Exception {
        NetCapabilities.requireRootTunAndNamespaces();
        for (String program : new String[] {"python3", "nstat", "nft", "ethtool"}) {
            NetCapabilities.requireProgram(program);
        }
        Testbed testbed = Testbed.up(TestbedConfig.defaults(Testbed.newId()).withLoss(3, 0).withOffload(false));
        try {
            TestbedLayout l = testbed.layout();
            String router = l.mptcp4jNamespace();
            String kernel = l.kernelNamespace();
            Map<String, Long> routerBefore = Nstat.read(router);
            Map<String, Long> kernelBefore = Nstat.read(kernel);
            // The router's kernel sends 2 MB to the kernel side over path A, which then sends 2 MB back.
            try (KernelPeer server = KernelPeer.start(kernel, "server", "--bind", l.kernelAddressA().getHostAddress(),
                    "--send", Integer.toString(BYTES), "--timeout", "60")) {
                int port = server.awaitListening();
                try (KernelPeer client = KernelPeer.start(router, "client", "--connect", l.kernelAddressA().getHostAddress(),
                        "--port", Integer.toString(port), "--send", Integer.toString(BYTES), "--timeout", "60")) {
                    Map<String, String> c = client.awaitResult(90);
                    Map<String, String> s = server.awaitResult(90);
                    assertThat(s.get("received")).isEqualTo(Integer.toString(BYTES));
                    assertThat(s.get("received_sha256")).isEqualTo(c.get("sent_sha256"));
                    assertThat(c.get("received")).isEqualTo(Integer.toString(BYTES));
                    assertThat(c.get("received_sha256")).isEqualTo(s.get("sent_sha256"));
                }
            }
            Map<String, Long> routerDelta = Nstat.delta(routerBefore, Nstat.read(router));
            Map<String, Long> kernelDelta = Nstat.delta(kernelBefore, Nstat.read(kernel));
            // At 3 % of about 1 400 segments each way, the chance of no loss in a direction is below e^-40.
            assertThat(routerDelta.get("TcpRetransSegs")).as("router -> kernel side retransmissions").isPositive();
            assertThat(kernelDelta.get("TcpRetransSegs")).as("kernel side -> router retransmissions").isPositive();

            String status = testbed.status();
            assertThat(status).contains("loss path A 3 %, path B 0 %", "veth offload off",
                    "pa-k: tso off, gso off, gro off", "numgen random mod 1000000 < 30000");
            assertThat(Testbed.find(testbed.config().id()).orElseThrow().config()).isEqualTo(testbed.config());
        } finally {
            Testbed.down(testbed.config().id());
        }
        assertThat(Testbed.namespaceExists(testbed.layout().kernelNamespace())).isFalse();
    }
}
