package org.mptcp4j.mib;

/**
 * Every counter the engine keeps, each with the name Linux's {@code nstat} prints for the same
 * event where one exists (TcpExt*, MPTcpExt*, Tcp*), so a run reads side by side with the kernel
 * peer's counters. Counters Linux lacks carry the prefix {@code Mptcp4j}.
 *
 * <p>Blocks: wire decoding, then ICMP, then TCP, then MPTCP. Add new constants to the end of their block.
 */
public enum MibCounter {
    // ---- wire: refusals of the decoders (a packet or option dropped before any state saw it)
    /** An IP packet too short, with a bad version, header length or total length. */
    IP_IN_HDR_ERRORS("IpInHdrErrors"),
    /** An IP packet whose header checksum failed. */
    IP_IN_CSUM_ERRORS("Mptcp4jIpInCsumErrors"),
    /** An IP packet not addressed to this host. */
    IP_IN_ADDR_ERRORS("IpInAddrErrors"),
    /** An IP packet carrying a protocol other than TCP. */
    IP_IN_UNKNOWN_PROTOS("IpInUnknownProtos"),
    /** A TCP segment shorter than its header or with a bad data offset. */
    TCP_IN_ERRS("TcpInErrs"),
    /** A TCP segment whose checksum failed (Linux counts it in TcpInCsumErrors). */
    TCP_IN_CSUM_ERRORS("TcpInCsumErrors"),
    /** A TCP option whose length runs past the header or is below 2: the option space is ignored. */
    TCP_OPTION_MALFORMED("Mptcp4jTcpOptionMalformed"),
    /**
     * An MPTCP option of a length its subtype does not allow: ignored (Linux mptcp_parse_option).
     * Also a mapping (DSS, or MP_CAPABLE with data) whose checksum field is there when checksums
     * were not negotiated or missing when they were (RFC 8684 section 3.3): the mapping is ignored.
     */
    MPTCP_OPTION_MALFORMED("Mptcp4jMptcpOptionMalformed"),
    /** An IPv4 or IPv6 fragment: this stack sets DF and does not reassemble, so it is dropped. */
    IP_IN_FRAGMENTS("Mptcp4jIpInFragments"),

    // ---- ICMP: path MTU discovery (RFC 1191, RFC 8201) with the checks of RFC 5927
    /** ICMP messages received, errors included (Linux IcmpInMsgs). */
    ICMP_IN_MSGS("IcmpInMsgs"),
    /** ICMP messages malformed, or quoting a packet of no connection of ours (Linux IcmpInErrors). */
    ICMP_IN_ERRORS("IcmpInErrors"),
    /** ICMP messages whose checksum failed (Linux IcmpInCsumErrors). */
    ICMP_IN_CSUM_ERRORS("IcmpInCsumErrors"),
    /** ICMP "destination unreachable" received, "fragmentation needed" among them (Linux IcmpInDestUnreachs). */
    ICMP_IN_DEST_UNREACHS("IcmpInDestUnreachs"),
    /** ICMPv6 messages received, errors included (Linux Icmp6InMsgs). */
    ICMP6_IN_MSGS("Icmp6InMsgs"),
    /** ICMPv6 messages malformed, or quoting a packet of no connection of ours (Linux Icmp6InErrors). */
    ICMP6_IN_ERRORS("Icmp6InErrors"),
    /** ICMPv6 messages whose checksum failed (Linux Icmp6InCsumErrors). */
    ICMP6_IN_CSUM_ERRORS("Icmp6InCsumErrors"),
    /** ICMPv6 "packet too big" received (Linux Icmp6InPktTooBigs). */
    ICMP6_IN_PKT_TOO_BIGS("Icmp6InPktTooBigs"),
    /** ICMP errors quoting a sequence number outside [SND.UNA, SND.NXT) (RFC 5927 4.1; Linux OutOfWindowIcmps). */
    TCP_OUT_OF_WINDOW_ICMPS("TcpExtOutOfWindowIcmps"),
    /**
     * "Packet too big" refused for its MTU: below 68 (IPv4, RFC 791) or 1280 (IPv6, RFC 8201
     * section 4), or not below the size of the packet it quotes (RFC 5927 section 7).
     */
    ICMP_PMTU_REFUSED("Mptcp4jIcmpPmtuRefused"),
    /** "Packet too big" accepted: the connection was told the path's MTU (RFC 1191, RFC 8201). */
    TCP_PMTU_UPDATES("Mptcp4jTcpPmtuUpdates"),

    // ---- TCP: the engine (org.mptcp4j.tcp) and the stack's demultiplexer (org.mptcp4j.stack)
    /** Segments received, including those received in error (RFC 1213 tcpInSegs). */
    TCP_IN_SEGS("TcpInSegs"),
    /** Segments sent, excluding those containing only retransmitted octets (RFC 1213 tcpOutSegs). */
    TCP_OUT_SEGS("TcpOutSegs"),
    /** Segments retransmitted (RFC 1213 tcpRetransSegs). */
    TCP_RETRANS_SEGS("TcpRetransSegs"),
    /** Segments sent containing the RST flag (RFC 1213 tcpOutRsts). */
    TCP_OUT_RSTS("TcpOutRsts"),
    /** Transitions CLOSED to SYN-SENT (RFC 1213 tcpActiveOpens). */
    TCP_ACTIVE_OPENS("TcpActiveOpens"),
    /** Transitions LISTEN to SYN-RCVD (RFC 1213 tcpPassiveOpens). */
    TCP_PASSIVE_OPENS("TcpPassiveOpens"),
    /** Failed connection attempts: SYN-SENT or SYN-RCVD back to CLOSED (RFC 1213 tcpAttemptFails). */
    TCP_ATTEMPT_FAILS("TcpAttemptFails"),
    /** Resets from ESTABLISHED or CLOSE-WAIT (RFC 1213 tcpEstabResets). */
    TCP_ESTAB_RESETS("TcpEstabResets"),
    /** Segments arriving for no connection and no listener, answered with a RST (RFC 9293 3.10.7.1). */
    TCP_IN_NO_SOCKET("Mptcp4jTcpInNoSocket"),
    /** Segments with a flag combination no state accepts (SYN with RST or FIN): dropped. */
    TCP_IN_BAD_FLAGS("Mptcp4jTcpInBadFlags"),
    /** Retransmission timer expirations other than the first SYN (Linux TCPTimeouts). */
    TCP_TIMEOUTS("TcpExtTCPTimeouts"),
    /** SYN and SYN-ACK retransmissions (Linux TCPSynRetrans). */
    TCP_SYN_RETRANS("TcpExtTCPSynRetrans"),
    /** Fast retransmissions (Linux TCPFastRetrans). */
    TCP_FAST_RETRANS("TcpExtTCPFastRetrans"),
    /** Retransmissions after an RTO (Linux TCPSlowStartRetrans). */
    TCP_SLOW_START_RETRANS("TcpExtTCPSlowStartRetrans"),
    /** Recoveries entered on SACK information (Linux TCPSackRecovery). */
    TCP_SACK_RECOVERY("TcpExtTCPSackRecovery"),
    /** Recoveries entered on duplicate ACKs without SACK: NewReno (Linux TCPRenoRecovery). */
    TCP_RENO_RECOVERY("TcpExtTCPRenoRecovery"),
    /** Challenge ACKs sent (RFC 5961; Linux TCPChallengeACK). */
    TCP_CHALLENGE_ACK("TcpExtTCPChallengeACK"),
    /** SYNs received in a synchronized state, answered with a challenge ACK (Linux TCPSYNChallenge). */
    TCP_SYN_CHALLENGE("TcpExtTCPSYNChallenge"),
    /** Segments rejected by PAWS in an established connection (RFC 7323 5; Linux LINUX_MIB_PAWSESTABREJECTED, shown by nstat as TcpExtPAWSEstab). */
    PAWS_ESTAB_REJECTED("TcpExtPAWSEstab"),
    /**
     * Pure ACKs that failed PAWS because the network reordered them (Linux PAWSOldAck): their TCP
     * fields are ignored, their MPTCP options still taken (TcpInput.disorderedAck).
     */
    PAWS_OLD_ACK("TcpExtPAWSOldAck"),
    /** Segments outside the receive window: ACKed and dropped (Linux TCPACKSkippedSeq family). */
    TCP_OUT_OF_WINDOW("Mptcp4jTcpOutOfWindow"),
    /** ACKs for data not yet sent: ACKed and dropped (RFC 9293 3.10.7.4). */
    TCP_ACK_TOO_NEW("Mptcp4jTcpAckTooNew"),
    /** ACKs older than SND.UNA - MAX.SND.WND (RFC 5961 5.2): dropped. */
    TCP_ACK_TOO_OLD("Mptcp4jTcpAckTooOld"),
    /** Segments queued out of order (Linux TCPOFOQueue). */
    TCP_OFO_QUEUE("TcpExtTCPOFOQueue"),
    /**
     * Out-of-order segments dropped for lack of receive memory (Linux TCPOFODrop). Stays 0 here: the
     * out-of-order queue lies within the advertised window, which the receive buffer always has room for.
     */
    TCP_OFO_DROP("TcpExtTCPOFODrop"),
    /** Delayed ACKs sent by the timer (Linux DelayedACKs). */
    TCP_DELAYED_ACKS("TcpExtDelayedACKs"),
    /** SYNs dropped because the accept queue was full (Linux ListenOverflows). */
    TCP_LISTEN_OVERFLOWS("TcpExtListenOverflows"),
    /** SYNs dropped by a listener for any reason (Linux ListenDrops). */
    TCP_LISTEN_DROPS("TcpExtListenDrops"),
    /** Connections reset because data arrived after the application closed (Linux TCPAbortOnData). */
    TCP_ABORT_ON_DATA("TcpExtTCPAbortOnData"),
    /** Connections reset because the application closed with unread data (Linux TCPAbortOnClose). */
    TCP_ABORT_ON_CLOSE("TcpExtTCPAbortOnClose"),
    /** Connections dropped after too many retransmissions or keepalives (Linux TCPAbortOnTimeout). */
    TCP_ABORT_ON_TIMEOUT("TcpExtTCPAbortOnTimeout"),
    /** TIME_WAIT connections that finished their 2MSL (Linux TW). */
    TCP_TW("TcpExtTW"),
    /** TIME_WAIT connections reused by a new SYN (RFC 6191; Linux TWRecycled). */
    TCP_TW_RECYCLED("TcpExtTWRecycled"),
    /** Zero-window probes sent (Linux TCPWinProbe). */
    TCP_WIN_PROBE("TcpExtTCPWinProbe"),
    /** Keepalive probes sent (Linux TCPKeepAlive). */
    TCP_KEEPALIVE("TcpExtTCPKeepAlive"),
    /** Data dropped because the receive window was zero (Linux TCPZeroWindowDrop). */
    TCP_ZERO_WINDOW_DROP("TcpExtTCPZeroWindowDrop"),
    /** SACK blocks ignored as invalid (Linux TCPSACKDiscard). */
    TCP_SACK_DISCARD("TcpExtTCPSACKDiscard"),
    /** Segments dropped by the SubflowExtension (for example an MPTCP protocol error). */
    TCP_EXTENSION_REJECT("Mptcp4jTcpExtensionReject"),
    /** A gauge: connections now in ESTABLISHED or CLOSE-WAIT (RFC 1213 tcpCurrEstab). */
    TCP_CURR_ESTAB("TcpCurrEstab"),
    /** Retransmissions found lost because data sent after them was SACKed (Linux TCPLostRetransmit). */
    TCP_LOST_RETRANSMIT("TcpExtTCPLostRetransmit"),
    /** Tail loss probes sent (RFC 8985 section 7; Linux TCPLossProbes). */
    TCP_LOSS_PROBES("TcpExtTCPLossProbes"),
    /** Tail losses repaired by a probe (Linux TCPLossProbeRecovery). */
    TCP_LOSS_PROBE_RECOVERY("TcpExtTCPLossProbeRecovery"),
    /** D-SACK blocks received (RFC 2883; Linux TCPDSACKRecv). */
    TCP_DSACK_RECV("TcpExtTCPDSACKRecv"),
    /** Window reductions undone because D-SACKs showed every retransmission needless (RFC 3708; Linux TCPDSACKUndo). */
    TCP_DSACK_UNDO("TcpExtTCPDSACKUndo"),
    /** Fast retransmits undone by timestamps (RFC 3522 Eifel; Linux TCPFullUndo). */
    TCP_FULL_UNDO("TcpExtTCPFullUndo"),
    /** Retransmission timeouts undone (Linux TCPLossUndo). */
    TCP_LOSS_UNDO("TcpExtTCPLossUndo"),
    /** Retransmission timeouts found spurious (RFC 3522 / RFC 5682; Linux TCPSpuriousRTOs). */
    TCP_SPURIOUS_RTOS("TcpExtTCPSpuriousRTOs"),
    /** The receiver reneged: SACKed data was not kept (RFC 2018 section 8; Linux TCPSACKReneging). */
    TCP_SACK_RENEGING("TcpExtTCPSACKReneging"),
    /** D-SACKs sent for data below RCV.NXT (RFC 2883; Linux TCPDSACKOldSent). */
    TCP_DSACK_OLD_SENT("TcpExtTCPDSACKOldSent"),
    /** Segments resent smaller after the path MTU fell (RFC 1191 section 6.5). */
    TCP_PMTU_RETRANSMITS("Mptcp4jTcpPmtuRetransmits"),

    // ---- MPTCP (RFC 8684), named as Linux's net/mptcp/mib.c names them under nstat's MPTcpExt prefix
    /** SYNs with MP_CAPABLE received by a listener. */
    MPTCP_CAPABLE_SYN_RX("MPTcpExtMPCapableSYNRX"),
    /** SYNs with MP_CAPABLE sent. */
    MPTCP_CAPABLE_SYN_TX("MPTcpExtMPCapableSYNTX"),
    /** SYN-ACKs with MP_CAPABLE received. */
    MPTCP_CAPABLE_SYNACK_RX("MPTcpExtMPCapableSYNACKRX"),
    /** Third ACKs (or first data) with MP_CAPABLE received by the server. */
    MPTCP_CAPABLE_ACK_RX("MPTcpExtMPCapableACKRX"),
    /** Server-side fallback: the third ACK carried no MP_CAPABLE (RFC 8684 section 3.7). */
    MPTCP_CAPABLE_FALLBACK_ACK("MPTcpExtMPCapableFallbackACK"),
    /** Client-side fallback: the SYN-ACK carried no MP_CAPABLE. */
    MPTCP_CAPABLE_FALLBACK_SYNACK("MPTcpExtMPCapableFallbackSYNACK"),
    /** Fallback: the first data of a connection arrived without DSS or MP_CAPABLE. */
    MPTCP_CAPABLE_DATA_FALLBACK("MPTcpExtMPCapableDataFallback"),
    /**
     * Fallback: data later arrived without a mapping (a middlebox stripped the options, or the peer
     * fell back), while MPTCP was not verified yet; once it is, unmapped data is dropped or its
     * subflow reset instead ({@link #MPTCP_DATA_UNMAPPED}).
     */
    MPTCP_DSS_FALLBACK("MPTcpExtDssFallback"),
    /**
     * Data retransmitted at the connection level: reinjected onto another subflow, or, with no
     * other, sent again on the same one under a fresh mapping (Linux {@code __mptcp_retrans}).
     */
    MPTCP_RETRANS("MPTcpExtMPTCPRetrans"),
    /** Subflows marked stale: their retransmission timer fired stale_loss_cnt times in a row. */
    MPTCP_SUBFLOW_STALE("MPTcpExtSubflowStale"),
    /** Stale subflows that received a segment again and carry data again. */
    MPTCP_SUBFLOW_RECOVER("MPTcpExtSubflowRecover"),
    /** MP_JOIN SYNs whose token named no connection. */
    MPTCP_JOIN_NO_TOKEN_FOUND("MPTcpExtMPJoinNoTokenFound"),
    /** MP_JOIN SYNs received. */
    MPTCP_JOIN_SYN_RX("MPTcpExtMPJoinSynRx"),
    /** MP_JOIN SYN-ACKs received. */
    MPTCP_JOIN_SYNACK_RX("MPTcpExtMPJoinSynAckRx"),
    /** MP_JOIN SYN-ACKs whose truncated HMAC was wrong. */
    MPTCP_JOIN_SYNACK_HMAC_FAILURE("MPTcpExtMPJoinSynAckHMacFailure"),
    /** MP_JOIN third ACKs received. */
    MPTCP_JOIN_ACK_RX("MPTcpExtMPJoinAckRx"),
    /** MP_JOIN third ACKs whose HMAC was wrong. */
    MPTCP_JOIN_ACK_HMAC_FAILURE("MPTcpExtMPJoinAckHMacFailure"),
    /** MP_JOIN SYNs sent. */
    MPTCP_JOIN_SYN_TX("MPTcpExtMPJoinSynTx"),
    /**
     * MP_JOIN SYNs refused: the connection is not fully established or its subflow limit is reached.
     * mptcp4j counts here too a join to the initial address and port its MP_CAPABLE refused with
     * flag C ({@code MptcpConfig.allowJoinInitialAddrPort}); Linux only sets the flag.
     */
    MPTCP_JOIN_REJECTED("MPTcpExtMPJoinRejected"),
    /** Received a SYN MP_JOIN with a different port-number (than the connection's: an announced port). */
    MPTCP_JOIN_PORT_SYN_RX("MPTcpExtMPJoinPortSynRx"),
    /** Received a SYNACK MP_JOIN with a different port-number (a join to a port the peer announced). */
    MPTCP_JOIN_PORT_SYNACK_RX("MPTcpExtMPJoinPortSynAckRx"),
    /** Received an ACK MP_JOIN with a different port-number (than the connection's: an announced port). */
    MPTCP_JOIN_PORT_ACK_RX("MPTcpExtMPJoinPortAckRx"),
    /** Received a SYN MP_JOIN with a mismatched port-number (neither the connection's nor one it announced): refused. */
    MPTCP_MISMATCH_PORT_SYN_RX("MPTcpExtMismatchPortSynRx"),
    /** Received an ACK MP_JOIN with a mismatched port-number (its announcement withdrawn since the SYN): reset. */
    MPTCP_MISMATCH_PORT_ACK_RX("MPTcpExtMismatchPortAckRx"),
    /**
     * Prohibited MPC to port-based endp: a SYN other than an MP_JOIN (MP_CAPABLE or plain TCP) to
     * the address and port of a {@code signal} endpoint with a port, where only joins are taken;
     * answered with a RST (MP_TCPRST "administratively prohibited"), as Linux's listener for the
     * endpoint answers it.
     */
    MPTCP_CAPABLE_ENDP_ATTEMPT("MPTcpExtMPCapableEndpAttempt"),
    /**
     * A mapping that contradicts one received before for the same subflow bytes (Linux's name).
     * mptcp4j counts here too data whose bytes differ from those held for the same DSNs, and an
     * infinite mapping that does not match what was delivered: each shows a rewritten mapping.
     */
    MPTCP_DSS_NOT_MATCHING("MPTcpExtDSSNotMatching"),
    /** Infinite mappings received (RFC 8684 section 3.7). */
    MPTCP_INFINITE_MAP_RX("MPTcpExtInfiniteMapRx"),
    /** Data-level segments queued out of order. */
    MPTCP_OFO_QUEUE("MPTcpExtOFOQueue"),
    /** Data outside the connection-level receive window, dropped. */
    MPTCP_NO_DSS_IN_WINDOW("MPTcpExtNoDSSInWindow"),
    /** Data received that the connection level already had (a reinjection's twin), discarded. */
    MPTCP_DUPLICATE_DATA("MPTcpExtDuplicateData"),
    /** ADD_ADDR received (echo flag clear). */
    MPTCP_ADD_ADDR("MPTcpExtAddAddr"),
    /** Received ADD_ADDR with a port-number. */
    MPTCP_PORT_ADD("MPTcpExtPortAdd"),
    /** ADD_ADDR echoes received. */
    MPTCP_ECHO_ADD("MPTcpExtEchoAdd"),
    /** ADD_ADDR whose HMAC was wrong, dropped. */
    MPTCP_ADD_ADDR_DROP("MPTcpExtAddAddrDrop"),
    /** ADD_ADDR sent. */
    MPTCP_ADD_ADDR_TX("MPTcpExtAddAddrTx"),
    /** ADD_ADDR echoes sent. */
    MPTCP_ECHO_ADD_TX("MPTcpExtEchoAddTx"),
    /** REMOVE_ADDR received. */
    MPTCP_RM_ADDR("MPTcpExtRmAddr"),
    /** Subflows closed because their address was removed. */
    MPTCP_RM_SUBFLOW("MPTcpExtRmSubflow"),
    /** A subflow's send window raised to the connection-level window learnt on another subflow. */
    MPTCP_SND_WND_SHARED("MPTcpExtSndWndShared"),
    /** REMOVE_ADDR sent. */
    MPTCP_RM_ADDR_TX("MPTcpExtRmAddrTx"),
    /** MP_PRIO sent: a subflow's backup flag changed on our side. */
    MPTCP_MP_PRIO_TX("MPTcpExtMPPrioTx"),
    /** MP_PRIO received. */
    MPTCP_MP_PRIO_RX("MPTcpExtMPPrioRx"),
    /** DSS checksums that failed (RFC 8684 section 3.3.1). */
    MPTCP_DATA_CSUM_ERR("MPTcpExtDataCsumErr"),
    /** MP_FAIL sent (RFC 8684 section 3.7): on a RST, or on the only subflow's ACKs before a fallback. */
    MPTCP_MP_FAIL_TX("MPTcpExtMPFailTx"),
    /** MP_FAIL received. */
    MPTCP_MP_FAIL_RX("MPTcpExtMPFailRx"),
    /** Infinite mappings sent: the answer to an MP_FAIL on the only subflow (RFC 8684 section 3.7). */
    MPTCP_INFINITE_MAP_TX("MPTcpExtInfiniteMapTx"),
    /** MP_FASTCLOSE sent. */
    MPTCP_FASTCLOSE_TX("MPTcpExtMPFastcloseTx"),
    /** MP_FASTCLOSE received. */
    MPTCP_FASTCLOSE_RX("MPTcpExtMPFastcloseRx"),
    /** RSTs with MP_TCPRST sent. */
    MPTCP_RST_TX("MPTcpExtMPRstTx"),
    /** RSTs with MP_TCPRST received. */
    MPTCP_RST_RX("MPTcpExtMPRstRx"),
    /** A gauge: MPTCP connections established now (MPTCP, not fallen back). */
    MPTCP_CURR_ESTAB("MPTcpExtMPCurrEstab"),
    /** Both ends opened at once: the connection falls back to TCP (as Linux). */
    MPTCP_SIMULT_CONNECT_FALLBACK("MPTcpExtSimultConnectFallback"),
    /**
     * The receive-buffer tuner's target (the paper's {@code 2 * sum(BW_i) * RTT_max}) began to
     * exceed the maximum buffer, and the slowest subflow was flagged. Not in Linux (mptcp4j).
     */
    MPTCP_RCVBUF_CAPPED("MPTcpExtRcvBufCapped"),
    /**
     * A subflow blocked by the peer's connection-level window sent again the data at its left
     * edge that a slower subflow holds (the multipath-tcp.org kernel's opportunistic
     * retransmission). Not in upstream Linux (mptcp4j).
     */
    MPTCP_OPPORTUNISTIC_RETRANS("MPTcpExtOpportunisticRetrans"),
    /**
     * A slower subflow holding the connection-level window's left edge had its congestion window
     * reduced (the multipath-tcp.org kernel's penalization). Not in upstream Linux (mptcp4j).
     */
    MPTCP_PENALIZED("MPTcpExtPenalized"),
    /**
     * A mapping on a data segment that does not cover the segment's first byte (RFC 8684 section
     * 3.3.1; Linux {@code validate_mapping} counts DSSNoMatchTCP): the mapping is ignored.
     */
    MPTCP_DSS_NO_MATCH_TCP("MPTcpExtDSSNoMatchTCP"),
    /**
     * A DATA_ACK beyond what was sent (RFC 8684 section 3.3.2): ignored, as Linux's
     * {@code ack_update_msk} ignores it, without a counter. Not in Linux (mptcp4j).
     */
    MPTCP_DATA_ACK_TOO_NEW("Mptcp4jDataAckTooNew"),
    /**
     * An MPTCP option of a subtype RFC 8684 does not define (its IANA section 7 lists them): ignored, as
     * a TCP option not implemented is (RFC 9293 section 3.2, MUST-5); Linux's
     * {@code mptcp_parse_option} skips it without a counter. Not in Linux (mptcp4j).
     */
    MPTCP_UNKNOWN_SUBTYPE("Mptcp4jMptcpUnknownSubtype"),
    /**
     * Payload no valid mapping covers, past the connection's first data (its mapping was stripped,
     * contradicted or refused): with another subflow, the subflow is reset with MP_TCPRST
     * "middlebox interference" (as Linux); on the only subflow, where a reset would end the
     * connection, the bytes are dropped and the peer's connection-level retransmission sends them
     * again under a fresh mapping, until more than the receive buffer was dropped without progress
     * (then the subflow is reset: RFC 8684 section 3.7, "the subflow SHOULD be treated as broken").
     * Not in Linux (mptcp4j), which resets the subflow at once.
     */
    MPTCP_DATA_UNMAPPED("Mptcp4jDataUnmapped"),
    /**
     * MP_CAPABLE of a version other than 1, the only one spoken here: ignored, as Linux's
     * {@code mptcp_parse_option} ignores it (RFC 8684 section 3.1: a SYN offering another version
     * gets plain TCP; a SYN-ACK or third ACK without a usable MP_CAPABLE falls back). Not in Linux
     * (mptcp4j).
     */
    MPTCP_CAPABLE_BAD_VERSION("Mptcp4jMpCapableBadVersion"),
    /**
     * A second MPTCP option of a subtype the segment already carried: ignored, the first one
     * is acted on. Not in Linux (mptcp4j).
     */
    MPTCP_DUPLICATE_OPTION("Mptcp4jMptcpOptionDuplicate"),
    /**
     * A connection's SYN went out without MP_CAPABLE after {@code syn_retrans_before_tcp_fallback}
     * retransmissions with it went unanswered (Linux 6.12: a middlebox may drop such SYNs).
     */
    MPTCP_CAPABLE_SYN_TX_DROP("MPTcpExtMPCapableSYNTXDrop"),
    /** A connection went out as plain TCP at once because active MPTCP is off after a blackhole. */
    MPTCP_CAPABLE_SYN_TX_DISABLED("MPTcpExtMPCapableSYNTXDisabled"),
    /**
     * A blackhole detected: a SYN without MP_CAPABLE was answered where those with it were not, so
     * active MPTCP is off for {@code blackhole_timeout}, doubled for each repeat (Linux Blackhole).
     */
    MPTCP_BLACKHOLE("MPTcpExtBlackhole"),
    /** A failed subflow opened again ({@code SubflowRecreation}; Linux has no such path manager option). */
    MPTCP_SUBFLOW_RECREATE("Mptcp4jSubflowRecreate"),
    ;

    private final String nstatName;

    MibCounter(String nstatName) {
        this.nstatName = nstatName;
    }

    /** The name as {@code nstat} prints it. */
    public String nstatName() {
        return nstatName;
    }
}
