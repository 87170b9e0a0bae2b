package org.mptcp4j.cli.sim;

import java.awt.BasicStroke;
import java.awt.Color;
import java.io.IOException;
import java.nio.file.Path;
import org.jfree.chart.ChartFactory;
import org.jfree.chart.ChartUtils;
import org.jfree.chart.JFreeChart;
import org.jfree.chart.plot.CategoryPlot;
import org.jfree.chart.plot.PlotOrientation;
import org.jfree.chart.plot.XYPlot;
import org.jfree.chart.renderer.category.BarRenderer;
import org.jfree.chart.renderer.category.StandardBarPainter;
import org.jfree.chart.renderer.xy.XYLineAndShapeRenderer;
import org.jfree.data.category.DefaultCategoryDataset;
import org.jfree.data.xy.XYSeriesCollection;

/** The paper's figures drawn with JFreeChart: grouped bars (Figs. 4, 5, 7) and lines with marks (Fig. 6). */
final class Charts {
    static final int WIDTH = 640;
    static final int HEIGHT = 420;
    /** White, gray, black fills, as the paper prints its bars, then colours. */
    private static final Color[] FILLS = {new Color(0xEEEEEE), new Color(0x888888), new Color(0x222222),
            new Color(0x4477AA), new Color(0xCC6677)};

    /** Line colours: distinct on white and in grey print. */
    private static final Color[] LINES = {new Color(0xCC3311), new Color(0x0077BB), new Color(0x009988),
            new Color(0xEE7733), Color.BLACK, new Color(0x882255)};

    private Charts() {}

    static void bars(Path png, String title, String xLabel, String yLabel, DefaultCategoryDataset data, boolean stacked)
            throws IOException {
        JFreeChart chart = stacked
                ? ChartFactory.createStackedBarChart(title, xLabel, yLabel, data, PlotOrientation.VERTICAL, true, false, false)
                : ChartFactory.createBarChart(title, xLabel, yLabel, data, PlotOrientation.VERTICAL, true, false, false);
        CategoryPlot plot = chart.getCategoryPlot();
        plot.setBackgroundPaint(Color.WHITE);
        plot.setRangeGridlinePaint(Color.LIGHT_GRAY);
        plot.getDomainAxis().setMaximumCategoryLabelLines(3);
        BarRenderer r = (BarRenderer) plot.getRenderer();
        r.setBarPainter(new StandardBarPainter());
        r.setShadowVisible(false);
        r.setDrawBarOutline(true);
        for (int i = 0; i < data.getRowCount(); i++) {
            r.setSeriesPaint(i, FILLS[i % FILLS.length]);
            r.setSeriesOutlinePaint(i, Color.BLACK);
        }
        chart.setBackgroundPaint(Color.WHITE);
        ChartUtils.saveChartAsPNG(png.toFile(), chart, WIDTH, HEIGHT);
    }

    static void lines(Path png, String title, String xLabel, String yLabel, XYSeriesCollection data, double yMin,
                      double yMax) throws IOException {
        JFreeChart chart = ChartFactory.createXYLineChart(title, xLabel, yLabel, data, PlotOrientation.VERTICAL,
                true, false, false);
        XYPlot plot = chart.getXYPlot();
        plot.setBackgroundPaint(Color.WHITE);
        plot.setRangeGridlinePaint(Color.LIGHT_GRAY);
        plot.setDomainGridlinePaint(Color.LIGHT_GRAY);
        plot.getRangeAxis().setRange(yMin, yMax);
        XYLineAndShapeRenderer r = new XYLineAndShapeRenderer(true, true);
        for (int i = 0; i < data.getSeriesCount(); i++) {
            r.setSeriesStroke(i, new BasicStroke(1.5f));
            r.setSeriesPaint(i, LINES[i % LINES.length]);
        }
        plot.setRenderer(r);
        chart.setBackgroundPaint(Color.WHITE);
        ChartUtils.saveChartAsPNG(png.toFile(), chart, WIDTH, HEIGHT);
    }
}
