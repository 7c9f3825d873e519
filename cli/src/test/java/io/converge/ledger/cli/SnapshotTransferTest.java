package io.converge.ledger.cli;

import com.google.protobuf.ByteString;
import io.converge.context.v1.ContextServiceGrpc;
import io.converge.context.v1.LoadChunk;
import io.converge.context.v1.LoadRequest;
import io.converge.context.v1.LoadResponse;
import io.converge.context.v1.SnapshotChunk;
import io.converge.context.v1.SnapshotMetadata;
import io.converge.context.v1.SnapshotRequest;
import io.converge.context.v1.SnapshotResponse;
import io.grpc.Server;
import io.grpc.Status;
import io.grpc.netty.NettyServerBuilder;
import io.grpc.stub.StreamObserver;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Random;
import java.util.concurrent.TimeUnit;

import static io.converge.ledger.cli.Cli.at;
import static io.converge.ledger.cli.Cli.run;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * snapshot and load against stand-in servers with a 20 MiB blob (beyond any default inbound
 * limit): one that has only the unary Snapshot and Load (the CLI falls back to them), and one that
 * has only the streamed SnapshotChunks and LoadChunks (the CLI uses them and nothing else).
 */
class SnapshotTransferTest {
    private static final int BLOB_BYTES = 20 * 1024 * 1024;
    private static final SnapshotMetadata META = SnapshotMetadata.newBuilder().setEntryCount(7).setVersion(1)
        .setCreatedAtNs(1).build();

    @TempDir
    Path dir;
    private Server server;

    private final byte[] blob = new byte[BLOB_BYTES];
    private final ByteArrayOutputStream received = new ByteArrayOutputStream();

    SnapshotTransferTest() {
        new Random(7).nextBytes(blob);
    }

    private int serve(ContextServiceGrpc.ContextServiceImplBase service) throws IOException {
        server = NettyServerBuilder.forAddress(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0))
            .addService(service).maxInboundMessageSize(64 * 1024 * 1024).build().start();
        return server.getPort();
    }

    @AfterEach
    void stop() throws InterruptedException {
        server.shutdownNow().awaitTermination(CliCommandsTest.DEADLINE_SECONDS, TimeUnit.SECONDS);
    }

    /** Only the unary rpcs; the streamed ones answer UNIMPLEMENTED. */
    private final class UnaryOnly extends ContextServiceGrpc.ContextServiceImplBase {
        @Override
        public void snapshot(SnapshotRequest request, StreamObserver<SnapshotResponse> response) {
            response.onNext(SnapshotResponse.newBuilder().setSnapshot(ByteString.copyFrom(blob)).setSequence(7)
                .setMetadata(META).build());
            response.onCompleted();
        }

        @Override
        public void load(LoadRequest request, StreamObserver<LoadResponse> response) {
            received.writeBytes(request.getSnapshot().toByteArray());
            response.onNext(LoadResponse.newBuilder().setEntriesRestored(7).setLatestSequence(7).build());
            response.onCompleted();
        }
    }

    /** Only the streamed rpcs; the unary ones fail, so a test sees if they were called. */
    private final class ChunksOnly extends ContextServiceGrpc.ContextServiceImplBase {
        volatile String loadedContext;
        volatile int chunks;

        @Override
        public void snapshot(SnapshotRequest request, StreamObserver<SnapshotResponse> response) {
            response.onError(Status.FAILED_PRECONDITION.withDescription("unary Snapshot used").asRuntimeException());
        }

        @Override
        public void load(LoadRequest request, StreamObserver<LoadResponse> response) {
            response.onError(Status.FAILED_PRECONDITION.withDescription("unary Load used").asRuntimeException());
        }

        @Override
        public void snapshotChunks(SnapshotRequest request, StreamObserver<SnapshotChunk> response) {
            int chunk = 1024 * 1024;
            for (int at = 0; at < blob.length; at += chunk) {
                SnapshotChunk.Builder next = SnapshotChunk.newBuilder()
                    .setData(ByteString.copyFrom(blob, at, Math.min(chunk, blob.length - at)));
                if (at == 0) {
                    next.setSequence(7).setMetadata(META);
                }
                response.onNext(next.build());
            }
            response.onCompleted();
        }

        @Override
        public StreamObserver<LoadChunk> loadChunks(StreamObserver<LoadResponse> response) {
            return new StreamObserver<>() {
                @Override
                public void onNext(LoadChunk chunk) {
                    if (chunks++ == 0) {
                        loadedContext = chunk.getContextId();
                    }
                    received.writeBytes(chunk.getData().toByteArray());
                }

                @Override
                public void onError(Throwable t) {
                }

                @Override
                public void onCompleted() {
                    response.onNext(LoadResponse.newBuilder().setEntriesRestored(7).setLatestSequence(7).build());
                    response.onCompleted();
                }
            };
        }
    }

    @Test
    void withoutTheStreamedRpcsSnapshotAndLoadFallBackToUnaryCallsWithARaisedInboundLimit() throws IOException {
        int port = serve(new UnaryOnly());
        Path file = dir.resolve("big.snap");
        Cli.Run snap = run(at(port, "snapshot", "big", "-o", file.toString(), "--json"));
        assertEquals(0, snap.status(), snap.toString());
        assertTrue(snap.stdout().contains("\"bytes\":" + BLOB_BYTES + ",\"sequence\":7,\"entries\":7"), snap.stdout());
        assertTrue(snap.stdout().contains("\"transfer\":\"unary\""), snap.stdout());
        assertArrayEquals(blob, Files.readAllBytes(file));

        Cli.Run load = run(at(port, "load", "big", "-i", file.toString()));
        assertEquals(0, load.status(), load.toString());
        assertTrue(load.stdout().contains("one unary Load: this server has no LoadChunks"), load.stdout());
        assertArrayEquals(blob, received.toByteArray());
    }

    @Test
    void withTheStreamedRpcsSnapshotAndLoadMoveTheBlobInChunks() throws IOException {
        ChunksOnly service = new ChunksOnly();
        int port = serve(service);
        Path file = dir.resolve("big.snap");
        Cli.Run snap = run(at(port, "snapshot", "big", "-o", file.toString()));
        assertEquals(0, snap.status(), snap.toString());
        assertTrue(snap.stdout().contains("7 entries up to sequence 7, " + BLOB_BYTES + " bytes"), snap.stdout());
        assertTrue(snap.stdout().contains("streamed in chunks"), snap.stdout());
        assertArrayEquals(blob, Files.readAllBytes(file));

        Cli.Run load = run(at(port, "load", "target", "-i", file.toString(), "--json"));
        assertEquals(0, load.status(), load.toString());
        assertTrue(load.stdout().contains("\"transfer\":\"chunks\""), load.stdout());
        assertArrayEquals(blob, received.toByteArray());
        assertEquals("target", service.loadedContext);
        assertEquals(20, service.chunks, "1 MiB chunks");
    }

    @Test
    void snapshotToStandardOutputWritesTheBlobThere() throws IOException {
        int port = serve(new UnaryOnly());
        Cli.Run snap = run(at(port, "snapshot", "big", "-o", "-"));
        assertEquals(0, snap.status(), snap.toString());
        assertArrayEquals(blob, snap.raw().toByteArray());
        assertEquals("", snap.stdout());
        assertTrue(snap.stderr().contains("-> -"), snap.stderr());
    }
}
