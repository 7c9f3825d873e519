package io.converge.ledger.transport.security;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class AuthTokensTest {
    private static final String READER = "reader-0123456789abcdef";
    private static final String ADMIN = "admin-0123456789abcdef";

    @TempDir
    Path dir;

    private Path file(String text) throws IOException {
        Path file = dir.resolve("tokens");
        Files.writeString(file, text);
        return file;
    }

    @Test
    void eachListedTokenHasItsRoleAndAnyOtherNone() throws IOException {
        AuthTokens tokens = AuthTokens.read(file("# comment\n\n  " + READER + "   read  \n" + ADMIN + "\tadmin\n"));
        assertEquals(2, tokens.size());
        assertEquals(Role.READ, tokens.roleOf(READER));
        assertEquals(Role.ADMIN, tokens.roleOf(ADMIN));
        assertNull(tokens.roleOf(READER + "x"));
        assertNull(tokens.roleOf("x" + READER.substring(1)));
        assertNull(tokens.roleOf(""));
    }

    @Test
    void onlyHashesOfTheTokensAreKept() throws Exception {
        AuthTokens tokens = AuthTokens.read(file(READER + " read\n"));
        for (var field : AuthTokens.class.getDeclaredFields()) {
            field.setAccessible(true);
            Object value = field.get(tokens);
            if (value instanceof byte[][] hashes) {
                assertEquals(32, hashes[0].length, "a SHA-256, not the token");
            }
            assertFalse(String.valueOf(value).contains(READER));
        }
    }

    @Test
    void aBadLineIsNamedByItsNumberWithoutItsToken() throws IOException {
        Map<String, String> cases = Map.of(
            READER + " read\n" + ADMIN + " root\n", "line 2: role \"root\" is not one of read, write, admin",
            "\n" + ADMIN + "\n", "line 2: expected \"token role\", found 1 fields",
            "short read\n", "line 1: the token has 5 characters; from 16 to 4096 are accepted",
            READER + " read\n# again\n" + READER + " write\n", "line 3: this token is already listed on an earlier line",
            READER + " read extra\n", "line 1: expected \"token role\", found 3 fields",
            "# nothing\n", "holds no token");
        for (Map.Entry<String, String> c : cases.entrySet()) {
            Path file = file(c.getKey());
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> AuthTokens.read(file));
            assertTrue(e.getMessage().contains(c.getValue()), e.getMessage());
            assertFalse(e.getMessage().contains(READER) || e.getMessage().contains(ADMIN), e.getMessage());
        }
        IllegalArgumentException missing = assertThrows(IllegalArgumentException.class,
            () -> AuthTokens.read(dir.resolve("absent")));
        assertTrue(missing.getMessage().contains("cannot be read"), missing.getMessage());
    }

    @Test
    void eachRoleCoversTheSmallerOnes() {
        assertTrue(Role.ADMIN.covers(Role.WRITE) && Role.ADMIN.covers(Role.READ) && Role.WRITE.covers(Role.READ));
        assertFalse(Role.READ.covers(Role.WRITE) || Role.WRITE.covers(Role.ADMIN));
        assertEquals(Role.ADMIN, MethodRoles.needed("converge.context.v1.ContextService/SomethingNew"),
            "an rpc not placed yet is closed to all but admin");
        assertTrue(MethodRoles.isOpen("grpc.health.v1.Health/Watch"));
    }

    @Test
    void aBadFileOnReloadKeepsTheTokensInForce() throws IOException {
        Path file = file(READER + " read\n");
        TokenAuthInterceptor auth = new TokenAuthInterceptor(file, AuthTokens.read(file));
        Files.writeString(file, ADMIN + " superuser\n");
        assertFalse(auth.reload());
        Files.writeString(file, ADMIN + " admin\n");
        assertTrue(auth.reload());
    }
}
