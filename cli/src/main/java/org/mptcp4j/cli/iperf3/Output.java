package org.mptcp4j.cli.iperf3;

import java.io.PrintStream;

/**
 * Where and how a client or server reports, as iperf3's -J, -i and version string set it.
 *
 * @param out the text lines, or with {@code json} the one JSON document at the end
 * @param intervalSeconds seconds between interval reports, 0 for none (iperf3's -i)
 * @param version this program's version, sent as {@code client_version} and shown in {@code start.version}
 */
public record Output(PrintStream out, boolean json, double intervalSeconds, String version) {}
