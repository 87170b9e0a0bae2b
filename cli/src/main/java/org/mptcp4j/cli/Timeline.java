package org.mptcp4j.cli;

import java.awt.BasicStroke;
import java.awt.Color;
import java.awt.Font;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import org.jfree.chart.ChartUtils;
import org.jfree.chart.JFreeChart;
import org.jfree.chart.axis.NumberAxis;
import org.jfree.chart.plot.CombinedDomainXYPlot;
import org.jfree.chart.plot.ValueMarker;
import org.jfree.chart.plot.XYPlot;
import org.jfree.chart.renderer.xy.XYLineAndShapeRenderer;
import org.jfree.chart.ui.RectangleAnchor;
import org.jfree.chart.ui.RectangleInsets;
import org.jfree.chart.ui.TextAnchor;
import org.jfree.data.xy.XYSeries;
import org.jfree.data.xy.XYSeriesCollection;
import org.mptcp4j.base.Nanos;
import org.mptcp4j.mptcp.PmEvent;
import org.mptcp4j.sim.Simulation;

/**
 * A run drawn as a PNG, so that a user looks instead of reading CSV: per subflow, the goodput it
 * delivered to the receiver's data level and the sender's congestion window over time, one colour
 * each, with the path-manager events ({@code ip mptcp monitor}'s) marked as vertical lines on both.
 * It reads what a {@link SubflowMonitor} samples, every {@link #STEP_NANOS} of network time.
 */
final class Timeline {
    static final long STEP_NANOS = Nanos.ofMillis(100);
    private static final Color[] LINES = {new Color(0xCC3311), new Color(0x0077BB), new Color(0x009988),
            new Color(0xEE7733), new Color(0x882255), Color.BLACK};

    private final Simulation sim;
    private final SubflowMonitor monitor;
    private final Function<InetSocketAddress, String> label;
    private final Map<InetSocketAddress, XYSeries> goodput = new LinkedHashMap<>();
    private final Map<InetSocketAddress, XYSeries> cwnd = new LinkedHashMap<>();
    private final Map<InetSocketAddress, Long> deliveredBefore = new HashMap<>();
    private final List<PmEvent> marks = new ArrayList<>();
    private final List<String> markHosts = new ArrayList<>();
    private boolean stopped;

    /** @param label names a subflow by its sender-side address (the path it leaves on) */
    Timeline(Simulation sim, SubflowMonitor monitor, Function<InetSocketAddress, String> label) {
        this.sim = sim;
        this.monitor = monitor;
        this.label = label;
    }

    void start() {
        sim.schedule(sim.nowNanos() + STEP_NANOS, this::onStep, null);
    }

    void stop() {
        stopped = true;
    }

    /** An event of {@code host} to mark at its time. */
    void mark(String host, PmEvent event) {
        marks.add(event);
        markHosts.add(host);
    }

    private void onStep(long nowNanos, Object unused) {
        if (stopped) {
            return;
        }
        double t = Nanos.toSeconds(nowNanos);
        for (SubflowMonitor.Row row : monitor.rows()) {
            if (row.sender() == null) {
                continue;
            }
            String name = label.apply(row.local) + " " + row.local.getAddress().getHostAddress() + ":" + row.local.getPort();
            long before = deliveredBefore.getOrDefault(row.local, row.delivered());
            // A subflow that left the connection keeps its last sample; its goodput is 0 from then on.
            goodput.computeIfAbsent(row.local, k -> new XYSeries(name)).add(t,
                    (row.delivered() - before) * 8 / Nanos.toSeconds(STEP_NANOS) / 1e6);
            cwnd.computeIfAbsent(row.local, k -> new XYSeries(name)).add(t, row.sender().cwndBytes() / 1024.0);
            deliveredBefore.put(row.local, row.delivered());
        }
        sim.schedule(nowNanos + STEP_NANOS, this::onStep, null);
    }

    /** Writes the PNG: goodput above, cwnd below, on one time axis; events marked on both. */
    void write(Path png, String title) throws IOException {
        XYPlot top = plot(goodput, "goodput, Mbit/s");
        XYPlot bottom = plot(cwnd, "cwnd, KiB");
        bottom.getRenderer().setDefaultSeriesVisibleInLegend(false); // the same subflows, the same colours
        for (int i = 0; i < marks.size(); i++) {
            PmEvent e = marks.get(i);
            double t = Nanos.toSeconds(e.timeNanos());
            top.addDomainMarker(marker(t, markHosts.get(i) + " " + e.type().monitorName() + idOf(e), i));
            bottom.addDomainMarker(marker(t, null, i));
        }
        CombinedDomainXYPlot plot = new CombinedDomainXYPlot(new NumberAxis("network time, s"));
        plot.setGap(8);
        plot.add(top, 1);
        plot.add(bottom, 1);
        JFreeChart chart = new JFreeChart(title, new Font(Font.SANS_SERIF, Font.BOLD, 14), plot, true);
        chart.setBackgroundPaint(Color.WHITE);
        ChartUtils.saveChartAsPNG(png.toFile(), chart, 960, 640);
    }

    private static String idOf(PmEvent e) {
        return e.type().name().startsWith("SUB_") ? " locid " + e.localId() + " remid " + e.remoteId() : "";
    }

    private XYPlot plot(Map<InetSocketAddress, XYSeries> series, String yLabel) {
        XYSeriesCollection data = new XYSeriesCollection();
        series.values().forEach(data::addSeries);
        XYLineAndShapeRenderer r = new XYLineAndShapeRenderer(true, false);
        for (int i = 0; i < data.getSeriesCount(); i++) {
            r.setSeriesStroke(i, new BasicStroke(1.5f));
            r.setSeriesPaint(i, LINES[i % LINES.length]);
        }
        XYPlot p = new XYPlot(data, null, new NumberAxis(yLabel), r);
        p.setBackgroundPaint(Color.WHITE);
        p.setRangeGridlinePaint(Color.LIGHT_GRAY);
        p.setDomainGridlinePaint(Color.LIGHT_GRAY);
        return p;
    }

    /** A dashed line at {@code t}; labels step down the plot so that events close in time stay readable. */
    private static ValueMarker marker(double t, String text, int index) {
        ValueMarker m = new ValueMarker(t, Color.GRAY, new BasicStroke(1f, BasicStroke.CAP_BUTT, BasicStroke.JOIN_MITER,
                10f, new float[] {4f, 3f}, 0f));
        if (text != null) {
            m.setLabel(text);
            m.setLabelFont(new Font(Font.SANS_SERIF, Font.PLAIN, 9));
            m.setLabelAnchor(RectangleAnchor.TOP_RIGHT);
            m.setLabelTextAnchor(TextAnchor.TOP_LEFT);
            m.setLabelOffset(new RectangleInsets(2 + 11 * (index % 16), 2, 2, 2));
        }
        return m;
    }
}
