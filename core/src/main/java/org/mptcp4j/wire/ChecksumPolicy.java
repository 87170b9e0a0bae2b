package org.mptcp4j.wire;

/** How a decoder treats the TCP checksum. */
public enum ChecksumPolicy {
    /** The checksum must verify (RFC 9293 section 3.1). What a stack receiving from a network uses. */
    VERIFY,
    /**
     * Also accept a checksum field that holds only the folded pseudo-header sum: the
     * "offload pending" state (Linux CHECKSUM_PARTIAL) of segments captured on the sending host
     * or on a veth before a NIC or the kernel would have completed it. For reading captures
     * (tcpdump on a veth), never for segments from a network.
     */
    ACCEPT_OFFLOAD_PENDING,
    /**
     * Do not check: the device vouches for the packet (Linux {@code CHECKSUM_UNNECESSARY} or
     * {@code CHECKSUM_PARTIAL} on receive; virtio's {@code DATA_VALID} and {@code NEEDS_CSUM}), as
     * for a packet the local kernel built or already verified, which crossed no wire since.
     */
    DEVICE_VALIDATED
}
