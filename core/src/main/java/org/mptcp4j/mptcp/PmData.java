package org.mptcp4j.mptcp;

import java.net.Inet4Address;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.UnknownHostException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.OptionalLong;
import org.mptcp4j.base.Nanos;
import org.mptcp4j.crypto.MptcpCrypto;
import org.mptcp4j.mib.MibCounter;
import org.mptcp4j.tcp.TcpError;
import org.mptcp4j.wire.MptcpOption;

/**
 * What every path manager of a connection shares (Linux {@code struct mptcp_pm_data} and
 * {@code pm.c}): the ADD_ADDR announcements, resent until the peer echoes them, at most
 * {@link #ADD_ADDR_RETRANSMITS} times (RFC 8684 section 3.4.1, HMAC over the address with the
 * keys); the echoes of the peer's; REMOVE_ADDR both ways (section 3.4.2); the subflow count
 * against the limits; and the {@link PmEvent}s. The {@link PathManager} of the connection decides
 * the rest through the {@link PathManager.Connection} this implements.
 */
final class PmData implements PathManager.Connection {
    /** Linux resends an unechoed ADD_ADDR at most this often ({@code ADD_ADDR_RETRANS_MAX}). */
    static final int ADD_ADDR_RETRANSMITS = 3;

    private final MptcpConnection conn;
    private final MptcpConfig config;
    private PathManager policy;
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
    /** Our addresses announced and not withdrawn, echoed or not: they name the address a join arrives at. */
    private final List<MptcpOption.AddAddr> signalled = new ArrayList<>(2);
    /** Echoes of the peer's announcements still to send. */
    private final List<MptcpOption.AddAddr> echoes = new ArrayList<>(2);
    /** Additional subflows (beyond the initial one) this connection has, open or opening. */
    private int extraSubflows;
    private int addAddrAccepted;
    /** The address ids of the announcements counted in {@link #addAddrAccepted}. */
    private final List<Integer> acceptedIds = new ArrayList<>(2);
    private boolean started;
    /** CREATED was reported, so CLOSED will be. */
    private boolean created;
    private boolean closedReported;
    /** Subflows reported over ({@link #onSubflowGone}) and not yet removed from the connection. */
    private final List<Subflow> gone = new ArrayList<>(2);
    /** Failed subflows to open again ({@link MptcpConfig#recreation()}). */
    private final SubflowRecreator recreator;
    /**
     * The initial subflow's addresses, kept once it is established: they stay the connection's
     * after that subflow went (address id 0 removed), as Linux's MPTCP socket keeps its own.
     */
    private InetSocketAddress initialLocal;
    private InetSocketAddress initialRemote;

    private static final class Announcement {
        final MptcpOption.AddAddr option;
        boolean due = true;
        int sent;
        long deadline = Nanos.NEVER;

        Announcement(MptcpOption.AddAddr option) {
            this.option = option;
        }
    }

    PmData(MptcpConnection conn, MptcpConfig config) {
        this.conn = conn;
        this.config = config;
        this.endpoints = new ArrayList<>(config.endpoints());
        this.policy = PathManager.byName(config.pathManager()).orElseThrow().get();
        this.recreator = new SubflowRecreator(config.recreation());
    }

    PathManager policy() {
        return policy;
    }

    /** Another manager for this connection (chosen per connection); before it is established only. */
    void setPolicy(PathManager p) {
        if (started) {
            throw new IllegalStateException("the path manager is chosen before the connection is established");
        }
        policy = p;
    }

    // ====================================================================== events

    private void emit(PmEvent.Type type, int localId, int remoteId, InetSocketAddress local, InetSocketAddress remote,
            boolean backup, int error) {
        conn.host.onPmEvent(new PmEvent(conn.now, type, conn.localToken, localId, remoteId, Optional.ofNullable(local),
                Optional.ofNullable(remote), backup, !conn.client, error));
    }

    private void emitSubflow(PmEvent.Type type, Subflow s, boolean backup, int error) {
        emit(type, s.localId, s.remoteId, s.tcp.local(), s.tcp.remote(), backup, error);
    }

    /** The MPTCP handshake completed (keys exchanged): Linux {@code mptcp_pm_new_connection}. */
    void onCreated() {
        Subflow first = conn.initialSubflow();
        if (created || first == null) {
            return;
        }
        created = true;
        initialLocal = first.tcp.local();
        initialRemote = first.tcp.remote();
        emit(PmEvent.Type.CREATED, 0, 0, first.tcp.local(), first.tcp.remote(), false, PmEvent.NO_ERROR);
    }

    /** An MP_JOIN subflow's handshake completed (HMACs checked). */
    void onSubflowEstablished(Subflow s) {
        emitSubflow(PmEvent.Type.SUB_ESTABLISHED, s, s.backup, PmEvent.NO_ERROR);
        recreator.onEstablished(s.tcp.local().getAddress(), s.tcp.remote());
    }

    /** The peer's MP_PRIO changed {@code s}'s priority. */
    void onPrioReceived(Subflow s) {
        emitSubflow(PmEvent.Type.SUB_PRIORITY, s, s.peerBackup, PmEvent.NO_ERROR);
    }

    /** The last subflow left. */
    void onClosed() {
        if (created && !closedReported) {
            closedReported = true;
            emit(PmEvent.Type.CLOSED, 0, 0, null, null, false, PmEvent.NO_ERROR);
        }
    }

    // ====================================================================== hooks from the connection

    /** The connection is established at the MPTCP level: the manager opens and announces what it wants. */
    void onEstablished(long nowNanos) {
        if (started) {
            return;
        }
        started = true;
        Subflow first = conn.initialSubflow();
        if (first == null) {
            return;
        }
        onCreated();
        emit(PmEvent.Type.ESTABLISHED, 0, 0, first.tcp.local(), first.tcp.remote(), false, PmEvent.NO_ERROR);
        policy.onEstablished(this, nowNanos);
    }

    /**
     * An endpoint was added while the connection runs ({@code ip mptcp endpoint add}): an
     * established connection's manager acts on it at once.
     */
    void onEndpointAdded(Endpoint e, long nowNanos) {
        endpoints.add(e);
        if (started && conn.initialSubflow() != null) {
            policy.onEndpointAdded(this, e, nowNanos); // else onEstablished uses it with the others
        }
    }

    /** An endpoint was deleted ({@code ip mptcp endpoint delete}): the manager decides; by default it is withdrawn. */
    void onEndpointRemoved(Endpoint e, long nowNanos) {
        endpoints.removeIf(o -> o.id() == e.id());
        policy.onEndpointRemoved(this, e, nowNanos);
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
            emit(PmEvent.Type.REMOVED, 0, id, null, null, false, PmEvent.NO_ERROR);
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

    /**
     * The subflow a signal (ADD_ADDR, REMOVE_ADDR) goes on at once: the initial one while it
     * works, else the first other that does (the initial one may be gone: address id 0 removed);
     * null if none.
     */
    private Subflow signallingSubflow() {
        Subflow first = conn.initialSubflow();
        if (first != null && !first.dead) {
            return first;
        }
        for (Subflow s : conn.subflows) {
            if (!s.dead && s.tcp != null && s.tcp.state().isSynchronized()) {
                return s;
            }
        }
        return null;
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

    /**
     * An ADD_ADDR arrived on {@code s}: an echo ends our retransmissions; an announcement is checked,
     * echoed and handed to the manager. Either with a port counts as PortAdd, as Linux counts it.
     */
    void onAddAddr(Subflow s, MptcpOption.AddAddr a) {
        if (a.echo()) {
            conn.mib.increment(MibCounter.MPTCP_ECHO_ADD);
            if (a.port().isPresent()) {
                conn.mib.increment(MibCounter.MPTCP_PORT_ADD);
            }
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
        if (a.port().isPresent()) {
            conn.mib.increment(MibCounter.MPTCP_PORT_ADD);
        }
        MptcpOption.AddAddr echo = new MptcpOption.AddAddr(true, a.addressId(), a.address(), a.port(), OptionalLong.empty());
        if (!echoes.contains(echo)) {
            echoes.add(echo);
        }
        conn.sendPureAck(s); // the echo rides a pure ACK, sent at once even while data flows
        InetSocketAddress first = initialRemote();
        int joinPort = port != 0 || first == null ? port : first.getPort();
        InetSocketAddress announced = new InetSocketAddress(unmapped(a.address()), joinPort);
        emit(PmEvent.Type.ANNOUNCED, 0, a.addressId(), null, announced, false, PmEvent.NO_ERROR);
        if (first != null) {
            policy.onAddAddrReceived(this, a.addressId(), announced, conn.now);
        }
    }

    /**
     * An IPv4-mapped IPv6 address ({@code ::ffff:a.b.c.d}, RFC 4291 section 2.5.5.2) as the IPv4
     * address it maps, any other unchanged: Linux announces an endpoint added as one (from an
     * AF_INET6 socket's view of IPv4) in its 16 bytes, and a subflow to it is IPv4 on the wire. The
     * HMAC and the echo keep the address as it came.
     */
    static InetAddress unmapped(InetAddress a) {
        if (a instanceof Inet4Address || !KernelPathManager.isIpv4(a)) {
            return a;
        }
        try {
            return InetAddress.getByAddress(Arrays.copyOfRange(a.getAddress(), 12, 16));
        } catch (UnknownHostException e) {
            throw new AssertionError(e); // four bytes are always an IPv4 address
        }
    }

    /** Whether a peer's MP_JOIN may add subflow {@code s}: the manager's answer, counted if yes. */
    boolean acceptJoin(Subflow s) {
        if (!policy.acceptJoin(this)) {
            return false;
        }
        countJoin(s);
        return true;
    }

    /** {@code s} takes one of the limit's slots ({@link Limits#subflows()}), given back when it closes. */
    private void countJoin(Subflow s) {
        s.joinCounted = true;
        extraSubflows++;
    }

    /** A subflow left the connection: a join's slot is free again. */
    void onSubflowClosed(Subflow s) {
        onSubflowGone(s);
        gone.remove(s);
        // Only a join the limit counted gives its slot back: one refused at its third ACK was
        // never counted, and giving back for it let the next join past the limit.
        if (s.joinCounted && extraSubflows > 0) {
            s.joinCounted = false;
            extraSubflows--;
        }
    }

    /**
     * A subflow is over for the connection (closed, or in TIME-WAIT, where Linux hands it to a
     * timewait socket apart from the connection): SUB_CLOSED for a join, and CLOSED once no
     * subflow is left working, the order {@code ip mptcp monitor} shows at the end of a connection.
     */
    void onSubflowGone(Subflow s) {
        if (gone.contains(s)) {
            return;
        }
        gone.add(s);
        recreateIfFailed(s);
        if (!s.initial && (s.mptcpEstablished || s.joinAckPending) && s.tcp != null) { // SUB_ESTABLISHED was reported
            conn.host.onPmEvent(new PmEvent(conn.now, PmEvent.Type.SUB_CLOSED, conn.localToken, s.localId, s.remoteId,
                    Optional.ofNullable(s.tcp.local()), Optional.ofNullable(s.tcp.remote()), s.backup, !conn.client,
                    PmEvent.errnoOf(s.tcp.error()), s.peerResetReason, s.peerResetFlags));
            policy.onSubflowClosed(this, ref(s), conn.now);
        }
        for (Subflow o : conn.subflows) {
            if (!gone.contains(o)) {
                return;
            }
        }
        onClosed();
    }

    /**
     * A client's subflow that failed while the connection runs (reset by the peer or a middlebox,
     * or given up on by its TCP) is opened again later, if {@link SubflowRecreation} is on: one
     * that had worked, or an attempt to reopen one. Subflows closed on purpose (an address
     * removed, the connection closing) and joins the peer refused before they worked are not.
     */
    private void recreateIfFailed(Subflow s) {
        if (!recreator.enabled() || !conn.client || s.tcp == null || !mayOpenSubflows()) {
            return;
        }
        boolean failed = s.tcp.error().filter(e -> e == TcpError.RESET_BY_PEER || e == TcpError.TIMED_OUT).isPresent()
                || s.resetReason == MptcpConnection.RESET_TOO_MUCH_OUTSTANDING_DATA; // reset by us to start again
        // RFC 8684 section 3.6: a peer that refused the subflow by policy and did not call it
        // transient (flag T clear) would refuse it again.
        if (s.peerResetReason == MptcpConnection.RESET_ADMINISTRATIVELY_PROHIBITED
                && (s.peerResetFlags & MptcpOption.MpTcpRst.FLAG_TRANSIENT) == 0) {
            return;
        }
        InetAddress local = s.tcp.local().getAddress();
        if (failed && (s.mptcpEstablished || recreator.tracks(local, s.tcp.remote()))) {
            recreator.onFailed(local, s.localId, s.tcp.remote(), s.backup, conn.now);
        }
    }

    /**
     * A subflow may still be opened: MPTCP runs and neither end has ended its stream (a join after
     * either DATA_FIN is neither opened nor taken, {@link MptcpConnection#acceptsJoins}).
     */
    private boolean mayOpenSubflows() {
        return conn.error == null && conn.acceptsJoins();
    }

    long nextDeadline() {
        long d = recreator.nextDeadline();
        for (int i = 0; i < announcements.size(); i++) { // by index: asked at every re-arm of the connection's timer
            d = Math.min(d, announcements.get(i).deadline);
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
        Subflow first = signallingSubflow();
        if (due && first != null) {
            conn.sendPureAck(first);
        }
        if (recreator.nextDeadline() <= nowNanos) {
            for (SubflowRecreator.Pending p : recreator.due(nowNanos)) {
                if (!mayOpenSubflows()) {
                    recreator.clear();
                    return;
                }
                conn.mib.increment(MibCounter.MPTCP_SUBFLOW_RECREATE);
                if (!createSubflow(p.local, p.localId, p.remote, p.backup, nowNanos)) {
                    recreator.onNotStarted(p, nowNanos);
                }
            }
        }
    }

    /**
     * Whether we announced {@code local}'s address with its port (and have not withdrawn it): a join
     * may come there (Linux {@code mptcp_pm_sport_in_anno_list}).
     */
    boolean announced(InetSocketAddress local) {
        for (MptcpOption.AddAddr a : signalled) {
            if (a.address().equals(local.getAddress()) && a.port().orElse(0) == local.getPort()) {
                return true;
            }
        }
        return false;
    }

    int addAddrSignalled() {
        return signalled.size();
    }

    /** Our address id for {@code local}: 0 for the initial subflow's, else its endpoint's or announcement's. */
    int localIdOf(InetAddress local) {
        Subflow first = conn.initialSubflow();
        if (first == null || first.tcp == null || first.tcp.local().getAddress().equals(local)) {
            return 0;
        }
        for (Endpoint e : endpoints) {
            if (V4Mapped.unmapped(e.address()).equals(local)) {
                return e.id();
            }
        }
        for (MptcpOption.AddAddr a : signalled) {
            if (V4Mapped.unmapped(a.address()).equals(local)) {
                return a.addressId();
            }
        }
        return 0;
    }

    // ====================================================================== PathManager.Connection

    @Override
    public boolean isClient() {
        return conn.client;
    }

    @Override
    public InetSocketAddress initialLocal() {
        Subflow first = conn.initialSubflow();
        return first != null ? first.tcp.local() : initialLocal;
    }

    @Override
    public InetSocketAddress initialRemote() {
        Subflow first = conn.initialSubflow();
        return first != null ? first.tcp.remote() : initialRemote;
    }

    @Override
    public List<InetAddress> localAddresses() {
        return conn.host.localAddresses();
    }

    @Override
    public List<Endpoint> endpoints() {
        return List.copyOf(endpoints);
    }

    @Override
    public Limits limits() {
        return config.limits();
    }

    @Override
    public int ndiffports() {
        return config.ndiffports();
    }

    @Override
    public int extraSubflows() {
        return extraSubflows;
    }

    @Override
    public int addAddrAccepted() {
        return addAddrAccepted;
    }

    @Override
    public void acceptAddAddr(int remoteId) {
        addAddrAccepted++;
        acceptedIds.add(remoteId);
    }

    @Override
    public List<PathManager.SubflowRef> subflows() {
        List<PathManager.SubflowRef> out = new ArrayList<>(conn.subflows.size());
        for (Subflow s : conn.subflows) {
            if (s.tcp != null && !s.dead) {
                out.add(ref(s));
            }
        }
        return out;
    }

    private static PathManager.SubflowRef ref(Subflow s) {
        return new PathManager.SubflowRef(s.tcp.local(), s.tcp.remote(), s.localId, s.remoteId, s.isBackup(), s.initial);
    }

    @Override
    public boolean createSubflow(InetAddress local, int localId, InetSocketAddress remote, boolean backup, long nowNanos) {
        if (conn.remoteDeniesJoinToInitial && remote.equals(initialRemote())) {
            return false; // the peer set flag C: whichever manager asks, no join to its initial address and port
        }
        // An endpoint given IPv4-mapped joins from its IPv4 address (V4Mapped).
        Subflow s = conn.openJoin(V4Mapped.unmapped(local), V4Mapped.unmapped(remote), localId, backup, nowNanos);
        if (s == null) {
            return false;
        }
        countJoin(s);
        return true;
    }

    @Override
    public void announce(int id, InetAddress address, int port) {
        for (MptcpOption.AddAddr a : signalled) {
            if (a.addressId() == id) {
                return; // already announced
            }
        }
        long hmac = MptcpCrypto.addAddrHmac(conn.localKey, conn.remoteKey, id, address, port);
        MptcpOption.AddAddr option = new MptcpOption.AddAddr(false, id, address,
                port == 0 ? OptionalInt.empty() : OptionalInt.of(port), OptionalLong.of(hmac));
        announcements.add(new Announcement(option));
        signalled.add(option);
        Subflow first = signallingSubflow();
        if (first != null) {
            conn.sendPureAck(first);
        }
    }

    @Override
    public boolean removeAddress(int id, InetAddress given, long nowNanos) {
        InetAddress address = V4Mapped.unmapped(given); // the subflows are from the IPv4 address
        announcements.removeIf(a -> a.option.addressId() == id);
        boolean announced = signalled.removeIf(a -> a.addressId() == id);
        List<Subflow> going = new ArrayList<>(1);
        for (Subflow s : conn.subflows) {
            // Address id 0 (the initial subflow's address): the subflows with local id 0 from it.
            if (s.tcp != null && s.tcp.local().getAddress().equals(address) && (id != 0 || s.localId == 0)) {
                going.add(s);
            }
        }
        if (!announced && going.isEmpty()) {
            return false;
        }
        if (!removals.contains(id)) {
            removals.add(id);
            removedAddresses.add(address);
            // REMOVE_ADDR rides only on a pure ACK: one goes at once on a subflow that stays, as
            // Linux's mptcp_pm_send_ack sends it. Asking for an ACK was not enough: while data
            // flowed, the ACK rode on the next data segment and the removal waited for an idle moment.
            sendRemovalOnOneNotGoing(going);
        }
        conn.closeRemoved(going, true, nowNanos);
        return true;
    }

    /**
     * {@code ip mptcp endpoint flush} (Linux {@code mptcp_pm_flush_addrs_and_subflows}): the
     * endpoints go at once. Those this connection announced are withdrawn together, one
     * REMOVE_ADDR listing their ids (RFC 8684 section 3.4.2: "one or more Address IDs"); the
     * subflows from any of them close, their data going again on the others, without a REMOVE_ADDR
     * of their own (Linux since 5.18: mptcp_join.sh's "flush subflows" expects none sent). A
     * user-space manager's connections keep theirs, as Linux flushes only the in-kernel manager's.
     */
    void onEndpointsFlushed(List<Endpoint> flushed, long nowNanos) {
        for (Endpoint e : flushed) {
            endpoints.removeIf(o -> o.id() == e.id());
        }
        if (policy instanceof UserspacePathManager) {
            return;
        }
        List<Subflow> going = new ArrayList<>(2);
        boolean withdrawn = false;
        for (Endpoint e : flushed) {
            announcements.removeIf(a -> a.option.addressId() == e.id());
            if (signalled.removeIf(a -> a.addressId() == e.id()) && !removals.contains(e.id())) {
                removals.add(e.id());
                removedAddresses.add(e.address());
                withdrawn = true;
            }
            for (Subflow s : conn.subflows) {
                if (s.tcp != null && !s.initial && s.tcp.local().getAddress().equals(V4Mapped.unmapped(e.address()))
                        && !going.contains(s)) {
                    going.add(s);
                }
            }
        }
        if (withdrawn) {
            sendRemovalOnOneNotGoing(going);
        }
        conn.closeRemoved(going, true, nowNanos);
    }

    /**
     * {@code ip mptcp endpoint delete id 0 ADDRESS} (Linux {@code mptcp_nl_remove_id_zero_address}):
     * if this connection's initial subflow is from {@code address}, address id 0 is withdrawn
     * (REMOVE_ADDR of id 0 on another subflow) and the subflows with local id 0 from it close.
     * Whether it was.
     */
    boolean removeAddressZero(InetAddress address, long nowNanos) {
        InetSocketAddress local = initialLocal();
        if (policy instanceof UserspacePathManager || local == null || !local.getAddress().equals(address)) {
            return false;
        }
        return removeAddress(0, address, nowNanos);
    }

    /** REMOVE_ADDR rides only on a pure ACK: one goes at once on a subflow not in {@code going}. */
    private void sendRemovalOnOneNotGoing(List<Subflow> going) {
        for (Subflow s : conn.subflows) {
            if (!going.contains(s) && !s.dead && s.tcp != null && s.tcp.state().isSynchronized()) {
                conn.sendPureAck(s);
                return;
            }
        }
    }

    // ====================================================================== user-space commands

    /** Runs a user-space manager's command ({@link PmCommand}); the caller checked the token. */
    PmCommand.Result execute(PmCommand command, long nowNanos) {
        if (!(policy instanceof UserspacePathManager) || conn.mode != MptcpConnection.Mode.MPTCP) {
            return PmCommand.Result.NOT_USERSPACE;
        }
        return switch (command) {
            case PmCommand.Announce a -> {
                if (a.id() < 1 || a.id() > 255 || a.port() < 0 || a.port() > 65535) {
                    yield PmCommand.Result.INVALID;
                }
                announce(a.id(), a.address(), a.port());
                yield PmCommand.Result.DONE;
            }
            case PmCommand.Remove r -> {
                InetAddress address = addressOf(r.id());
                yield address != null && removeAddress(r.id(), address, nowNanos) ? PmCommand.Result.DONE
                        : PmCommand.Result.NO_SUCH_SUBFLOW;
            }
            case PmCommand.SubflowCreate c -> {
                if (c.localId() < 0 || c.localId() > 255) {
                    yield PmCommand.Result.INVALID;
                }
                yield createSubflow(c.local(), c.localId(), c.remote(), c.backup(), nowNanos) ? PmCommand.Result.DONE
                        : PmCommand.Result.FAILED;
            }
            case PmCommand.SubflowDestroy d -> {
                Subflow s = subflowOf(d.local(), d.remote());
                if (s == null) {
                    yield PmCommand.Result.NO_SUCH_SUBFLOW;
                }
                conn.closeRemoved(List.of(s), true, nowNanos);
                yield PmCommand.Result.DONE;
            }
            case PmCommand.SetPriority p -> {
                Subflow s = subflowOf(p.local(), p.remote());
                if (s == null) {
                    yield PmCommand.Result.NO_SUCH_SUBFLOW;
                }
                conn.setBackup(s, p.backup(), nowNanos);
                yield PmCommand.Result.DONE;
            }
        };
    }

    /** Our address with id {@code id}: an announcement's, or a live subflow's. */
    private InetAddress addressOf(int id) {
        for (MptcpOption.AddAddr a : signalled) {
            if (a.addressId() == id) {
                return a.address();
            }
        }
        for (Subflow s : conn.subflows) {
            if (s.tcp != null && !s.initial && s.localId == id) {
                return s.tcp.local().getAddress();
            }
        }
        return null;
    }

    private Subflow subflowOf(InetSocketAddress local, InetSocketAddress remote) {
        for (Subflow s : conn.subflows) {
            if (s.tcp != null && !s.dead && s.tcp.local().equals(local) && s.tcp.remote().equals(remote)) {
                return s;
            }
        }
        return null;
    }
}
