package org.mptcp4j.api;

/**
 * Which MPTCP implementation carries a host's sockets. The API is the same for both; what differs
 * is where the protocol runs and which knobs exist.
 */
public enum Engine {
    /**
     * mptcp4j's own stack, in this JVM, over a TUN device or UDP sockets ({@link MptcpHost#overTun},
     * {@link MptcpHost#overUdp}): any OS, MPTCP where the kernel has none, and the scheduler, path
     * manager, congestion control and endpoints set per host in its {@link org.mptcp4j.stack.StackConfig}.
     */
    USERSPACE,
    /**
     * The Linux kernel's MPTCP (5.6 and later) through {@code socket(AF_INET, SOCK_STREAM,
     * IPPROTO_MPTCP)} ({@link MptcpHost#kernel()}): the kernel's speed and its path manager; plain
     * TCP where the kernel has no MPTCP, as Go does. The knobs are the network namespace's
     * ({@code sysctl net.mptcp.*}, {@code ip mptcp}).
     */
    KERNEL
}
