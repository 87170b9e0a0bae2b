/**
 * Real IPv4/UDP traffic for the simulator: a constant-rate and packet-train source, a counting
 * sink that checks checksums and sequence numbers, and the tiny datagram builder they share.
 */
package org.mptcp4j.sim.traffic;
