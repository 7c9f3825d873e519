package io.converge.ledger.transport;

import io.converge.ledger.core.StorageConfig;

import java.nio.file.Path;

/** The two ways the ledger keeps its records: every contract test runs over both. */
enum Storage {
    /** Records in direct memory ({@code LEDGER_STORAGE=memory}). */
    MEMORY,
    /** Records in mapped segment files under the test's own temporary directory (the server's default). */
    FILES;

    /**
     * {@code settings} with this storage (keeping their disk budget); FILES puts its data
     * directory under {@code tempDir}, with small segments.
     */
    ServerSettings applyTo(ServerSettings settings, Path tempDir) {
        StorageConfig storage = switch (this) {
            case MEMORY -> StorageConfig.memory().withSegmentBytes(StorageConfig.MIN_SEGMENT_BYTES);
            case FILES -> StorageConfig.files(tempDir.resolve("ledger-data"))
                .withSegmentBytes(StorageConfig.MIN_SEGMENT_BYTES);
        };
        return settings.withLedger(settings.ledger().withStorage(
            storage.withDiskBudgetBytes(settings.ledger().storage().diskBudgetBytes())));
    }
}
