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
    /** Our announcements: sent and waiting for the echo, or still to send. */
    private final List<Announcement> announcements = new ArrayList<>(2);
    /** Echoes of the peer's announcements still to send. */
    private final List<MptcpOption.AddAddr> echoes = new ArrayList<>(2);
    /** Additional subflows (beyond the initial one) this connection has, open or opening. */
    int extraSubflows;
    int addAddrAccepted;
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
        InetAddress localFirst = first.tcp.local().getAddress();
        for (Endpoint e : config.endpoints()) {
            if (e.address().equals(localFirst) || !sameFamily(e.address(), localFirst)) {
                continue;
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
        if (!announcements.isEmpty()) {
            conn.requestAck(first);
        }
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
