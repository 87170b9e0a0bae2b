/** The {@code ./mptcp4j} command line (demo, perf, testbed, sim); an application, it exports nothing. */
module org.mptcp4j.cli {
    requires org.mptcp4j.core;
    requires org.mptcp4j.sim;
    requires org.mptcp4j.net;
    requires info.picocli;
    requires org.jfree.jfreechart;
    requires java.desktop;
    requires com.fasterxml.jackson.databind;

    // picocli fills the commands' @Option and @Parameters fields by reflection.
    opens org.mptcp4j.cli to info.picocli;
    opens org.mptcp4j.cli.sim to info.picocli;
    opens org.mptcp4j.cli.iperf3 to info.picocli, com.fasterxml.jackson.databind;
}
