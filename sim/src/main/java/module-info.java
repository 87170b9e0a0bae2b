/** The discrete-event network simulator (docs/SIMULATOR.md): hosts, routers, links, topologies, traffic. */
module org.mptcp4j.sim {
    requires transitive org.mptcp4j.core;

    exports org.mptcp4j.sim;
    exports org.mptcp4j.sim.stack;
    exports org.mptcp4j.sim.topo;
    exports org.mptcp4j.sim.traffic;
}
