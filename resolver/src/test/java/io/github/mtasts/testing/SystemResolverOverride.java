package io.github.mtasts.testing;

import org.xbill.DNS.ResolverConfig;

/**
 * Points dnsjava's system resolver configuration at a test DNS server until closed. dnsjava reads the
 * {@code dns.server} property before {@code /etc/resolv.conf}, so this exercises the same code path as a host's
 * own resolver configuration.
 */
public final class SystemResolverOverride implements AutoCloseable {
    private static final String PROPERTY = "dns.server";

    private final String before;

    private SystemResolverOverride(String hostPort) {
        before = System.getProperty(PROPERTY);
        System.setProperty(PROPERTY, hostPort);
        ResolverConfig.refresh();
    }

    public static SystemResolverOverride pointingAt(String hostPort) {
        return new SystemResolverOverride(hostPort);
    }

    @Override
    public void close() {
        if (before == null) {
            System.clearProperty(PROPERTY);
        } else {
            System.setProperty(PROPERTY, before);
        }
        ResolverConfig.refresh();
    }
}
