package org.mptcp4j.sim;

/** A host or router: something links deliver to. */
public abstract sealed class Node implements PacketSink permits Host, Router {
    protected final Simulation sim;
    private final String name;
    protected final RoutingTable routes = new RoutingTable();

    Node(Simulation sim, String name) {
        this.sim = sim;
        this.name = name;
    }

    public String name() {
        return name;
    }

    public Simulation simulation() {
        return sim;
    }

    @Override
    public String toString() {
        return getClass().getSimpleName() + "[" + name + "]";
    }
}
