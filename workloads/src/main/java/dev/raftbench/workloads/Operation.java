package dev.raftbench.workloads;

import dev.raftbench.store.kv.Record;
import java.util.List;

/**
 * One generated operation.
 *
 * @param type       what to do
 * @param keyNumber  the key's number in the key space (for acknowledging inserts)
 * @param key        the key (start key of a scan)
 * @param values     fields to write (insert, update, read-modify-write); empty otherwise
 * @param fields     fields to read; empty = all
 * @param scanLength records to scan (SCAN only)
 */
public record Operation(OperationType type, long keyNumber, String key, Record values, List<String> fields, int scanLength) {}
