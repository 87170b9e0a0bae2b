package org.mptcp4j.mptcp;

import static org.assertj.core.api.Assertions.assertThat;
import static org.mptcp4j.mptcp.RecordingPathManagerConnection.ip;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The in-kernel path manager's {@code fullmesh} endpoint flag, as mptcp_join.sh's
 * {@code fullmesh_tests} set it up: a {@code subflow fullmesh} endpoint joins every address of the
 * server the connection knows, and an announced address is joined from every {@code fullmesh}
 * endpoint (not from the initial subflow's address), within the subflow limit.
 */
class KernelPathManagerFullmeshTest {
    private static final InetAddress A = ip("198.18.1.1");
    private static final InetAddress B = ip("198.18.2.1");
    private static final InetAddress C = ip("198.18.1.41");
    private static final InetSocketAddress SERVER = new InetSocketAddress(ip("198.18.1.2"), 5001);
    private static final InetSocketAddress ANNOUNCED = new InetSocketAddress(ip("198.18.2.2"), 5001);

    private static Endpoint fullmesh(InetAddress a, int id) {
        return new Endpoint(a, id, 0, java.util.Set.of(Endpoint.Flag.SUBFLOW, Endpoint.Flag.FULLMESH));
    }

    @Test
    void fullmesh1x1_endpointAddedAfterTheAnnouncement_joinsBothServerAddresses() {
        RecordingPathManagerConnection c = connection(new Limits(3, 1));
        KernelPathManager pm = new KernelPathManager();
        pm.onEstablished(c, 0);
        pm.onAddAddrReceived(c, 1, ANNOUNCED, 0);
        Endpoint b = fullmesh(B, 1);
        c.endpoints.add(b);
        pm.onEndpointAdded(c, b, 0);

        // chk_join_nr 3 3 3: A to the announced address (no fullmesh endpoint yet), then B to both.
        assertThat(c.subflows).containsExactly(A + " -> " + ANNOUNCED, B + " -> " + SERVER, B + " -> " + ANNOUNCED);
        assertThat(c.accepted).isEqualTo(1);
    }

    @Test
    void fullmesh1x2Limited_twoEndpointsAdded_stopsAtTheSubflowLimit() {
        RecordingPathManagerConnection c = connection(new Limits(4, 1));
        KernelPathManager pm = new KernelPathManager();
        pm.onEstablished(c, 0);
        pm.onAddAddrReceived(c, 1, ANNOUNCED, 0);
        for (Endpoint e : List.of(fullmesh(B, 1), fullmesh(C, 2))) {
            c.endpoints.add(e);
            pm.onEndpointAdded(c, e, 0);
        }

        assertThat(c.subflows).containsExactly(A + " -> " + ANNOUNCED, B + " -> " + SERVER, B + " -> " + ANNOUNCED,
                C + " -> " + SERVER);
    }

    @Test
    void fullmeshEndpointBeforeTheAnnouncement_announcedAddressJoinedFromItOnly() {
        RecordingPathManagerConnection c = connection(new Limits(4, 1));
        c.endpoints.add(fullmesh(B, 1));
        KernelPathManager pm = new KernelPathManager();
        pm.onEstablished(c, 0);
        pm.onAddAddrReceived(c, 1, ANNOUNCED, 0);

        // fill_local_addresses_vec: the fullmesh endpoints, not the initial subflow's address.
        assertThat(c.subflows).containsExactly(B + " -> " + SERVER, B + " -> " + ANNOUNCED);
        assertThat(c.accepted).isEqualTo(1);
    }

    @Test
    void subflowEndpointWithoutFullmesh_joinsTheInitialAddressOnly() {
        RecordingPathManagerConnection c = connection(new Limits(4, 1));
        KernelPathManager pm = new KernelPathManager();
        pm.onEstablished(c, 0);
        pm.onAddAddrReceived(c, 1, ANNOUNCED, 0);
        Endpoint b = Endpoint.of(B, 1, Endpoint.Flag.SUBFLOW);
        c.endpoints.add(b);
        pm.onEndpointAdded(c, b, 0);

        assertThat(c.subflows).containsExactly(A + " -> " + ANNOUNCED, B + " -> " + SERVER);
    }

    @Test
    void endpointFlags_asIpMptcpRefusesThem() {
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> new Endpoint(B, 1, 0,
                java.util.Set.of(Endpoint.Flag.SIGNAL, Endpoint.Flag.FULLMESH))).isInstanceOf(IllegalArgumentException.class);
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> new Endpoint(B, 1, 10100,
                java.util.Set.of(Endpoint.Flag.SUBFLOW))).isInstanceOf(IllegalArgumentException.class);
        assertThat(Endpoint.withPort(B, 1, 10100, Endpoint.Flag.SIGNAL).port()).isEqualTo(10100);
    }

    /** A client connection from A to SERVER on a host with A, B and C. */
    private static RecordingPathManagerConnection connection(Limits limits) {
        return new RecordingPathManagerConnection(true, new InetSocketAddress(A, 40000), SERVER, List.of(A, B, C), limits);
    }
}
