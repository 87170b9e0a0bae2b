/** The echo example as a named module: mptcp4j's sockets are in module org.mptcp4j.net. */
module org.mptcp4j.examples.echo {
    requires org.mptcp4j.net;
}
