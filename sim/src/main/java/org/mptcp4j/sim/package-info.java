/**
 * A deterministic discrete-event network simulator in virtual nanoseconds (htsim's small kernel,
 * ns-3's determinism), carrying real IPv4/IPv6 packets.
 *
 * <h2>Contract</h2>
 * <ul>
 *   <li>Time is {@code long} nanoseconds, starting at 0, never going back. Events run in
 *       {@code (time, seq)} order: at equal times, in the order they were scheduled.</li>
 *   <li>Randomness: every component draws from {@link org.mptcp4j.sim.Simulation#rng(String)},
 *       a function of the run seed and the component's name. Same seed, same topology, same
 *       endpoints: the same run, bit for bit ({@link org.mptcp4j.sim.TraceDigest}).</li>
 *   <li>Ownership: a {@link org.mptcp4j.sim.Packet} belongs to one component at a time; whoever
 *       delivers or drops it returns it to the {@link org.mptcp4j.sim.PacketPool}. Endpoints never
 *       see packets, only {@code ByteBuffer} views valid during the call, and hand over copies.</li>
 *   <li>Bad packets never throw: hosts and routers drop and count what they cannot parse or
 *       route, with the Linux counter name in the accessor's javadoc.</li>
 *   <li>Single-threaded: a simulation is built and run from one thread.</li>
 * </ul>
 *
 * <p>Start with {@link org.mptcp4j.sim.Simulation}; the paper's testbeds are in
 * {@link org.mptcp4j.sim.topo.Topologies}; {@code docs/SIMULATOR.md} is the guide.
 */
package org.mptcp4j.sim;
