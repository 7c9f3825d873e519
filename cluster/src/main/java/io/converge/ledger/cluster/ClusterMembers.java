package io.converge.ledger.cluster;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

/**
 * The static member list of a cluster, from {@code LEDGER_CLUSTER_MEMBERS}: either the simple
 * form {@code id=host:port,id=host:port,...}, where each member takes five consecutive UDP
 * ports from {@code port} (client ingress, consensus, log, catch-up, archive control), or
 * Aeron's own {@code id,ingress,consensus,log,catchup,archive|...} form. Immutable.
 */
public final class ClusterMembers {
    /** Offsets from a member's base port in the simple form. */
    static final int INGRESS = 0;
    static final int CONSENSUS = 1;
    static final int LOG = 2;
    static final int CATCHUP = 3;
    static final int ARCHIVE = 4;
    /** Ports a member takes in the simple form. */
    public static final int PORTS_PER_MEMBER = 5;

    /** One member: id, host, and its five endpoints as host:port. */
    public record Member(int id, String ingress, String consensus, String log, String catchup, String archive) {
        /** The host of its ingress endpoint. */
        public String host() {
            return ingress.substring(0, ingress.lastIndexOf(':'));
        }
    }

    private final List<Member> members;

    private ClusterMembers(List<Member> members) {
        this.members = Collections.unmodifiableList(members);
    }

    /**
     * Parses either form.
     *
     * @throws IllegalArgumentException naming what is wrong: a malformed member, a repeated id, fewer than one member
     */
    public static ClusterMembers parse(String text) {
        String trimmed = text == null ? "" : text.trim();
        if (trimmed.isEmpty()) {
            throw new IllegalArgumentException("LEDGER_CLUSTER_MEMBERS is empty");
        }
        List<Member> members = new ArrayList<>();
        if (trimmed.contains("|")) {
            for (String m : trimmed.split("\\|")) {
                if (m.isBlank()) {
                    continue;
                }
                String[] f = m.trim().split(",");
                if (f.length != 6) {
                    throw new IllegalArgumentException("cluster member '" + m + "' must be id,ingress,consensus,log,"
                        + "catchup,archive (Aeron's form)");
                }
                members.add(new Member(id(f[0], m), f[1], f[2], f[3], f[4], f[5]));
            }
        } else {
            for (String m : trimmed.split(",")) {
                String[] f = m.trim().split("=", 2);
                int colon = f.length == 2 ? f[1].lastIndexOf(':') : -1;
                if (colon <= 0) {
                    throw new IllegalArgumentException("cluster member '" + m + "' must be id=host:port");
                }
                String host = f[1].substring(0, colon);
                int port;
                try {
                    port = Integer.parseInt(f[1].substring(colon + 1));
                } catch (NumberFormatException e) {
                    throw new IllegalArgumentException("cluster member '" + m + "' has no port number");
                }
                if (port < 1 || port + PORTS_PER_MEMBER - 1 > 65535) {
                    throw new IllegalArgumentException("cluster member '" + m + "' needs ports " + port + " to "
                        + (port + PORTS_PER_MEMBER - 1) + " within 1..65535");
                }
                members.add(new Member(id(f[0], m), host + ":" + (port + INGRESS), host + ":" + (port + CONSENSUS),
                    host + ":" + (port + LOG), host + ":" + (port + CATCHUP), host + ":" + (port + ARCHIVE)));
            }
        }
        for (int i = 0; i < members.size(); i++) {
            for (int j = 0; j < i; j++) {
                if (members.get(i).id() == members.get(j).id()) {
                    throw new IllegalArgumentException("cluster member id " + members.get(i).id() + " appears twice");
                }
            }
        }
        return new ClusterMembers(members);
    }

    private static int id(String text, String member) {
        try {
            int id = Integer.parseInt(text.trim());
            if (id < 0) {
                throw new NumberFormatException();
            }
            return id;
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("cluster member '" + member + "' has no member id (a number >= 0)");
        }
    }

    public List<Member> members() {
        return members;
    }

    /** The member with {@code id}, or throws naming the ids there are. */
    public Member member(int id) {
        for (Member m : members) {
            if (m.id() == id) {
                return m;
            }
        }
        throw new IllegalArgumentException("LEDGER_CLUSTER_MEMBER_ID " + id + " is not in LEDGER_CLUSTER_MEMBERS (ids "
            + members.stream().map(m -> String.valueOf(m.id())).toList() + ")");
    }

    /** Aeron's form, for the consensus module. */
    public String aeronForm() {
        StringBuilder sb = new StringBuilder();
        for (Member m : members) {
            sb.append(m.id()).append(',').append(m.ingress()).append(',').append(m.consensus()).append(',')
                .append(m.log()).append(',').append(m.catchup()).append(',').append(m.archive()).append('|');
        }
        return sb.toString();
    }

    /** The ingress endpoints, {@code id=host:port,...}, for a cluster client. */
    public String ingressEndpoints() {
        StringBuilder sb = new StringBuilder();
        for (Member m : members) {
            sb.append(sb.length() == 0 ? "" : ",").append(m.id()).append('=').append(m.ingress());
        }
        return sb.toString();
    }

    /** The high 64 bits of every id the cluster issues: from the member ids, the same on every member. */
    long idBits() {
        long h = 0x9E3779B97F4A7C15L;
        for (Member m : members) {
            h = (h ^ m.id()) * 0xBF58476D1CE4E5B9L;
            h ^= h >>> 31;
        }
        return h;
    }

    @Override
    public String toString() {
        return ingressEndpoints();
    }
}
