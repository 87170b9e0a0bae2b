package org.mptcp4j.net.interop;

import org.junit.jupiter.api.BeforeAll;

/** {@link TunKernelInterop} with one {@code write(2)} per segment. */
class TunKernelPlainInteropTest extends TunKernelInterop {
    @BeforeAll
    static void up() throws Exception {
        start(false);
    }
}
