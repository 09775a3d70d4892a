package io.github.mtasts.resolver.policy;

/** RFC 8461 §3.2 policy modes; names are case-sensitive on the wire. */
public enum PolicyMode {
    ENFORCE("enforce"),
    TESTING("testing"),
    NONE("none");

    private final String wireName;

    PolicyMode(String wireName) {
        this.wireName = wireName;
    }

    public String wireName() {
        return wireName;
    }
}
