package org.mptcp4j.mptcp;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.InetSocketAddress;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.mptcp4j.tcp.TcpError;

/**
 * {@link PmEvent#toMonitorLine()} prints what {@code ip mptcp monitor} prints. The expected lines
 * were printed by iproute2's {@code ip mptcp monitor} on Linux 6.18 in two network namespaces:
 * a client with a {@code subflow} endpoint 198.18.51.1 id 1, a server announcing 198.18.51.2 id 2
 * ({@code signal}), the client's endpoint changed to backup, then deleted, while data flowed.
 */
class PmEventTest {
    private static final int CLIENT_TOKEN = 0x047e63b8;
    private static final int SERVER_TOKEN = 0x65dec0cb;

    private static Optional<InetSocketAddress> at(String host, int port) {
        return Optional.of(new InetSocketAddress(host, port));
    }

    private static PmEvent event(PmEvent.Type type, int token, int locid, int remid, Optional<InetSocketAddress> local,
            Optional<InetSocketAddress> remote, boolean backup, boolean server, int error) {
        return new PmEvent(0, type, token, locid, remid, local, remote, backup, server, error);
    }

    @Test
    void clientSide_linesAsTheKernelPrintsThem() {
        assertThat(event(PmEvent.Type.CREATED, CLIENT_TOKEN, 0, 0, at("198.18.50.1", 47504), at("198.18.50.2", 5201),
                false, false, 0).toMonitorLine()).isEqualTo(
                        "[       CREATED] token=047e63b8 remid=0 locid=0 saddr4=198.18.50.1 daddr4=198.18.50.2 sport=47504 dport=5201");
        assertThat(event(PmEvent.Type.ESTABLISHED, CLIENT_TOKEN, 0, 0, at("198.18.50.1", 47504), at("198.18.50.2", 5201),
                false, false, 0).toMonitorLine()).isEqualTo(
                        "[   ESTABLISHED] token=047e63b8 remid=0 locid=0 saddr4=198.18.50.1 daddr4=198.18.50.2 sport=47504 dport=5201");
        assertThat(event(PmEvent.Type.ANNOUNCED, CLIENT_TOKEN, 0, 2, Optional.empty(), at("198.18.51.2", 5201), false,
                false, 0).toMonitorLine()).isEqualTo("[     ANNOUNCED] token=047e63b8 remid=2 daddr4=198.18.51.2 dport=5201");
        assertThat(event(PmEvent.Type.SUB_ESTABLISHED, CLIENT_TOKEN, 1, 2, at("198.18.51.1", 55313), at("198.18.51.2", 5201),
                false, false, 0).toMonitorLine()).isEqualTo(
                        "[SF_ESTABLISHED] token=047e63b8 remid=2 locid=1 saddr4=198.18.51.1 daddr4=198.18.51.2 sport=55313 dport=5201 backup=0");
        assertThat(event(PmEvent.Type.SUB_CLOSED, CLIENT_TOKEN, 1, 0, at("198.18.51.1", 47327), at("198.18.50.2", 5201),
                false, false, 0).toMonitorLine()).isEqualTo(
                        "[     SF_CLOSED] token=047e63b8 remid=0 locid=1 saddr4=198.18.51.1 daddr4=198.18.50.2 sport=47327 dport=5201 backup=0");
        assertThat(event(PmEvent.Type.CLOSED, CLIENT_TOKEN, 0, 0, Optional.empty(), Optional.empty(), false, false, 0)
                .toMonitorLine()).isEqualTo("[        CLOSED] token=047e63b8");
    }

    @Test
    void serverSide_connectionEventsCarryTheServerFlag_subflowEventsDoNot() {
        assertThat(event(PmEvent.Type.CREATED, SERVER_TOKEN, 0, 0, at("198.18.50.2", 5201), at("198.18.50.1", 53328),
                false, true, 0).toMonitorLine()).isEqualTo(
                        "[       CREATED] token=65dec0cb remid=0 locid=0 saddr4=198.18.50.2 daddr4=198.18.50.1 sport=5201 dport=53328 flags=2");
        assertThat(event(PmEvent.Type.SUB_PRIORITY, SERVER_TOKEN, 2, 1, at("198.18.51.2", 5201), at("198.18.51.1", 40339),
                true, true, 0).toMonitorLine()).isEqualTo(
                        "[       SF_PRIO] token=65dec0cb remid=1 locid=2 saddr4=198.18.51.2 daddr4=198.18.51.1 sport=5201 dport=40339 backup=1");
        assertThat(event(PmEvent.Type.REMOVED, SERVER_TOKEN, 0, 1, Optional.empty(), Optional.empty(), false, true, 0)
                .toMonitorLine()).isEqualTo("[       REMOVED] token=65dec0cb remid=1");
        assertThat(event(PmEvent.Type.SUB_CLOSED, SERVER_TOKEN, 2, 1, at("198.18.51.2", 5201), at("198.18.51.1", 40339),
                true, true, 0).toMonitorLine()).isEqualTo(
                        "[     SF_CLOSED] token=65dec0cb remid=1 locid=2 saddr4=198.18.51.2 daddr4=198.18.51.1 sport=5201 dport=40339 backup=1");
    }

    @Test
    void subflowClosedByAReset_carriesTheErrnoLinuxLeavesInSkErr() {
        int econnreset = PmEvent.errnoOf(Optional.of(TcpError.RESET_BY_PEER));
        assertThat(econnreset).isEqualTo(104);
        assertThat(PmEvent.errnoOf(Optional.of(TcpError.ABORTED_LOCALLY))).isEqualTo(PmEvent.NO_ERROR);
        assertThat(event(PmEvent.Type.SUB_CLOSED, CLIENT_TOKEN, 1, 0, at("198.18.51.1", 47327), at("198.18.50.2", 5201),
                false, false, econnreset).toMonitorLine()).endsWith(" backup=0 error=104");
    }

    @Test
    void ipv6_addressesInTheShortFormIproute2Prints() {
        assertThat(event(PmEvent.Type.SUB_ESTABLISHED, CLIENT_TOKEN, 1, 0, at("fd00:0:0:1:0:0:0:2", 40000),
                at("fd00:0:0:0:0:0:0:1", 5201), false, false, 0).toMonitorLine()).isEqualTo(
                        "[SF_ESTABLISHED] token=047e63b8 remid=0 locid=1 saddr6=fd00:0:0:1::2 daddr6=fd00::1 sport=40000 dport=5201 backup=0");
        assertThat(event(PmEvent.Type.ANNOUNCED, CLIENT_TOKEN, 0, 3, Optional.empty(), at("2001:db8:0:0:1:0:0:1", 80), false,
                false, 0).toMonitorLine()).isEqualTo("[     ANNOUNCED] token=047e63b8 remid=3 daddr6=2001:db8::1:0:0:1 dport=80");
        assertThat(event(PmEvent.Type.ANNOUNCED, CLIENT_TOKEN, 0, 3, Optional.empty(), at("::", 80), false, false, 0)
                .toMonitorLine()).endsWith("daddr6=:: dport=80");
    }
}
