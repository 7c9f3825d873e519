package io.converge.ledger.transport;

import io.grpc.Metadata;
import io.grpc.MethodDescriptor;
import io.grpc.ServerCall;
import io.grpc.ServerServiceDefinition;
import io.grpc.ServiceDescriptor;
import io.grpc.Status;

/** A stand-in for a service that is not ready: every method of it answers one status at once. Stateless. */
final class Refusing {
    private Refusing() {
    }

    /** A definition of {@code service} whose every call is closed with {@code status}. */
    static ServerServiceDefinition every(ServiceDescriptor service, Status status) {
        ServerServiceDefinition.Builder definition = ServerServiceDefinition.builder(service);
        for (MethodDescriptor<?, ?> method : service.getMethods()) {
            add(definition, method, status);
        }
        return definition.build();
    }

    private static <Q, R> void add(ServerServiceDefinition.Builder definition, MethodDescriptor<Q, R> method,
                                   Status status) {
        definition.addMethod(method, (call, headers) -> {
            call.close(status, new Metadata());
            return new ServerCall.Listener<Q>() { };
        });
    }
}
