package dev.raftbench.workloads;

/** The operations of YCSB's CoreWorkload (plus DELETE), named as YCSB reports them. */
public enum OperationType {
  READ("READ"),
  UPDATE("UPDATE"),
  INSERT("INSERT"),
  SCAN("SCAN"),
  READ_MODIFY_WRITE("READ-MODIFY-WRITE"),
  DELETE("DELETE");

  private final String ycsbName;

  OperationType(String ycsbName) {
    this.ycsbName = ycsbName;
  }

  /** The name in YCSB reports and in results bundles, e.g. "READ-MODIFY-WRITE". */
  public String ycsbName() {
    return ycsbName;
  }
}
