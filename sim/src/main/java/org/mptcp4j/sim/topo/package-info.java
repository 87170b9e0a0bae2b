/** The paper's testbeds as ready-made topologies: Fig. 2 (congestion) and Fig. 3 (performance), and a multihomed client for MPTCP. */
package org.mptcp4j.sim.topo;
