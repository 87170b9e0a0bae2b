/** JMH benchmarks (docs/BENCHMARKS.md); run from bench/target/benchmarks.jar, it exports nothing. */
module org.mptcp4j.bench {
    requires org.mptcp4j.core;
    requires org.mptcp4j.sim;
    requires org.mptcp4j.net;
    requires jmh.core;
    requires HdrHistogram;
    requires java.management;
    requires jdk.management;
    requires jdk.jfr;
}
