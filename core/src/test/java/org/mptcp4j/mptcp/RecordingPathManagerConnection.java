package org.mptcp4j.mptcp;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.UnknownHostException;
import java.util.ArrayList;
import java.util.List;

/**
 * A connection as a path manager sees it, over the initial subflow {@code local -> remote}, that
 * records what the manager asks for: the subflows it creates ({@code "from -> to"}) and the
 * addresses it announces. Endpoints and limits may change between the manager's calls.
 */
final class RecordingPathManagerConnection implements PathManager.Connection {
    final boolean client;
    final List<InetAddress> localAddresses;
    final List<Endpoint> endpoints = new ArrayList<>();
    Limits limits;
    final List<String> subflows = new ArrayList<>();
    final List<PathManager.SubflowRef> refs = new ArrayList<>();
    final List<InetAddress> announced = new ArrayList<>();
    int accepted;

    RecordingPathManagerConnection(boolean client, InetSocketAddress local, InetSocketAddress remote,
            List<InetAddress> localAddresses, Limits limits) {
        this.client = client;
        this.localAddresses = List.copyOf(localAddresses);
        this.limits = limits;
        refs.add(new PathManager.SubflowRef(local, remote, 0, 0, false, true));
    }

    static InetAddress ip(String literal) {
        try {
            return InetAddress.getByName(literal);
        } catch (UnknownHostException e) {
            throw new AssertionError(e);
        }
    }

    @Override public boolean isClient() { return client; }
    @Override public InetSocketAddress initialLocal() { return refs.getFirst().local(); }
    @Override public InetSocketAddress initialRemote() { return refs.getFirst().remote(); }
    @Override public List<InetAddress> localAddresses() { return localAddresses; }
    @Override public List<Endpoint> endpoints() { return List.copyOf(endpoints); }
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
