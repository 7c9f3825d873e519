package io.converge.ledger.cli.client;

import io.grpc.ChannelCredentials;
import io.grpc.ClientInterceptor;
import io.grpc.InsecureChannelCredentials;
import io.grpc.ManagedChannel;
import io.grpc.Metadata;
import io.grpc.TlsChannelCredentials;
import io.grpc.netty.NettyChannelBuilder;
import io.grpc.stub.MetadataUtils;

import java.io.IOException;
import java.nio.file.Path;

/**
 * How to reach a ledger server: its {@code host:port}, whether over TLS, the authorities to
 * trust ({@code ca}: PEM; {@code null}: the JDK's default trust store), the client's own
 * certificate and key for mutual TLS (PEM, both or neither), and the bearer token to send
 * ({@code null}: none). A CA or client certificate implies TLS. Immutable.
 */
public record ChannelSpec(String target, boolean tls, Path ca, Path cert, Path key, String token) {
    /** The default target. */
    public static final String DEFAULT_TARGET = "localhost:50051";
    /** The largest message the channel reads: Get answers are capped at 4 MiB, snapshot chunks at 1 MiB. */
    public static final int INBOUND_MESSAGE_BYTES = 16 * 1024 * 1024;

    public ChannelSpec {
        if (target == null || target.isBlank()) {
            throw new IllegalArgumentException("the target must be host:port");
        }
        if ((cert == null) != (key == null)) {
            throw new IllegalArgumentException("--cert and --tls-key go together");
        }
    }

    public static ChannelSpec plain(String target) {
        return new ChannelSpec(target, false, null, null, null, null);
    }

    /** Whether the channel uses TLS. */
    public boolean usesTls() {
        return tls || ca != null || cert != null;
    }

    public ChannelSpec withToken(String newToken) {
        return new ChannelSpec(target, tls, ca, cert, key, newToken);
    }

    /**
     * Opens a channel (lazily connecting) that sends the token with every call.
     *
     * @throws IOException when a PEM file cannot be read
     */
    public ManagedChannel open() throws IOException {
        ChannelCredentials credentials;
        if (usesTls()) {
            TlsChannelCredentials.Builder builder = TlsChannelCredentials.newBuilder();
            if (ca != null) {
                builder.trustManager(ca.toFile());
            }
            if (cert != null) {
                builder.keyManager(cert.toFile(), key.toFile());
            }
            credentials = builder.build();
        } else {
            credentials = InsecureChannelCredentials.create();
        }
        NettyChannelBuilder builder = NettyChannelBuilder.forTarget(target, credentials)
            .maxInboundMessageSize(INBOUND_MESSAGE_BYTES);
        if (token != null && !token.isEmpty()) {
            builder.intercept(bearer(token));
        }
        return builder.build();
    }

    /** Adds {@code authorization: Bearer <token>} to every call. */
    public static ClientInterceptor bearer(String token) {
        Metadata headers = new Metadata();
        headers.put(Metadata.Key.of("authorization", Metadata.ASCII_STRING_MARSHALLER), "Bearer " + token);
        return MetadataUtils.newAttachHeadersInterceptor(headers);
    }
}
