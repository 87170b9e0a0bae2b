package org.mptcp4j.cli.iperf3;

/** The texts of iperf3's error numbers a server sends with SERVER_ERROR (iperf_api.h, iperf_error.c). */
final class IperfErrors {
    private IperfErrors() {}

    static String describe(int iperfErrno) {
        return switch (iperfErrno) {
            case TestSettings.IENUMSTREAMS -> "number of parallel streams too large";
            case TestSettings.IEBLOCKSIZE -> "block size too large";
            case TestSettings.IEUNIMP -> "an option you are trying to set is not implemented yet";
            case TestSettings.IEREVERSEBIDIR -> "cannot be both reverse and bidirectional";
            case 102 -> "unable to start listener for connections";
            case 114 -> "unable to receive parameters from client";
            case 117 -> "unable to receive results";
            default -> "iperf3 error " + iperfErrno;
        };
    }
}
