package org.mptcp4j.net.testbed;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.junit.jupiter.api.Test;

/** {@code ss -tniH} output of Linux 6.18 (iproute2 6.1), taken during a two-subflow transfer, read back. */
class KernelSubflowTest {
    private static final String SS = """
            ESTAB 0      0           198.18.1.254:43259 198.18.1.2:5302
            \t cubic wscale:10,10 rto:208 rtt:5.352/10.671 mss:1448 cwnd:640 bytes_sent:2918696 bytes_acked:2918697 \
            bytes_received:1440452 segs_out:2120 tcp-ulp-mptcp flags:Mmec token:0000(id:0)/b427116c(id:0) \
            seq:d19599d6cd74b386 sfseq:15fa3d ssnoff:215f4faa maplen:88
            ESTAB 0      0      198.18.2.254%pb-m:45571 198.18.1.2:5302
            \t cubic wscale:10,10 rto:208 mss:1448 cwnd:355 bytes_sent:1081304 bytes_acked:1081305 bytes_received:2559548 \
            tcp-ulp-mptcp flags:Jjec token:da6f64ed(id:0)/b427116c(id:1) seq:d19599d6cd7bae26 sfseq:266e25 maplen:a018
            ESTAB 0      0           198.18.1.254:22 198.18.1.9:50000
            \t cubic wscale:7,7 rto:204 mss:1448 cwnd:10 bytes_sent:100 bytes_acked:101 bytes_received:50
            """;

    @Test
    void twoSubflowsOfOneConnection_plainTcpSkipped() {
        List<KernelSubflow> subflows = KernelSubflow.parse(SS);

        assertThat(subflows).hasSize(2);
        KernelSubflow initial = subflows.get(0);
        assertThat(initial.localAddress()).isEqualTo("198.18.1.254");
        assertThat(initial.peerAddress()).isEqualTo("198.18.1.2");
        assertThat(initial.join()).isFalse();
        assertThat(initial.localToken()).isEqualTo(0xb427116cL);
        assertThat(initial.bytesAcked()).isEqualTo(2_918_697);
        assertThat(initial.bytesReceived()).isEqualTo(1_440_452);

        KernelSubflow joined = subflows.get(1);
        assertThat(joined.localAddress()).isEqualTo("198.18.2.254");
        assertThat(joined.local()).isEqualTo("198.18.2.254%pb-m:45571");
        assertThat(joined.join()).isTrue();
        assertThat(joined.localToken()).isEqualTo(initial.localToken());
        assertThat(joined.localId()).isEqualTo(1);
        assertThat(joined.remoteToken()).isEqualTo(0xda6f64edL);
        assertThat(joined.bytesSent()).isEqualTo(1_081_304);
        assertThat(joined.bytesReceived()).isEqualTo(2_559_548);
    }
}
