package io.converge.ledger.core;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

/**
 * The fixed entries behind the committed golden blob
 * {@code core/src/test/resources/snapshots/v1-golden.bin}, and its generator.
 *
 * <p>The golden file guards format compatibility: a version-1 blob written by a released
 * server must load in every later one. Do <b>not</b> regenerate it to make a failing test
 * pass; a difference means the version-1 format changed. A new format version gets its
 * own fixture ({@code v2-golden.bin}) next to this one, which stays. To (re)create the
 * file, from the repository root:
 *
 * <pre>
 * mvn -B -q -o -pl core test-compile
 * java -cp core/target/classes:core/target/test-classes io.converge.ledger.core.SnapshotGolden \
 *     core/src/test/resources/snapshots/v1-golden.bin
 * </pre>
 */
final class SnapshotGolden {
    static final String RESOURCE = "/snapshots/v1-golden.bin";

    static final String CONTEXT_ID = "golden/контекст/🚀";
    static final long CREATED_AT_NS = 1_764_000_000_123_456_789L;
    static final long ID_HI = 0x0123_4567_89AB_CDEFL;
    static final long OTHER_ID_HI = 0xFEDC_BA98_7654_3210L;

    private SnapshotGolden() {
    }

    /**
     * Three entries, sequences 1..3:
     * <ol>
     *   <li>id (ID_HI, 0), appended 1_764_000_000_000_000_001, empty key, empty payload, no metadata;</li>
     *   <li>id (ID_HI, 1), appended 1_764_000_000_000_000_002, key "plan", payload "hello" (UTF-8),
     *       metadata {agent=planner};</li>
     *   <li>id (OTHER_ID_HI, -1), appended 1_764_000_000_000_000_002 (equal times are allowed),
     *       key "ключ-🔑", payload bytes 0x00..0xFF, metadata in this order
     *       {名前=値 🎉, empty="", ""=empty-key}.</li>
     * </ol>
     */
    static TestEntries entries() {
        return new TestEntries(1)
            .add(ID_HI, 0L, 1_764_000_000_000_000_001L, "", new byte[0], Map.of())
            .add(ID_HI, 1L, 1_764_000_000_000_000_002L, "plan", Bytes.utf8("hello"),
                TestEntries.ordered("agent", "planner"))
            .add(OTHER_ID_HI, -1L, 1_764_000_000_000_000_002L, "ключ-🔑", Bytes.ramp(256),
                TestEntries.ordered("名前", "値 🎉", "empty", "", "", "empty-key"));
    }

    static byte[] encode() {
        return SnapshotCodec.encode(CONTEXT_ID, CREATED_AT_NS, entries());
    }

    static byte[] committedBlob() {
        try (InputStream in = SnapshotGolden.class.getResourceAsStream(RESOURCE)) {
            if (in == null) {
                throw new AssertionError("missing test resource " + RESOURCE);
            }
            return in.readAllBytes();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Writes the golden blob to the path given as the only argument. */
    public static void main(String[] args) throws IOException {
        if (args.length != 1) {
            throw new IllegalArgumentException("usage: SnapshotGolden <output file>");
        }
        Path out = Path.of(args[0]);
        Files.write(out, encode());
        System.out.println("wrote " + Files.size(out) + " bytes to " + out);
    }
}
