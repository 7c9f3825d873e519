package io.converge.ledger.transport.security;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.List;

/**
 * The tokens of a tokens file and their roles. Immutable and thread-safe.
 *
 * <p>The file holds one {@code token role} per line ({@code role}: read, write or admin),
 * separated by spaces or tabs; blank lines and lines starting with {@code #} are skipped. A
 * token is 16 to 4096 printable ASCII characters without spaces. Only the SHA-256 of each
 * token is kept; {@link #roleOf} hashes the presented token and compares it with every kept
 * hash by {@link MessageDigest#isEqual}, so the time it takes depends neither on where a
 * guess first differs nor on which entry matches. No message of this class contains a token.
 */
public final class AuthTokens {
    /** The shortest token accepted: shorter ones are too easy to guess. */
    public static final int MIN_TOKEN_CHARS = 16;
    static final int MAX_TOKEN_CHARS = 4096;

    private final byte[][] hashes;
    private final Role[] roles;

    private AuthTokens(byte[][] hashes, Role[] roles) {
        this.hashes = hashes;
        this.roles = roles;
    }

    /**
     * Reads and checks a tokens file.
     *
     * @throws IllegalArgumentException naming the file and the first bad line (without its token)
     *                                  when the file cannot be read, a line is malformed, a token repeats,
     *                                  or the file holds no token
     */
    public static AuthTokens read(Path file) {
        List<String> lines;
        try {
            lines = Files.readAllLines(file, StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new IllegalArgumentException(file + ": cannot be read (" + e.getClass().getSimpleName() + ": "
                + e.getMessage() + ")");
        }
        List<byte[]> hashes = new ArrayList<>();
        List<Role> roles = new ArrayList<>();
        for (int i = 0; i < lines.size(); i++) {
            String line = lines.get(i).strip();
            if (line.isEmpty() || line.startsWith("#")) {
                continue;
            }
            String where = file + " line " + (i + 1) + ": ";
            String[] fields = line.split("[ \t]+");
            if (fields.length != 2) {
                throw new IllegalArgumentException(where + "expected \"token role\", found " + fields.length + " fields");
            }
            String token = fields[0];
            if (token.length() < MIN_TOKEN_CHARS || token.length() > MAX_TOKEN_CHARS) {
                throw new IllegalArgumentException(where + "the token has " + token.length() + " characters; from "
                    + MIN_TOKEN_CHARS + " to " + MAX_TOKEN_CHARS + " are accepted");
            }
            if (!token.chars().allMatch(c -> c > 0x20 && c < 0x7f)) {
                throw new IllegalArgumentException(where + "the token holds a character outside printable ASCII");
            }
            Role role;
            try {
                role = Role.parse(fields[1]);
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException(where + e.getMessage());
            }
            byte[] hash = sha256(token);
            for (byte[] earlier : hashes) {
                if (MessageDigest.isEqual(earlier, hash)) {
                    throw new IllegalArgumentException(where + "this token is already listed on an earlier line");
                }
            }
            hashes.add(hash);
            roles.add(role);
        }
        if (hashes.isEmpty()) {
            throw new IllegalArgumentException(file + ": holds no token (one \"token role\" per line)");
        }
        return new AuthTokens(hashes.toArray(new byte[0][]), roles.toArray(new Role[0]));
    }

    /** How many tokens the file listed. */
    public int size() {
        return hashes.length;
    }

    /** The role of {@code token}, or {@code null} when it is not listed. Constant time in the token's content. */
    public Role roleOf(String token) {
        byte[] hash = sha256(token);
        Role found = null;
        for (int i = 0; i < hashes.length; i++) {
            // no early exit: every entry is compared whatever matched
            if (MessageDigest.isEqual(hashes[i], hash)) {
                found = roles[i];
            }
        }
        return found;
    }

    static byte[] sha256(String token) {
        try {
            return MessageDigest.getInstance("SHA-256").digest(token.getBytes(StandardCharsets.UTF_8));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every JDK has SHA-256", e);
        }
    }
}
