package org.mptcp4j.cli.sim;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.Predicate;
import java.util.stream.Stream;

/**
 * The CSV side of a sweep. Each run writes one part file ({@code <experiment>-runs/run-NNNN.csv}:
 * a header and one row); the merged CSV is the parts in run order. A local run and a cluster
 * run collected with {@code --collect} both go through the parts, so they give the same bytes.
 */
final class ResultTable {
    private ResultTable() {}

    /** One run's row as read back from its part: parameters and metrics as text, metrics parsed. */
    record Row(int index, long seed, Map<String, String> params, Map<String, Double> metrics) {
        double metric(String name) {
            Double v = metrics.get(name);
            if (v == null) {
                throw new IllegalArgumentException("no metric " + name + " in " + metrics.keySet());
            }
            return v;
        }

        String param(String name) {
            return params.get(name);
        }
    }

    static Path partsDir(Path out, String experiment) {
        return out.resolve(experiment + "-runs");
    }

    /** Removes the parts a previous sweep left under {@code out}, so they cannot mix with this one's. */
    static void clearParts(Path out, String experiment) throws IOException {
        Path parts = partsDir(out, experiment);
        if (Files.isDirectory(parts)) {
            try (Stream<Path> files = Files.list(parts)) {
                for (Path f : files.filter(p -> p.getFileName().toString().matches("run-\\d+\\.csv")).toList()) {
                    Files.delete(f);
                }
            }
        }
    }

    static Path partFile(Path out, String experiment, int index) {
        return partsDir(out, experiment).resolve(String.format(Locale.ROOT, "run-%04d.csv", index));
    }

    /** The part file of one run: header, then its row; metrics with six decimals. */
    static String part(Experiment.Run run, Map<String, Double> metrics) {
        List<String> header = new ArrayList<>(List.of("run", "seed"));
        List<String> values = new ArrayList<>(List.of(Integer.toString(run.index()), Long.toString(run.seed())));
        run.params().forEach((k, v) -> {
            header.add(k);
            values.add(v);
        });
        metrics.forEach((k, v) -> {
            header.add(k);
            values.add(String.format(Locale.ROOT, "%.6f", v));
        });
        return String.join(",", header) + "\n" + String.join(",", values) + "\n";
    }

    /**
     * Reads every part of {@code experiment} under {@code dir}; fails if one of {@code expected} runs
     * is missing or there are more parts than runs.
     */
    static List<Row> readParts(Path dir, String experiment, int expected, int paramCount) throws IOException {
        Path parts = partsDir(dir, experiment);
        List<Row> rows = new ArrayList<>();
        try (Stream<Path> files = Files.list(parts)) {
            for (Path f : files.filter(p -> p.getFileName().toString().matches("run-\\d+\\.csv")).sorted().toList()) {
                List<String> lines = Files.readAllLines(f);
                rows.add(parse(lines.get(0).split(","), lines.get(1).split(","), paramCount));
            }
        }
        rows.sort((a, b) -> Integer.compare(a.index(), b.index()));
        if (rows.size() > expected) {
            throw new IOException(experiment + ": " + rows.size() + " parts in " + parts + " for a sweep of " + expected
                    + " runs (parts of another sweep? the settings must be the jobs')");
        }
        for (int i = 0; i < expected; i++) {
            if (i >= rows.size() || rows.get(i).index() != i) {
                throw new IOException(experiment + ": run " + i + " has no part in " + parts
                        + " (run it with --run " + i + ")");
            }
        }
        return rows;
    }

    private static Row parse(String[] header, String[] values, int paramCount) {
        Map<String, String> params = new LinkedHashMap<>();
        for (int i = 2; i < 2 + paramCount; i++) {
            params.put(header[i], values[i]);
        }
        Map<String, Double> metrics = new LinkedHashMap<>();
        for (int i = 2 + paramCount; i < header.length; i++) {
            metrics.put(header[i], Double.parseDouble(values[i]));
        }
        return new Row(Integer.parseInt(values[0]), Long.parseLong(values[1]), params, metrics);
    }

    /** The merged CSV: the header of the first part and every row in run order. */
    static String mergedCsv(Path dir, String experiment, List<Row> rows) throws IOException {
        StringBuilder b = new StringBuilder();
        for (Row r : rows) {
            List<String> lines = Files.readAllLines(partFile(dir, experiment, r.index()));
            if (b.isEmpty()) {
                b.append(lines.get(0)).append('\n');
            }
            b.append(lines.get(1)).append('\n');
        }
        return b.toString();
    }

    /** The mean of {@code metric} over the rows that match (over seeds, usually). */
    static double mean(List<Row> rows, Predicate<Row> match, String metric) {
        return rows.stream().filter(match).mapToDouble(r -> r.metric(metric)).average().orElse(Double.NaN);
    }

    /** The sample standard deviation of {@code metric} over the rows that match (0 for one row). */
    static double stdev(List<Row> rows, Predicate<Row> match, String metric) {
        double[] v = rows.stream().filter(match).mapToDouble(r -> r.metric(metric)).toArray();
        if (v.length < 2) {
            return 0;
        }
        double m = java.util.Arrays.stream(v).average().orElse(0);
        double s = 0;
        for (double x : v) {
            s += (x - m) * (x - m);
        }
        return Math.sqrt(s / (v.length - 1));
    }

    /** A row matcher on parameter values, given as name, value, name, value... */
    static Predicate<Row> where(String... nameValue) {
        return r -> {
            for (int i = 0; i < nameValue.length; i += 2) {
                if (!nameValue[i + 1].equals(r.param(nameValue[i]))) {
                    return false;
                }
            }
            return true;
        };
    }
}
