package dev.raftbench.workloads;

import dev.raftbench.store.kv.Record;
import dev.raftbench.workloads.Generators.LongSource;
import dev.raftbench.workloads.Generators.Zipfian;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The state one run of a workload shares between its workers (key space, counters, precomputed
 * distributions), and the factory of per-worker {@link Generator}s. Deterministic for a seed as far
 * as each worker's own stream goes; the interleaving of workers is the scheduler's.
 */
public final class Workload {
  private final WorkloadSpec spec;
  private final List<String> fieldNames;
  /** The field names in String order, as a Record keeps them (field10 sorts before field2). */
  private final String[] sortedFieldNames;
  private final LongSource keyChooser;
  private final LongSource scanLength;
  private final LongSource fieldLength;
  private final LongSource fieldChooser;
  private final OperationType[] ops;
  private final double[] cumulative;
  private final AcknowledgedCounter inserts;
  private final AtomicLong loadCursor;
  private final long loadEnd;
  private final boolean exponential;

  public Workload(WorkloadSpec spec) {
    this.spec = spec;
    List<String> names = new ArrayList<>();
    for (int i = 0; i < spec.fieldCount; i++) {
      names.add(spec.fieldNamePrefix + i);
    }
    this.fieldNames = List.copyOf(names);
    this.sortedFieldNames = names.stream().sorted().toArray(String[]::new);
    this.inserts = new AcknowledgedCounter(spec.recordCount);
    this.keyCache = new String[(int) Math.min(spec.recordCount, KEY_CACHE_MAX)];
    this.loadCursor = new AtomicLong(spec.insertStart);
    this.loadEnd = spec.insertStart + spec.insertCount;

    long lo = spec.insertStart;
    long hi = spec.insertStart + spec.insertCount - 1;
    if (spec.insertCount == 0) {
      throw new IllegalArgumentException("workload " + spec.name() + " has no records to operate on (insertcount = 0)");
    }
    this.exponential = spec.requestDistribution.equals("exponential");
    this.keyChooser = switch (spec.requestDistribution) {
      case "uniform" -> Generators.uniform(lo, hi);
      case "sequential" -> Generators.sequential(lo, hi);
      case "hotspot" -> Generators.hotspot(lo, hi, spec.hotspotDataFraction, spec.hotspotOpnFraction);
      case "exponential" -> Generators.exponential(spec.exponentialPercentile, spec.recordCount * spec.exponentialFrac);
      case "latest" -> new Latest(inserts, spec.zipfianConstant);
      case "zipfian" -> {
        long expectedNewKeys = (long) (spec.operationCount * spec.insertProportion * 2.0);
        // YCSB: ScrambledZipfianGenerator(insertstart, insertstart + insertcount + expectednewkeys), max inclusive
        yield Generators.scrambledZipfian(lo, hi + 1 + expectedNewKeys, spec.zipfianConstant);
      }
      default -> throw new IllegalArgumentException("unknown request distribution " + spec.requestDistribution);
    };
    this.scanLength = spec.scanLengthDistribution.equals("zipfian")
        ? new Zipfian(spec.minScanLength, spec.maxScanLength, spec.zipfianConstant)
        : Generators.uniform(spec.minScanLength, spec.maxScanLength);
    this.fieldLength = switch (spec.fieldLengthDistribution) {
      case "uniform" -> Generators.uniform(Math.min(spec.minFieldLength, spec.fieldLength), spec.fieldLength);
      case "zipfian" -> new Zipfian(Math.min(spec.minFieldLength, spec.fieldLength), spec.fieldLength, spec.zipfianConstant);
      case "histogram" -> Generators.histogram(spec.fieldLengthHistogram.blockSize(), spec.fieldLengthHistogram.counts());
      default -> Generators.constant(spec.fieldLength);
    };
    this.fieldChooser = Generators.uniform(0, spec.fieldCount - 1);

    Map<OperationType, Double> proportions = spec.proportions();
    this.ops = proportions.keySet().toArray(new OperationType[0]);
    this.cumulative = new double[ops.length];
    double sum = proportions.values().stream().mapToDouble(Double::doubleValue).sum();
    double acc = 0;
    for (int i = 0; i < ops.length; i++) {
      acc += proportions.get(ops[i]) / sum;
      cumulative[i] = acc;
    }
    cumulative[ops.length - 1] = 1.0;
  }

  public WorkloadSpec spec() {
    return spec;
  }

  /** Records the load phase inserts. */
  public long loadCount() {
    return spec.insertCount;
  }

  private static final java.lang.invoke.VarHandle LONGS =
      java.lang.invoke.MethodHandles.byteArrayViewVarHandle(long[].class, java.nio.ByteOrder.LITTLE_ENDIAN);

  /** Key names up to this many are kept once made (about 70 MB at most): building one is a third of an operation's cost. */
  private static final int KEY_CACHE_MAX = 1 << 20;
  /** Key names by number, filled as they are first needed; a racy fill is harmless (Strings are immutable). */
  private final String[] keyCache;

  /** YCSB's key name: "user" + the (hashed unless insertorder=ordered) key number, zero-padded. */
  public String keyName(long keyNumber) {
    if (keyNumber >= 0 && keyNumber < keyCache.length) {
      String k = keyCache[(int) keyNumber];
      if (k == null) {
        k = buildKeyName(keyNumber);
        keyCache[(int) keyNumber] = k;
      }
      return k;
    }
    return buildKeyName(keyNumber);
  }

  private String buildKeyName(long keyNumber) {
    long n = spec.orderedInserts ? keyNumber : Generators.fnvhash64(keyNumber);
    String value = Long.toString(n);
    int fill = spec.zeroPadding - value.length();
    StringBuilder sb = new StringBuilder(4 + Math.max(fill, 0) + value.length()).append("user");
    for (int i = 0; i < fill; i++) {
      sb.append('0');
    }
    return sb.append(value).toString();
  }

  /** Names of up to {@code n} of the records the load phase inserts, evenly spread over them (to split key ranges). */
  public List<String> keySample(int n) {
    long count = spec.insertCount;
    int size = (int) Math.min(n, count);
    List<String> sample = new ArrayList<>(size);
    for (int i = 0; i < size; i++) {
      sample.add(keyName(spec.insertStart + i * count / size));
    }
    return sample;
  }

  /** A generator for one worker, with its own random stream derived from the run's seed. */
  public Generator generator(long seed, int worker) {
    return new Generator(seed, new SplittableRandom(seed ^ (0x9E3779B97F4A7C15L * (worker + 1))));
  }

  /**
   * YCSB's CoreWorkload.buildDeterministicValue: "key:field", then ":" and the hash code of what
   * is there so far, repeated to the field length. With dataintegrity every value is this.
   */
  byte[] deterministicValue(String key, String field) {
    int size = spec.fieldLength;
    StringBuilder sb = new StringBuilder(size);
    sb.append(key).append(':').append(field);
    while (sb.length() < size) {
      sb.append(':').append(sb.toString().hashCode());
    }
    sb.setLength(size);
    return sb.toString().getBytes(java.nio.charset.StandardCharsets.UTF_8);
  }

  /**
   * With dataintegrity, whether every field a read returned holds the value derived from its key
   * and name (YCSB's verifyRow); true when the workload does not check.
   */
  public boolean verify(String key, Record got) {
    if (!spec.dataIntegrity) {
      return true;
    }
    for (int i = 0; i < got.size(); i++) {
      if (!java.util.Arrays.equals(got.value(i), deterministicValue(key, got.name(i)))) {
        return false;
      }
    }
    return !got.isEmpty();
  }

  /** YCSB's SkewedLatestGenerator: recently inserted keys are the most popular. */
  private static final class Latest implements LongSource {
    private final AcknowledgedCounter counter;
    private final double theta;
    private volatile Zipfian zipf;
    private long zipfItems;
    private double zeta;

    Latest(AcknowledgedCounter counter, double theta) {
      this.counter = counter;
      this.theta = theta;
    }

    @Override
    public long next(SplittableRandom r) {
      long max = counter.lastAcknowledged();
      Zipfian z = zipfFor(max + 1);
      long v;
      do { // a zipfian built for more items than this caller saw: draw again past its max
        v = z.next(r);
      } while (v > max);
      return max - v;
    }

    /** Grows only (as YCSB's zeta): a caller with an older, smaller count reuses the larger one. */
    private synchronized Zipfian zipfFor(long items) {
      if (zipf == null || items > zipfItems) {
        for (long i = zipfItems; i < items; i++) {
          zeta += 1 / Math.pow(i + 1, theta);
        }
        zipfItems = items;
        zipf = new Zipfian(0, items - 1, theta, zeta);
      }
      return zipf;
    }
  }

  /** One worker's stream of operations. Not thread-safe: one per worker. */
  public final class Generator {
    private final long seed;
    private SplittableRandom random;

    Generator(long seed, SplittableRandom random) {
      this.seed = seed;
      this.random = random;
    }

    /**
     * The next insert of the load phase, or null when every record was handed out. Its values come
     * from the key's own random stream, so the loaded data is the same for a seed whichever
     * worker inserts which key, and the worker's run stream is untouched.
     */
    public Operation nextLoad() {
      long n = loadCursor.getAndIncrement();
      if (n >= loadEnd) {
        return null;
      }
      SplittableRandom own = random;
      random = new SplittableRandom(seed ^ Generators.fnvhash64(n));
      try {
        String key = keyName(n);
        return new Operation(OperationType.INSERT, n, key, allValues(key), List.of(), 0);
      } finally {
        random = own;
      }
    }

    /** The next operation of the run phase. */
    public Operation next() {
      OperationType type = chooseOperation();
      switch (type) {
        case INSERT -> {
          long n = inserts.next();
          String key = keyName(n);
          return new Operation(type, n, key, allValues(key), List.of(), 0);
        }
        case READ -> {
          long n = nextKeyNumber();
          return new Operation(type, n, keyName(n), Record.empty(), readFields(), 0);
        }
        case UPDATE -> {
          long n = nextKeyNumber();
          String key = keyName(n);
          return new Operation(type, n, key, writeValues(key), List.of(), 0);
        }
        case READ_MODIFY_WRITE -> {
          long n = nextKeyNumber();
          String key = keyName(n);
          return new Operation(type, n, key, writeValues(key), readFields(), 0);
        }
        case SCAN -> {
          long n = nextKeyNumber();
          return new Operation(type, n, keyName(n), Record.empty(), readFields(), (int) scanLength.next(random));
        }
        case DELETE -> {
          long n = nextKeyNumber();
          return new Operation(type, n, keyName(n), Record.empty(), List.of(), 0);
        }
        default -> throw new IllegalStateException(type.name());
      }
    }

    /**
     * Tells the workload an insert completed, whatever its outcome (as YCSB does): the key may now
     * be read, and one failed insert cannot freeze the "latest" key for the rest of the run.
     */
    public void acknowledge(Operation op) {
      if (op.type() == OperationType.INSERT && op.keyNumber() >= spec.recordCount) {
        inserts.acknowledge(op.keyNumber());
      }
    }

    private OperationType chooseOperation() {
      double u = random.nextDouble();
      for (int i = 0; i < cumulative.length; i++) {
        if (u < cumulative[i]) {
          return ops[i];
        }
      }
      return ops[ops.length - 1];
    }

    private long nextKeyNumber() {
      long limit = inserts.lastAcknowledged();
      long n;
      if (exponential) {
        do {
          n = limit - keyChooser.next(random);
        } while (n < 0);
      } else {
        do {
          n = keyChooser.next(random);
        } while (n > limit);
      }
      return n;
    }

    private List<String> readFields() {
      return spec.readAllFields ? List.of() : List.of(fieldNames.get((int) fieldChooser.next(random)));
    }

    private Record writeValues(String key) {
      if (spec.writeAllFields) {
        return allValues(key);
      }
      String field = fieldNames.get((int) fieldChooser.next(random));
      return Record.ofSorted(new String[] {field}, new byte[][] {value(key, field)});
    }

    private Record allValues(String key) { // no map per operation: the names are sorted once
      byte[][] values = new byte[sortedFieldNames.length][];
      for (int i = 0; i < values.length; i++) {
        values[i] = value(key, sortedFieldNames[i]);
      }
      return Record.ofSorted(sortedFieldNames, values);
    }

    private byte[] value(String key, String field) {
      return spec.dataIntegrity ? deterministicValue(key, field) : value();
    }

    /**
     * Printable ASCII (' ' .. '~'), as YCSB's RandomByteIterator: the array filled with random
     * longs eight bytes at a time, then each byte mapped onto the 95 printable characters by a
     * multiply and a shift (a loop the JIT vectorizes; no division).
     */
    private byte[] value() {
      int n = (int) fieldLength.next(random);
      byte[] b = new byte[n];
      int i = 0;
      for (; i + 8 <= n; i += 8) {
        LONGS.set(b, i, random.nextLong());
      }
      if (i < n) {
        long bits = random.nextLong();
        for (; i < n; i++, bits >>>= 8) {
          b[i] = (byte) bits;
        }
      }
      for (int j = 0; j < n; j++) {
        b[j] = (byte) (' ' + (((b[j] & 0xFF) * 95) >>> 8));
      }
      return b;
    }
  }
}
