package dev.raftbench.workloads;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.TreeMap;

/**
 * A YCSB CoreWorkload configuration, read from a workload property file plus overrides. Unknown
 * properties are kept (YCSB files carry settings for other layers) and listed in the bundle.
 *
 * <p>Run length is the harness' {@code --duration}; {@code operationcount} only sizes the
 * zipfian key space for inserts, as in YCSB.
 */
public final class WorkloadSpec {
  private final String name;
  private final Map<String, String> properties;

  public final long recordCount;
  public final long operationCount;
  public final int fieldCount;
  public final int fieldLength;
  public final int minFieldLength;
  public final String fieldLengthDistribution;
  public final String fieldNamePrefix;
  public final boolean readAllFields;
  public final boolean writeAllFields;
  public final double readProportion;
  public final double updateProportion;
  public final double insertProportion;
  public final double scanProportion;
  public final double readModifyWriteProportion;
  public final double deleteProportion;
  public final String requestDistribution;
  public final double zipfianConstant;
  public final double hotspotDataFraction;
  public final double hotspotOpnFraction;
  public final double exponentialPercentile;
  public final double exponentialFrac;
  public final int minScanLength;
  public final int maxScanLength;
  public final String scanLengthDistribution;
  public final boolean orderedInserts;
  public final int zeroPadding;
  public final long insertStart;
  public final long insertCount;
  /** YCSB's dataintegrity: values derived from key and field, checked on every read. */
  public final boolean dataIntegrity;
  /** fieldlengthdistribution=histogram: YCSB's histogram file, read once; else null. */
  public final FieldLengthHistogram fieldLengthHistogram;

  /**
   * The properties YCSB's CoreWorkload and Client read (and RaftBench's own additions); any
   * other is kept, listed in the bundle and warned about (workload files carry binding settings).
   */
  public static final java.util.Set<String> KNOWN = java.util.Set.of("recordcount", "operationcount", "workload", "db", "exporter",
      "exportfile", "threadcount", "target", "maxexecutiontime", "measurementtype", "fieldcount", "fieldlength", "minfieldlength",
      "fieldlengthdistribution", "fieldlengthhistogram", "fieldnameprefix", "readallfields", "writeallfields", "readproportion",
      "updateproportion", "insertproportion", "scanproportion", "readmodifywriteproportion", "deleteproportion", "requestdistribution",
      "zipfianconstant", "hotspotdatafraction", "hotspotopnfraction", "exponential.percentile", "exponential.frac", "minscanlength",
      "maxscanlength", "scanlengthdistribution", "insertorder", "zeropadding", "insertstart", "insertcount", "dataintegrity", "table",
      "dotransactions", "status.interval", "histogram.buckets", "hdrhistogram.percentiles", "core_workload_insertion_retry_limit",
      "core_workload_insertion_retry_interval");

  /** YCSB's HistogramGenerator input: a block size and a count per bucket; draws are (bucket + 1) x block size. */
  public record FieldLengthHistogram(int blockSize, long[] counts) {
    /** YCSB's format: "BlockSize\t<n>", then "<bucket>\t<count>" lines. */
    static FieldLengthHistogram read(java.nio.file.Path file) {
      List<String> lines;
      try {
        lines = java.nio.file.Files.readAllLines(file, java.nio.charset.StandardCharsets.UTF_8);
      } catch (java.io.IOException e) {
        throw new IllegalArgumentException("workload property fieldlengthhistogram: cannot read " + file + " (" + e.getMessage() + ")");
      }
      int blockSize = -1;
      java.util.TreeMap<Integer, Long> buckets = new java.util.TreeMap<>();
      for (int i = 0; i < lines.size(); i++) {
        String line = lines.get(i).trim();
        if (line.isEmpty()) {
          continue;
        }
        String[] parts = line.split("\\s+");
        try {
          if (i == 0 || parts[0].equals("BlockSize")) {
            if (!parts[0].equals("BlockSize") || parts.length != 2) {
              throw new NumberFormatException();
            }
            blockSize = Integer.parseInt(parts[1]);
          } else {
            if (parts.length != 2) {
              throw new NumberFormatException();
            }
            int bucket = Integer.parseInt(parts[0]);
            if (bucket < 0 || bucket > 1_000_000) {
              throw new NumberFormatException();
            }
            buckets.put(bucket, Long.parseLong(parts[1]));
          }
        } catch (NumberFormatException e) {
          throw new IllegalArgumentException("field length histogram " + file + " line " + (i + 1) + ": expected "
              + (i == 0 ? "'BlockSize<tab>N'" : "'<bucket 0..1000000><tab><count>'") + ", found '" + line + "'");
        }
      }
      if (blockSize <= 0 || buckets.isEmpty() || buckets.firstKey() < 0 || buckets.values().stream().anyMatch(c -> c < 0)
          || buckets.values().stream().mapToLong(Long::longValue).sum() == 0) {
        throw new IllegalArgumentException("field length histogram " + file + " needs a positive BlockSize and at least one positive count");
      }
      long[] counts = new long[buckets.lastKey() + 1];
      buckets.forEach((b, c) -> counts[b] = c);
      return new FieldLengthHistogram(blockSize, counts);
    }
  }

  public WorkloadSpec(String name, Properties props) {
    this.name = name;
    Map<String, String> m = new TreeMap<>();
    for (String k : props.stringPropertyNames()) {
      m.put(k, props.getProperty(k).trim());
    }
    this.properties = Collections.unmodifiableMap(m);

    recordCount = positiveLong("recordcount", 1000);
    operationCount = nonNegativeLong("operationcount", 1000);
    fieldCount = positiveInt("fieldcount", 10);
    fieldLength = positiveInt("fieldlength", 100);
    minFieldLength = positiveInt("minfieldlength", 1);
    fieldLengthDistribution = oneOf("fieldlengthdistribution", "constant", "constant", "uniform", "zipfian", "histogram");
    fieldLengthHistogram = fieldLengthDistribution.equals("histogram")
        ? FieldLengthHistogram.read(java.nio.file.Path.of(m.getOrDefault("fieldlengthhistogram", "hist.txt"))) : null;
    fieldNamePrefix = m.getOrDefault("fieldnameprefix", "field");
    readAllFields = bool("readallfields", true);
    writeAllFields = bool("writeallfields", false);
    readProportion = proportion("readproportion", 0.95);
    updateProportion = proportion("updateproportion", 0.05);
    insertProportion = proportion("insertproportion", 0);
    scanProportion = proportion("scanproportion", 0);
    readModifyWriteProportion = proportion("readmodifywriteproportion", 0);
    deleteProportion = proportion("deleteproportion", 0);
    double sum = readProportion + updateProportion + insertProportion + scanProportion + readModifyWriteProportion + deleteProportion;
    if (Math.abs(sum - 1.0) > 1e-6) {
      throw new IllegalArgumentException(String.format(java.util.Locale.ROOT, "workload %s: the operation proportions sum to %s, not 1"
          + " (read %s, update %s, insert %s, scan %s, readmodifywrite %s, delete %s)", name, sum, readProportion, updateProportion,
          insertProportion, scanProportion, readModifyWriteProportion, deleteProportion));
    }
    requestDistribution = oneOf("requestdistribution", "uniform", "uniform", "zipfian", "latest", "hotspot", "sequential", "exponential");
    zipfianConstant = dbl("zipfianconstant", 0.99);
    if (zipfianConstant <= 0 || zipfianConstant >= 1) {
      throw new IllegalArgumentException("workload property zipfianconstant must lie in (0, 1), was " + zipfianConstant);
    }
    hotspotDataFraction = proportion("hotspotdatafraction", 0.2);
    hotspotOpnFraction = proportion("hotspotopnfraction", 0.8);
    exponentialPercentile = dbl("exponential.percentile", 95);
    exponentialFrac = dbl("exponential.frac", 0.8571428571);
    if (exponentialPercentile <= 0 || exponentialPercentile >= 100) {
      throw new IllegalArgumentException("workload property exponential.percentile must lie in (0, 100), was " + exponentialPercentile);
    }
    if (exponentialFrac <= 0) {
      throw new IllegalArgumentException("workload property exponential.frac must be positive, was " + exponentialFrac);
    }
    minScanLength = positiveInt("minscanlength", 1);
    maxScanLength = positiveInt("maxscanlength", 1000);
    if (maxScanLength < minScanLength) {
      throw new IllegalArgumentException("workload property maxscanlength (" + maxScanLength + ") is below minscanlength (" + minScanLength + ")");
    }
    scanLengthDistribution = oneOf("scanlengthdistribution", "uniform", "uniform", "zipfian");
    orderedInserts = oneOf("insertorder", "hashed", "hashed", "ordered").equals("ordered");
    zeroPadding = positiveInt("zeropadding", 1);
    insertStart = nonNegativeLong("insertstart", 0);
    insertCount = nonNegativeLong("insertcount", recordCount - insertStart);
    if (insertStart + insertCount > recordCount) {
      throw new IllegalArgumentException("workload properties insertstart + insertcount exceed recordcount");
    }
    dataIntegrity = bool("dataintegrity", false);
    if (dataIntegrity && !fieldLengthDistribution.equals("constant")) {
      // as YCSB: the expected value of a field is rebuilt from its key and name, so its length must be fixed
      throw new IllegalArgumentException("workload property dataintegrity=true needs fieldlengthdistribution=constant, was " + fieldLengthDistribution);
    }
  }

  /** Properties neither YCSB's core nor RaftBench reads (kept in the bundle, warned about). */
  public List<String> unknownProperties() {
    return properties.keySet().stream().filter(k -> !KNOWN.contains(k)).sorted().toList();
  }

  public String name() {
    return name;
  }

  /** Every property as read (file plus overrides), for the results bundle. */
  public Map<String, String> properties() {
    return properties;
  }

  /** Operation proportions as YCSB names them, zero ones left out. */
  public Map<OperationType, Double> proportions() {
    Map<OperationType, Double> p = new LinkedHashMap<>();
    put(p, OperationType.READ, readProportion);
    put(p, OperationType.UPDATE, updateProportion);
    put(p, OperationType.INSERT, insertProportion);
    put(p, OperationType.SCAN, scanProportion);
    put(p, OperationType.READ_MODIFY_WRITE, readModifyWriteProportion);
    put(p, OperationType.DELETE, deleteProportion);
    return p;
  }

  private static void put(Map<OperationType, Double> p, OperationType t, double v) {
    if (v > 0) {
      p.put(t, v);
    }
  }

  private String raw(String key) {
    return properties.get(key);
  }

  private double dbl(String key, double dflt) {
    String v = raw(key);
    if (v == null || v.isEmpty()) {
      return dflt;
    }
    try {
      double d = Double.parseDouble(v);
      if (Double.isNaN(d) || Double.isInfinite(d)) {
        throw new NumberFormatException();
      }
      return d;
    } catch (NumberFormatException e) {
      throw new IllegalArgumentException("workload property " + key + ": '" + v + "' is not a number");
    }
  }

  private double proportion(String key, double dflt) {
    double d = dbl(key, dflt);
    if (d < 0 || d > 1) {
      throw new IllegalArgumentException("workload property " + key + " must lie in [0, 1], was " + d);
    }
    return d;
  }

  private long longValue(String key, long dflt) {
    String v = raw(key);
    if (v == null || v.isEmpty()) {
      return dflt;
    }
    try {
      return Long.parseLong(v);
    } catch (NumberFormatException e) {
      throw new IllegalArgumentException("workload property " + key + ": '" + v + "' is not a whole number");
    }
  }

  private long nonNegativeLong(String key, long dflt) {
    long l = longValue(key, dflt);
    if (l < 0) {
      throw new IllegalArgumentException("workload property " + key + " must not be negative, was " + l);
    }
    return l;
  }

  private long positiveLong(String key, long dflt) {
    long l = longValue(key, dflt);
    if (l <= 0) {
      throw new IllegalArgumentException("workload property " + key + " must be positive, was " + l);
    }
    return l;
  }

  private int positiveInt(String key, int dflt) {
    long l = positiveLong(key, dflt);
    if (l > Integer.MAX_VALUE) {
      throw new IllegalArgumentException("workload property " + key + " is too large: " + l);
    }
    return (int) l;
  }

  private boolean bool(String key, boolean dflt) {
    String v = raw(key);
    if (v == null || v.isEmpty()) {
      return dflt;
    }
    if (v.equalsIgnoreCase("true") || v.equalsIgnoreCase("false")) {
      return Boolean.parseBoolean(v);
    }
    throw new IllegalArgumentException("workload property " + key + ": '" + v + "' is not true or false");
  }

  private String oneOf(String key, String dflt, String... allowed) {
    String v = raw(key);
    if (v == null || v.isEmpty()) {
      return dflt;
    }
    for (String a : allowed) {
      if (a.equals(v)) {
        return v;
      }
    }
    throw new IllegalArgumentException("workload property " + key + ": '" + v + "' is not supported (supported: " + String.join(", ", allowed) + ")");
  }
}
