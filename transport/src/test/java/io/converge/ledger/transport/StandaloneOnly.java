package io.converge.ledger.transport;

import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

/**
 * On a contract test class or method: it does not run against a cluster member
 * ({@link Transport#NETTY_CLUSTER_MEMBER}), because it tests what only a standalone server
 * has, or what cluster mode documents differently; {@link #value} says which.
 */
@Retention(RetentionPolicy.RUNTIME)
@Target({ElementType.TYPE, ElementType.METHOD})
@interface StandaloneOnly {
    /** Why the test does not apply to a cluster member. */
    String value();
}
