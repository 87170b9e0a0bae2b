package org.mptcp4j.net.interop;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.time.Duration;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInfo;
import org.mptcp4j.api.MptcpHost;
import org.mptcp4j.mptcp.MptcpConfig;
import org.mptcp4j.net.interop.KernelMptcpTransfers.Outcome;
import org.mptcp4j.net.interop.KernelMptcpTransfers.Role;
import org.mptcp4j.net.testbed.KernelMptcp;
import org.mptcp4j.net.testbed.Shell;
import org.mptcp4j.net.testbed.TestbedLayout;

/**
 * A firewall that drops SYNs carrying an MPTCP option, in front of either end, with the kernel as
 * the peer (Linux 6.12's {@code syn_retrans_before_tcp_fallback} and {@code blackhole_timeout}):
 * the client sends its SYN and two retransmissions with MP_CAPABLE, then a plain SYN, and the
 * connection runs as TCP (1 MB each way, SHA-256 both ways); the client counts the drop and the
 * blackhole, and its next connection goes plain at once. The same counters at both ends, whichever
 * of mptcp4j and the kernel is the client.
 */
class KernelBlackholeInteropTest {
    private static final int BYTES = 1_000_000;
    private static final String TABLE = "mptcp4j_blackhole";
    private static KernelMptcpTransfers transfers;
    private MptcpHost host;

    @BeforeAll
    static void up() throws Exception {
        transfers = KernelMptcpTransfers.up();
    }

    @AfterAll
    static void down() throws Exception {
        KernelMptcpTransfers.down(transfers);
        transfers = null;
    }

    @BeforeEach
    void kernelDefaults(TestInfo test) throws Exception {
        transfers.caseName(test.getTestMethod().orElseThrow().getName());
        transfers.kernelDefaults();
        transfers.kernel().setBlackholeTimeoutSeconds(3600);
    }

    @AfterEach
    void cleanUp() throws Exception {
        TestbedLayout l = transfers.testbed().layout();
        for (String ns : new String[] {l.kernelNamespace(), l.mptcp4jNamespace()}) {
            Shell.tryRun("ip", "netns", "exec", ns, "nft", "delete", "table", "ip", TABLE);
        }
        // A blackhole the kernel found would keep its active MPTCP off for an hour: 0 turns it back on.
        transfers.kernel().setBlackholeTimeoutSeconds(0);
        if (host != null) {
            host.close(Duration.ofSeconds(2));
            host = null;
        }
    }

    /**
     * Drops, where they arrive in {@code namespace} from the paths, SYNs (not SYN-ACKs) carrying
     * an MPTCP option: the in-path firewall. (Not on the sender's output hook: its own stack would
     * see the drop as a local error, not as loss.)
     */
    private static void dropMptcpSyns(String namespace) throws IOException {
        Shell.run("ip", "netns", "exec", namespace, "nft", "add", "table", "ip", TABLE);
        Shell.run("ip", "netns", "exec", namespace, "nft", "add", "chain", "ip", TABLE, "prerouting",
                "{ type filter hook prerouting priority raw; policy accept; }");
        Shell.run("ip", "netns", "exec", namespace, "nft", "add", "rule", "ip", TABLE, "prerouting",
                "tcp", "flags", "&", "(syn|ack)", "==", "syn", "tcp", "option", "mptcp", "exists", "counter", "drop");
    }

    @Test
    void mptcp4jClient_mpCapableSynsDropped_fallsBackAfterTwoRetransmissions_thenConnectsPlainAtOnce()
            throws Exception {
        dropMptcpSyns(transfers.testbed().layout().kernelNamespace());
        host = transfers.start(MptcpConfig.defaults());

        Outcome first = transfers.transfer(host, Role.MPTCP4J_CLIENT, 5801, BYTES, 0, () -> {});
        Outcome second = transfers.transfer(host, Role.MPTCP4J_CLIENT, 5802, BYTES, 0, () -> {});

        assertThat(first.ours()).as("mptcp4j counters; kernel's %s", first.kernel())
                .containsEntry("MPTcpExtMPCapableSYNTX", 3L).containsEntry("MPTcpExtMPCapableSYNTXDrop", 1L)
                .containsEntry("MPTcpExtBlackhole", 1L).containsEntry("TcpExtTCPSynRetrans", 3L);
        assertThat(first.kernel()).as("kernel counters").containsEntry("MPTcpExtMPCapableSYNRX", 0L);
        assertThat(second.ours()).as("mptcp4j counters; kernel's %s", second.kernel())
                .containsEntry("MPTcpExtMPCapableSYNTXDisabled", 1L).containsEntry("MPTcpExtMPCapableSYNTX", 0L)
                .containsEntry("TcpExtTCPSynRetrans", 0L);
        assertThat(second.subflows()).as("plain TCP: no MPTCP subflow on the kernel's side").isEmpty();
    }

    @Test
    void kernelClient_mpCapableSynsDropped_theKernelCountsTheSame() throws Exception {
        dropMptcpSyns(transfers.testbed().layout().mptcp4jNamespace());
        host = transfers.start(MptcpConfig.defaults());

        Outcome first = transfers.transfer(host, Role.KERNEL_CLIENT, 5811, BYTES, 0, () -> {});
        Outcome second = transfers.transfer(host, Role.KERNEL_CLIENT, 5812, BYTES, 0, () -> {});

        assertThat(first.kernel()).as("kernel counters; mptcp4j's %s", first.ours())
                .containsEntry("MPTcpExtMPCapableSYNTXDrop", 1L).containsEntry("MPTcpExtBlackhole", 1L);
        assertThat(first.ours()).as("mptcp4j counters").containsEntry("MPTcpExtMPCapableSYNRX", 0L);
        assertThat(second.kernel()).as("kernel counters; mptcp4j's %s", second.ours())
                .containsEntry("MPTcpExtMPCapableSYNTXDisabled", 1L);
        assertThat(second.ours()).as("mptcp4j counters").containsEntry("MPTcpExtMPCapableSYNRX", 0L);
    }

    @Test
    void kernelConfig_isTheLinuxDefault() throws Exception {
        // The policy mptcp4j follows is Linux's: the same number of retransmissions with MP_CAPABLE.
        KernelMptcp k = transfers.kernel();
        assertThat(Shell.run("ip", "netns", "exec", k.namespace(), "sysctl", "-n",
                "net.mptcp.syn_retrans_before_tcp_fallback").strip())
                .isEqualTo(Integer.toString(org.mptcp4j.mptcp.BlackholePolicy.defaults().synRetransBeforeTcpFallback()));
    }
}
