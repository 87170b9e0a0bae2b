package org.mptcp4j.net.interop;

import org.junit.jupiter.api.BeforeAll;

/** {@link TunKernelInterop} with outgoing segments batched into GSO packets ({@code IFF_VNET_HDR}). */
class TunKernelGsoInteropTest extends TunKernelInterop {
    @BeforeAll
    static void up() throws Exception {
        start(true);
    }
}
