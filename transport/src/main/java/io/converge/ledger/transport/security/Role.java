package io.converge.ledger.transport.security;

import java.util.Locale;

/**
 * What a token may do. Each role may do everything the smaller ones may:
 * {@link #READ} &lt; {@link #WRITE} &lt; {@link #ADMIN}.
 */
public enum Role {
    /** Get, Watch, WatchBatches, Snapshot, SnapshotChunks, and server reflection. */
    READ,
    /** {@link #READ}, and Append, AppendBatch, AppendStream. */
    WRITE,
    /** {@link #WRITE}, and Load, LoadChunks. */
    ADMIN;

    /** Whether a token of this role may call what {@code needed} may. */
    public boolean covers(Role needed) {
        return compareTo(needed) >= 0;
    }

    /** The name in a tokens file and in messages: {@code read}, {@code write}, {@code admin}. */
    public String label() {
        return name().toLowerCase(Locale.ROOT);
    }

    /**
     * @throws IllegalArgumentException when {@code label} is not read, write or admin
     */
    public static Role parse(String label) {
        return switch (label) {
            case "read" -> READ;
            case "write" -> WRITE;
            case "admin" -> ADMIN;
            default -> throw new IllegalArgumentException("role \"" + label + "\" is not one of read, write, admin");
        };
    }
}
