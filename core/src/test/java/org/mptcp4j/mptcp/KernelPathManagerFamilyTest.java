package org.mptcp4j.mptcp;

import static org.assertj.core.api.Assertions.assertThat;
import static org.mptcp4j.mptcp.RecordingPathManagerConnection.ip;

import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.UnknownHostException;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The in-kernel and fullmesh path managers on a dual-stack stack: which announcements they act on
 * and which subflows they ask for, by the family of the connection's first subflow, as Linux's
 * {@code mptcp_pm_addr_families_match} decides for an AF_INET or AF_INET6 socket: an IPv4
 * connection never uses IPv6, an IPv6 connection uses both, and no subflow crosses families
 * (mptcp_join.sh's {@code mixed_tests} and {@code v4mapped_tests}).
 */
class KernelPathManagerFamilyTest {
    private static final InetAddress A4 = ip("198.18.1.1");
    private static final InetAddress B4 = ip("198.18.2.1");
    private static final InetAddress A6 = ip("2001:2:0:1::1");
    private static final InetAddress B6 = ip("2001:2:0:2::1");
    private static final InetSocketAddress SERVER4 = new InetSocketAddress(ip("198.18.1.2"), 5001);
    private static final InetSocketAddress SERVER6 = new InetSocketAddress(ip("2001:2:0:1::2"), 5001);
    private static final InetSocketAddress ANNOUNCED4 = new InetSocketAddress(ip("198.18.2.2"), 5001);
    private static final InetSocketAddress ANNOUNCED6 = new InetSocketAddress(ip("2001:2:0:2::2"), 5001);

    @Test
    void ipv6Connection_ipv4Announced_joinedFromTheFirstIpv4Address() {
        RecordingPathManagerConnection c = connection(true, new InetSocketAddress(A6, 40000), SERVER6, List.of());
        new KernelPathManager().onAddAddrReceived(c, 1, ANNOUNCED4, 0);

        assertThat(c.subflows).containsExactly(A4 + " -> " + ANNOUNCED4);
        assertThat(c.addAddrAccepted()).isEqualTo(1);
    }

    @Test
    void ipv4Connection_ipv6Announced_neitherJoinedNorCounted() {
        RecordingPathManagerConnection c = connection(true, new InetSocketAddress(A4, 40000), SERVER4, List.of());
        new KernelPathManager().onAddAddrReceived(c, 1, ANNOUNCED6, 0);
        new FullmeshPathManager().onAddAddrReceived(c, 1, ANNOUNCED6, 0);

        assertThat(c.subflows).isEmpty();
        assertThat(c.addAddrAccepted()).isZero();
    }

    @Test
    void endpointsOfTheOtherFamily_announcedAsLinuxDoes_neverJoinedToTheServer() {
        for (InetSocketAddress[] pair : new InetSocketAddress[][] {{new InetSocketAddress(A6, 40000), SERVER6},
                {new InetSocketAddress(A4, 40000), SERVER4}}) {
            InetAddress other = pair[0].getAddress() == A6 ? B4 : B6;
            RecordingPathManagerConnection c = connection(true, pair[0], pair[1], List.of(
                    Endpoint.of(other, 1, Endpoint.Flag.SIGNAL), Endpoint.of(other, 2, Endpoint.Flag.SUBFLOW)));
            new KernelPathManager().onEstablished(c, 0);

            assertThat(c.announced).as("connection from %s", pair[0]).containsExactly(other);
            assertThat(c.subflows).as("connection from %s", pair[0]).isEmpty();
        }
    }

    @Test
    void ipv4Connection_ipv4MappedSignalEndpoint_announcedAsIpv4() throws UnknownHostException {
        // ::ffff:198.18.2.1 as Linux's AF_INET6 view of an IPv4 address keeps it: 16 bytes.
        byte[] mapped = new byte[16];
        mapped[10] = (byte) 0xff;
        mapped[11] = (byte) 0xff;
        System.arraycopy(B4.getAddress(), 0, mapped, 12, 4);
        InetAddress b4Mapped = Inet6Address.getByAddress(null, mapped, -1);
        RecordingPathManagerConnection c = connection(false, new InetSocketAddress(A4, 5001), SERVER4, List.of(
                Endpoint.of(b4Mapped, 1, Endpoint.Flag.SIGNAL)));
        new KernelPathManager().onEstablished(c, 0);

        assertThat(c.announced).containsExactly(b4Mapped);
        assertThat(PmData.unmapped(b4Mapped)).isEqualTo(B4);
    }

    @Test
    void fullmesh_ipv6Connection_meshesEachFamilyApart() {
        RecordingPathManagerConnection c = connection(true, new InetSocketAddress(A6, 40000), SERVER6, List.of());
        c.limits = new Limits(8, 2);
        FullmeshPathManager pm = new FullmeshPathManager();
        pm.onEstablished(c, 0);
        pm.onAddAddrReceived(c, 1, ANNOUNCED4, 0);
        pm.onAddAddrReceived(c, 2, ANNOUNCED6, 0);

        assertThat(c.subflows).containsExactlyInAnyOrder(B6 + " -> " + SERVER6, A4 + " -> " + ANNOUNCED4,
                B4 + " -> " + ANNOUNCED4, A6 + " -> " + ANNOUNCED6, B6 + " -> " + ANNOUNCED6);
    }

    /** A connection over {@code local -> remote} on a host with A4, B4, A6 and B6, limits 2 1. */
    private static RecordingPathManagerConnection connection(boolean client, InetSocketAddress local,
            InetSocketAddress remote, List<Endpoint> endpoints) {
        RecordingPathManagerConnection c = new RecordingPathManagerConnection(client, local, remote,
                List.of(A4, B4, A6, B6), new Limits(2, 1));
        c.endpoints.addAll(endpoints);
        return c;
    }
}
