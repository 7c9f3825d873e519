package io.converge.ledger.transport;

import com.google.protobuf.ByteString;
import com.google.protobuf.DescriptorProtos.FileDescriptorProto;
import com.google.protobuf.Descriptors.Descriptor;
import com.google.protobuf.Descriptors.FieldDescriptor;
import com.google.protobuf.Descriptors.FileDescriptor;
import com.google.protobuf.Descriptors.MethodDescriptor;
import com.google.protobuf.Descriptors.ServiceDescriptor;
import io.converge.context.v1.ContextServiceGrpc;
import io.grpc.Status;
import io.grpc.health.v1.HealthCheckRequest;
import io.grpc.health.v1.HealthCheckResponse.ServingStatus;
import io.grpc.health.v1.HealthGrpc;
import io.grpc.reflection.v1.ServerReflectionGrpc;
import io.grpc.reflection.v1.ServerReflectionRequest;
import io.grpc.reflection.v1.ServerReflectionResponse;
import io.grpc.reflection.v1.ServiceResponse;
import io.grpc.stub.StreamObserver;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedClass;
import org.junit.jupiter.params.provider.MethodSource;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;

import static io.converge.ledger.transport.ContractSupport.assertRejected;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * CONTRACT.md, "Wire contract": the standard health service and server reflection are
 * served, so stock tools work unchanged; and the service reflection describes is the
 * contract's, every rpc and field with its name, number and type.
 */
@ParameterizedClass
@MethodSource(ServedOverBothTransports.SERVERS)
class HealthAndReflectionTest extends ServedOverBothTransports {
    private static final String SERVICE = "converge.context.v1.ContextService";

    /** The contract's table: message → "name = number : type" for every field it lists. */
    private static final Map<String, List<String>> CONTRACT_MESSAGES = Map.ofEntries(
        Map.entry("Entry", List.of("id = 1 : string", "key = 2 : string", "payload = 3 : bytes",
            "sequence = 4 : uint64", "appended_at_ns = 5 : uint64", "metadata = 6 : map<string,string>")),
        Map.entry("AppendRequest", List.of("context_id = 1 : string", "key = 2 : string", "payload = 3 : bytes",
            "metadata = 4 : map<string,string>")),
        Map.entry("AppendResponse", List.of("entry = 1 : Entry")),
        Map.entry("GetRequest", List.of("context_id = 1 : string", "key = 2 : string",
            "after_sequence = 3 : uint64", "limit = 4 : uint32")),
        Map.entry("GetResponse", List.of("entries = 1 : repeated Entry", "latest_sequence = 2 : uint64",
            "has_more = 3 : bool")),
        Map.entry("SnapshotRequest", List.of("context_id = 1 : string")),
        Map.entry("SnapshotResponse", List.of("snapshot = 1 : bytes", "sequence = 2 : uint64",
            "metadata = 3 : SnapshotMetadata")),
        Map.entry("SnapshotMetadata", List.of("created_at_ns = 1 : uint64", "entry_count = 2 : uint64",
            "version = 3 : uint32")),
        Map.entry("LoadRequest", List.of("context_id = 1 : string", "snapshot = 2 : bytes",
            "fail_if_exists = 3 : bool")),
        Map.entry("LoadResponse", List.of("entries_restored = 1 : uint64", "latest_sequence = 2 : uint64")),
        Map.entry("WatchRequest", List.of("context_id = 1 : string", "key = 2 : string",
            "from_sequence = 3 : uint64")),
        Map.entry("WatchEvent", List.of("entry = 1 : Entry")));

    /** rpc → "Request -> Response", "stream" marking a server stream. */
    private static final Map<String, String> CONTRACT_RPCS = Map.of(
        "Append", "AppendRequest -> AppendResponse",
        "Get", "GetRequest -> GetResponse",
        "Snapshot", "SnapshotRequest -> SnapshotResponse",
        "Load", "LoadRequest -> LoadResponse",
        "Watch", "WatchRequest -> stream WatchEvent");

    private HealthGrpc.HealthBlockingStub health() {
        return HealthGrpc.newBlockingStub(fixture.channel).withDeadlineAfter(10, TimeUnit.SECONDS);
    }

    @Test
    void healthCheckIsServingForTheServerAndForTheContextService() {
        assertEquals(ServingStatus.SERVING,
            health().check(HealthCheckRequest.newBuilder().setService("").build()).getStatus());
        assertEquals(ServingStatus.SERVING,
            health().check(HealthCheckRequest.newBuilder().setService(SERVICE).build()).getStatus());
        assertEquals(SERVICE, ContextServiceGrpc.SERVICE_NAME);
    }

    @Test
    void healthCheckOfAnUnknownServiceIsNotFoundAsStockProbesExpect() {
        assertRejected(Status.Code.NOT_FOUND, "",
            () -> health().check(HealthCheckRequest.newBuilder().setService("no.such.Service").build()));
    }

    @Test
    void reflectionListsTheContextServiceHealthAndReflection() throws Exception {
        ServerReflectionResponse r = reflect(b -> b.setListServices("*"));
        List<String> names = r.getListServicesResponse().getServiceList().stream()
            .map(ServiceResponse::getName).toList();
        assertTrue(names.contains(SERVICE), names.toString());
        assertTrue(names.contains("grpc.health.v1.Health"), names.toString());
        assertTrue(names.contains("grpc.reflection.v1.ServerReflection"), names.toString());
    }

    @Test
    void reflectionReturnsTheFileDescriptorOfTheContextServiceAsTheContractDefinesIt() throws Exception {
        ServerReflectionResponse r = reflect(b -> b.setFileContainingSymbol(SERVICE));
        assertFalse(r.hasErrorResponse(), r.getErrorResponse().toString());
        List<ByteString> files = r.getFileDescriptorResponse().getFileDescriptorProtoList();
        FileDescriptorProto proto = null;
        for (ByteString file : files) {
            FileDescriptorProto candidate = FileDescriptorProto.parseFrom(file);
            if (candidate.getServiceList().stream().anyMatch(s -> s.getName().equals("ContextService"))) {
                proto = candidate;
            }
        }
        assertNotNull(proto, "a file declaring ContextService");
        assertEquals("converge.context.v1", proto.getPackage());
        assertEquals("proto3", proto.getSyntax());
        FileDescriptor file = FileDescriptor.buildFrom(proto, new FileDescriptor[0]);

        ServiceDescriptor service = file.findServiceByName("ContextService");
        for (Map.Entry<String, String> rpc : CONTRACT_RPCS.entrySet()) {
            MethodDescriptor m = service.findMethodByName(rpc.getKey());
            assertNotNull(m, "rpc " + rpc.getKey());
            assertFalse(m.isClientStreaming());
            assertEquals(rpc.getValue(), m.getInputType().getName() + " -> "
                + (m.isServerStreaming() ? "stream " : "") + m.getOutputType().getName(), "rpc " + rpc.getKey());
        }
        for (Map.Entry<String, List<String>> message : CONTRACT_MESSAGES.entrySet()) {
            Descriptor d = file.findMessageTypeByName(message.getKey());
            assertNotNull(d, "message " + message.getKey());
            List<String> served = new ArrayList<>();
            for (FieldDescriptor f : d.getFields()) {
                served.add(f.getName() + " = " + f.getNumber() + " : " + typeOf(f));
            }
            for (String field : message.getValue()) {
                assertTrue(served.contains(field), message.getKey() + " should have " + field + "; has " + served);
            }
        }
    }

    @Test
    void theOlderV1alphaReflectionThatSomeToolsAskForListsTheContextServiceToo() throws Exception {
        CompletableFuture<io.grpc.reflection.v1alpha.ServerReflectionResponse> answer = new CompletableFuture<>();
        StreamObserver<io.grpc.reflection.v1alpha.ServerReflectionRequest> requests =
            io.grpc.reflection.v1alpha.ServerReflectionGrpc.newStub(fixture.channel)
                .withDeadlineAfter(10, TimeUnit.SECONDS)
                .serverReflectionInfo(observer(answer));
        requests.onNext(io.grpc.reflection.v1alpha.ServerReflectionRequest.newBuilder().setListServices("*").build());
        requests.onCompleted();
        List<String> names = answer.get(10, TimeUnit.SECONDS).getListServicesResponse().getServiceList().stream()
            .map(io.grpc.reflection.v1alpha.ServiceResponse::getName).toList();
        assertTrue(names.contains(SERVICE), names.toString());
    }

    private ServerReflectionResponse reflect(Consumer<ServerReflectionRequest.Builder> ask) throws Exception {
        CompletableFuture<ServerReflectionResponse> answer = new CompletableFuture<>();
        StreamObserver<ServerReflectionRequest> requests = ServerReflectionGrpc.newStub(fixture.channel)
            .withDeadlineAfter(10, TimeUnit.SECONDS)
            .serverReflectionInfo(observer(answer));
        ServerReflectionRequest.Builder request = ServerReflectionRequest.newBuilder();
        ask.accept(request);
        requests.onNext(request.build());
        requests.onCompleted();
        return answer.get(10, TimeUnit.SECONDS);
    }

    private static <T> StreamObserver<T> observer(CompletableFuture<T> answer) {
        return new StreamObserver<>() {
            @Override
            public void onNext(T value) {
                answer.complete(value);
            }

            @Override
            public void onError(Throwable t) {
                answer.completeExceptionally(t);
            }

            @Override
            public void onCompleted() {
                answer.completeExceptionally(new AssertionError("the stream ended without an answer"));
            }
        };
    }

    private static String typeOf(FieldDescriptor f) {
        if (f.isMapField()) {
            Descriptor entry = f.getMessageType();
            return "map<" + scalar(entry.findFieldByName("key")) + "," + scalar(entry.findFieldByName("value")) + ">";
        }
        return (f.isRepeated() ? "repeated " : "") + scalar(f);
    }

    private static String scalar(FieldDescriptor f) {
        return f.getType() == FieldDescriptor.Type.MESSAGE ? f.getMessageType().getName()
            : f.getType().name().toLowerCase(Locale.ROOT);
    }
}
