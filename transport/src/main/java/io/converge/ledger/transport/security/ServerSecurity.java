package io.converge.ledger.transport.security;

import io.grpc.InsecureServerCredentials;
import io.grpc.ServerCredentials;

import java.nio.file.Path;
import java.util.Map;

/**
 * How the server admits clients: TLS ({@link TlsFiles}, {@code null} for plain text) and
 * token authentication (the tokens file and its tokens as read at start, both {@code null}
 * when every caller is admitted). Immutable.
 */
public record ServerSecurity(TlsFiles tls, Path tokensFile, AuthTokens tokens) {
    public ServerSecurity {
        if ((tokensFile == null) != (tokens == null)) {
            throw new IllegalArgumentException("a tokens file goes with its tokens");
        }
    }

    /** Plain text, no tokens: the default. */
    public static ServerSecurity none() {
        return new ServerSecurity(null, null, null);
    }

    /**
     * Reads {@code LEDGER_TLS_CERT_FILE}, {@code LEDGER_TLS_KEY_FILE}, {@code LEDGER_TLS_CLIENT_CA_FILE}
     * and {@code LEDGER_AUTH_TOKENS_FILE}, and checks the files they name.
     *
     * @throws IllegalArgumentException naming the variable and, for the tokens file, the bad line
     */
    public static ServerSecurity fromEnvironment(Map<String, String> env) {
        TlsFiles tls = TlsFiles.fromEnvironment(env);
        String tokens = env.get("LEDGER_AUTH_TOKENS_FILE");
        if (tokens == null || tokens.isBlank()) {
            return new ServerSecurity(tls, null, null);
        }
        Path file = Path.of(tokens.strip());
        try {
            return new ServerSecurity(tls, file, AuthTokens.read(file));
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("LEDGER_AUTH_TOKENS_FILE: " + e.getMessage(), e);
        }
    }

    public ServerSecurity withTls(TlsFiles files) {
        return new ServerSecurity(files, tokensFile, tokens);
    }

    public ServerSecurity withTokens(Path file) {
        return new ServerSecurity(tls, file, AuthTokens.read(file));
    }

    public boolean tlsOn() {
        return tls != null;
    }

    public boolean authOn() {
        return tokens != null;
    }

    /** What a gRPC server builder needs: TLS only when {@link #tlsOn}, else plain text. */
    public ServerCredentials serverCredentials() {
        return tls == null ? InsecureServerCredentials.create() : tls.serverCredentials();
    }

    /** A new interceptor that checks tokens, or {@code null} when {@link #authOn} is false. */
    public TokenAuthInterceptor newInterceptor() {
        return tokens == null ? null : new TokenAuthInterceptor(tokensFile, tokens);
    }
}
