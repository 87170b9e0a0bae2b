package org.mptcp4j.mptcp;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.List;
import java.util.OptionalInt;
import java.util.OptionalLong;
import org.mptcp4j.base.Nanos;
import org.mptcp4j.crypto.MptcpCrypto;
import org.mptcp4j.mib.MibCounter;
import org.mptcp4j.wire.MptcpOption;

/**
 * The in-kernel path manager of Linux ({@code pm_kernel.c}) for one connection, driven by the
 * stack's endpoints and limits ({@code ip mptcp endpoint} / {@code ip mptcp limits}):
 * <ul>
 * <li>once the connection is established, a client opens a subflow from each {@code subflow}
 *     endpoint to the server's address, within the subflow limit;</li>
 * <li>a server announces each {@code signal} endpoint with ADD_ADDR (RFC 8684 section 3.4.1,
 *     HMAC over the address with the keys), resent until the peer echoes it, at most
 *     {@link #ADD_ADDR_RETRANSMITS} times;</li>
 * <li>an ADD_ADDR received with a good HMAC is echoed and, within the {@code add_addr_accepted}
 *     and subflow limits, joined from the initial subflow's local address;</li>
 * <li>MP_JOINs from the peer are accepted within the subflow limit.</li>
 * </ul>
 */
public final class PathManager {
    /** Linux resends an unechoed ADD_ADDR at most this often ({@code ADD_ADDR_RETRANS_MAX}). */
    static final int ADD_ADDR_RETRANSMITS = 3;

    private final MptcpConnection conn;
    private final MptcpConfig config;
    /**
     * The stack's endpoints as this connection knows them: the configured ones, then as added,
     * deleted or changed while it runs, so that a connection not yet established when an endpoint
     * changes uses the endpoints as they are when it is.
     */
    private final List<Endpoint> endpoints;
    /** Our address ids to withdraw with REMOVE_ADDR (RFC 8684 section 3.4.2), on the next pure ACK of a subflow not using them. */
    private final List<Integer> removals = new ArrayList<>(2);
    /** The addresses of {@link #removals}: the subflows from them are going, so they do not carry the option. */
    private final List<InetAddress> removedAddresses = new ArrayList<>(2);
    /** Our announcements: sent and waiting for the echo, or still to send. */
    private final List<Announcement> announcements = new ArrayList<>(2);
    /** Echoes of the peer's announcements still to send. */
    private final List<MptcpOption.AddAddr> echoes = new ArrayList<>(2);
    /** Additional subflows (beyond the initial one) this connection has, open or opening. */
    int extraSubflows;
    int addAddrAccepted;
    /** The address ids of the announcements counted in {@link #addAddrAccepted}. */
    private final List<Integer> acceptedIds = new ArrayList<>(2);
    private boolean started;

    private static final class Announcement {
        final MptcpOption.AddAddr option;
        boolean due = true;
        int sent;
        long deadline = Nanos.NEVER;

        Announcement(MptcpOption.AddAddr option) {
            this.option = option;
        }
    }

    PathManager(MptcpConnection conn, MptcpConfig config) {
        this.conn = conn;
        this.config = config;
        this.endpoints = new ArrayList<>(config.endpoints());
    }

    /** The connection is established at the MPTCP level: announce and open what the endpoints say. */
    void onEstablished(long nowNanos) {
        if (started) {
            return;
        }
        started = true;
        Subflow first = conn.initialSubflow();
        if (first == null) {
            return;
        }
        for (Endpoint e : endpoints) {
            use(e, first, nowNanos);
        }
        if (!announcements.isEmpty()) {
            conn.requestAck(first);
        }
    }

    /** Announces {@code e} if it signals, joins from it if it is a client's subflow endpoint. */
    private void use(Endpoint e, Subflow first, long nowNanos) {
        InetAddress localFirst = first.tcp.local().getAddress();
        if (e.address().equals(localFirst) || !sameFamily(e.address(), localFirst)) {
            return;
        }
        if (e.has(Endpoint.Flag.SIGNAL)) {
            int port = e.port();
            long hmac = MptcpCrypto.addAddrHmac(conn.localKey, conn.remoteKey, e.id(), e.address(), port);
            announcements.add(new Announcement(new MptcpOption.AddAddr(false, e.id(), e.address(),
                    port == 0 ? OptionalInt.empty() : OptionalInt.of(port), OptionalLong.of(hmac))));
        }
        if (e.has(Endpoint.Flag.SUBFLOW) && conn.client && extraSubflows < config.limits().subflows()) {
            InetSocketAddress remote = first.tcp.remote();
            if (conn.openJoin(e.address(), remote, e.id(), e.has(Endpoint.Flag.BACKUP), nowNanos)) {
                extraSubflows++;
            }
        }
    }

    /**
     * An endpoint was added while the connection runs ({@code ip mptcp endpoint add}): as Linux's
     * in-kernel path manager, an established connection announces it or joins from it at once.
     */
    void onEndpointAdded(Endpoint e, long nowNanos) {
        endpoints.add(e);
        Subflow first = conn.initialSubflow();
        if (!started || first == null) {
            return; // onEstablished uses it with the others
        }
        int announced = announcements.size();
        use(e, first, nowNanos);
        if (announcements.size() > announced) {
            conn.requestAck(first);
        }
    }

    /**
     * An endpoint was deleted ({@code ip mptcp endpoint delete}): if the connection announced it
     * or has a subflow from it, REMOVE_ADDR tells the peer (RFC 8684 section 3.4.2), on another
     * subflow; those subflows close (their data goes again on the others) and an announcement not
     * yet echoed stops. Returns the subflows to close.
     */
    List<Subflow> onEndpointRemoved(Endpoint e) {
        endpoints.removeIf(o -> o.id() == e.id());
        boolean announced = announcements.removeIf(a -> a.option.addressId() == e.id());
        List<Subflow> going = new ArrayList<>(1);
        for (Subflow s : conn.subflows) {
            if (s.tcp != null && s.tcp.local().getAddress().equals(e.address())) {
                going.add(s);
            }
        }
        if ((announced || !going.isEmpty()) && !removals.contains(e.id())) {
            removals.add(e.id());
            removedAddresses.add(e.address());
            for (Subflow s : conn.subflows) {
                if (!going.contains(s) && s.tcp != null && s.tcp.state().isSynchronized()) {
                    conn.requestAck(s);
                    break;
                }
            }
        }
        return going;
    }

    /** An endpoint's flags changed ({@code ip mptcp endpoint change}): joins from it later carry them. */
    void onEndpointChanged(Endpoint e) {
        endpoints.replaceAll(o -> o.id() == e.id() ? e : o);
    }

    /** A REMOVE_ADDR to put on {@code s}'s next pure ACK, or null. */
    MptcpOption.RemoveAddr pendingRemoval(Subflow s) {
        if (removals.isEmpty() || s.tcp == null || removedAddresses.contains(s.tcp.local().getAddress())) {
            return null;
        }
        return new MptcpOption.RemoveAddr(removals);
    }

    void onRemovalSent() {
        removals.clear();
        removedAddresses.clear();
        conn.mib.increment(MibCounter.MPTCP_RM_ADDR_TX);
    }

    /**
     * The peer withdrew addresses (REMOVE_ADDR, RFC 8684 section 3.4.2): "the receiver MUST close
     * any subflows using that address"; returns them. An accepted announcement of a removed id
     * gives its slot back (Linux {@code add_addr_accepted}).
     */
    List<Subflow> onRemoveAddr(MptcpOption.RemoveAddr r) {
        List<Subflow> going = new ArrayList<>(1);
        for (int id : r.addressIds()) {
            conn.mib.increment(MibCounter.MPTCP_RM_ADDR);
            for (Subflow s : conn.subflows) {
                if (s.remoteId == id && !going.contains(s)) {
                    going.add(s);
                }
            }
            if (acceptedIds.remove(Integer.valueOf(id)) && addAddrAccepted > 0) {
                addAddrAccepted--;
            }
        }
        return going;
    }

    /** An ADD_ADDR or echo to put on {@code s}'s next pure ACK, or null. */
    MptcpOption.AddAddr pendingAnnouncement(Subflow s) {
        if (!echoes.isEmpty()) {
            return echoes.get(0);
        }
        // Asked for every segment a subflow builds: an indexed loop, no iterator.
        for (int i = 0; i < announcements.size(); i++) {
            Announcement a = announcements.get(i);
            if (a.due) {
                return a.option;
            }
        }
        return null;
    }

    void onAnnouncementSent(Subflow s, MptcpOption.AddAddr option) {
        if (option.echo()) {
            echoes.remove(option);
            conn.mib.increment(MibCounter.MPTCP_ECHO_ADD_TX);
            return;
        }
        for (Announcement a : announcements) {
            if (a.option == option && a.due) {
                a.due = false;
                a.sent++;
                a.deadline = a.sent <= ADD_ADDR_RETRANSMITS ? conn.now + config.addAddrTimeoutNanos() : Nanos.NEVER;
                conn.mib.increment(MibCounter.MPTCP_ADD_ADDR_TX);
                conn.host.rearm(conn);
            }
        }
    }

    /** An ADD_ADDR arrived on {@code s}. */
    void onAddAddr(Subflow s, MptcpOption.AddAddr a) {
        if (a.echo()) {
            conn.mib.increment(MibCounter.MPTCP_ECHO_ADD);
            announcements.removeIf(x -> x.option.addressId() == a.addressId() && x.option.address().equals(a.address()));
            conn.host.rearm(conn);
            return;
        }
        int port = a.port().orElse(0);
        long expected = MptcpCrypto.addAddrHmac(conn.remoteKey, conn.localKey, a.addressId(), a.address(), port);
        if (a.truncatedHmac().isEmpty() || a.truncatedHmac().getAsLong() != expected) {
            conn.mib.increment(MibCounter.MPTCP_ADD_ADDR_DROP);
            return;
        }
        conn.mib.increment(MibCounter.MPTCP_ADD_ADDR);
        MptcpOption.AddAddr echo = new MptcpOption.AddAddr(true, a.addressId(), a.address(), a.port(), OptionalLong.empty());
        if (!echoes.contains(echo)) {
            echoes.add(echo);
        }
        conn.requestAck(s);
        if (addAddrAccepted >= config.limits().addAddrAccepted() || extraSubflows >= config.limits().subflows()) {
            return;
        }
        Subflow first = conn.initialSubflow();
        if (first == null || !sameFamily(first.tcp.local().getAddress(), a.address())) {
            return;
        }
        InetSocketAddress remote = new InetSocketAddress(a.address(), port == 0 ? first.tcp.remote().getPort() : port);
        addAddrAccepted++;
        acceptedIds.add(a.addressId());
        if (conn.openJoin(first.tcp.local().getAddress(), remote, 0, false, conn.now)) {
            extraSubflows++;
        }
    }

    /** Whether a peer's MP_JOIN may add a subflow (Linux: the subflows limit). */
    boolean acceptJoin() {
        if (extraSubflows >= config.limits().subflows()) {
            return false;
        }
        extraSubflows++;
        return true;
    }

    /** A subflow beyond the initial one went away: its slot is free again. */
    void onSubflowClosed(Subflow s) {
        if (!s.initial && extraSubflows > 0) {
            extraSubflows--;
        }
    }

    long nextDeadline() {
        long d = Nanos.NEVER;
        for (Announcement a : announcements) {
            d = Math.min(d, a.deadline);
        }
        return d;
    }

    void onTimeout(long nowNanos) {
        boolean due = false;
        for (Announcement a : announcements) {
            if (a.deadline <= nowNanos) {
                a.deadline = Nanos.NEVER;
                a.due = true;
                due = true;
            }
        }
        Subflow first = conn.initialSubflow();
        if (due && first != null) {
            conn.requestAck(first);
        }
    }

    private static boolean sameFamily(InetAddress a, InetAddress b) {
        return a.getAddress().length == b.getAddress().length;
    }
}
