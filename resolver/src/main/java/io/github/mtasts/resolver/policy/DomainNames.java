package io.github.mtasts.resolver.policy;

/** Host-name syntax shared by report fields and TLSRPT destinations. */
public final class DomainNames {

    private static final int MAX_NAME = 253;
    private static final int MAX_LABEL = 63;

    private DomainNames() {
    }

    /**
     * True for an ASCII host name: dot-separated labels of 1-63 letters, digits and hyphens, not starting or
     * ending with a hyphen, at most 253 characters (RFC 1123 §2.1); IDNs are expected as A-labels.
     */
    public static boolean isHostName(String name) {
        if (name.isEmpty() || name.length() > MAX_NAME) {
            return false;
        }
        for (String label : name.split("\\.", -1)) {
            if (label.isEmpty() || label.length() > MAX_LABEL || label.startsWith("-") || label.endsWith("-")) {
                return false;
            }
            for (int i = 0; i < label.length(); i++) {
                char c = label.charAt(i);
                if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-')) {
                    return false;
                }
            }
        }
        return true;
    }
}
