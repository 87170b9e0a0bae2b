package org.mptcp4j.cli.iperf3;

import java.util.Optional;

/** What a test ended with: how its connections ran (MPTCP, or the reason they fell back to plain TCP). */
public record Outcome(Optional<String> fallbackReason) {}
