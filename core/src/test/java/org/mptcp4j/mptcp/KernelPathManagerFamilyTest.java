package org.mptcp4j.mptcp;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.UnknownHostException;
import java.util.ArrayList;
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
        Recorder c = new Recorder(true, new InetSocketAddress(A6, 40000), SERVER6, List.of());
        new KernelPathManager().onAddAddrReceived(c, 1, ANNOUNCED4, 0);

        assertThat(c.subflows).containsExactly(A4 + " -> " + ANNOUNCED4);
        assertThat(c.addAddrAccepted()).isEqualTo(1);
    }

    @Test
    void ipv4Connection_ipv6Announced_neitherJoinedNorCounted() {
        Recorder c = new Recorder(true, new InetSocketAddress(A4, 40000), SERVER4, List.of());
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
            Recorder c = new Recorder(true, pair[0], pair[1], List.of(
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
        Recorder c = new Recorder(false, new InetSocketAddress(A4, 5001), SERVER4, List.of(
                Endpoint.of(b4Mapped, 1, Endpoint.Flag.SIGNAL)));
        new KernelPathManager().onEstablished(c, 0);

        assertThat(c.announced).containsExactly(b4Mapped);
        assertThat(PmData.unmapped(b4Mapped)).isEqualTo(B4);
    }

    @Test
    void fullmesh_ipv6Connection_meshesEachFamilyApart() {
        Recorder c = new Recorder(true, new InetSocketAddress(A6, 40000), SERVER6, List.of());
        c.limits = new Limits(8, 2);
        FullmeshPathManager pm = new FullmeshPathManager();
        pm.onEstablished(c, 0);
        pm.onAddAddrReceived(c, 1, ANNOUNCED4, 0);
        pm.onAddAddrReceived(c, 2, ANNOUNCED6, 0);

        assertThat(c.subflows).containsExactlyInAnyOrder(B6 + " -> " + SERVER6, A4 + " -> " + ANNOUNCED4,
                B4 + " -> " + ANNOUNCED4, A6 + " -> " + ANNOUNCED6, B6 + " -> " + ANNOUNCED6);
    }

    /** A client or server connection that records what its manager asks for. */
    private static final class Recorder implements PathManager.Connection {
        final boolean client;
        final InetSocketAddress local;
        final InetSocketAddress remote;
        final List<Endpoint> endpoints;
        Limits limits = new Limits(2, 1);
        final List<String> subflows = new ArrayList<>();
        final List<PathManager.SubflowRef> refs = new ArrayList<>();
        final List<InetAddress> announced = new ArrayList<>();
        int accepted;

        Recorder(boolean client, InetSocketAddress local, InetSocketAddress remote, List<Endpoint> endpoints) {
            this.client = client;
            this.local = local;
            this.remote = remote;
            this.endpoints = endpoints;
            refs.add(new PathManager.SubflowRef(local, remote, 0, 0, false, true));
        }

        @Override public boolean isClient() { return client; }
        @Override public InetSocketAddress initialLocal() { return local; }
        @Override public InetSocketAddress initialRemote() { return remote; }
        @Override public List<InetAddress> localAddresses() { return List.of(A4, B4, A6, B6); }
        @Override public List<Endpoint> endpoints() { return endpoints; }
        @Override public Limits limits() { return limits; }
        @Override public int ndiffports() { return 1; }
        @Override public int extraSubflows() { return subflows.size(); }
        @Override public int addAddrAccepted() { return accepted; }
        @Override public void acceptAddAddr(int remoteId) { accepted++; }
        @Override public List<PathManager.SubflowRef> subflows() { return refs; }

        @Override
        public boolean createSubflow(InetAddress from, int localId, InetSocketAddress to, boolean backup, long nowNanos) {
            subflows.add(from + " -> " + to);
            refs.add(new PathManager.SubflowRef(new InetSocketAddress(from, 0), to, localId, 0, backup, false));
            return true;
        }

        @Override public void announce(int id, InetAddress address, int port) { announced.add(address); }
        @Override public boolean removeAddress(int id, InetAddress address, long nowNanos) { return false; }
    }

    private static InetAddress ip(String literal) {
        try {
            return InetAddress.getByName(literal);
        } catch (UnknownHostException e) {
            throw new AssertionError(e);
        }
    }
}
