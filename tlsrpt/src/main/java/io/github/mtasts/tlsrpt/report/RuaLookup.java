package io.github.mtasts.tlsrpt.report;

import io.github.mtasts.resolver.dns.DnsTxtLookup;
import io.github.mtasts.resolver.dns.TxtLookupResult;
import io.github.mtasts.resolver.policy.TlsRptRecord;
import io.github.mtasts.resolver.policy.TlsRptRecordException;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;

/**
 * Looks up a policy domain's TLSRPT record at {@code _smtp._tls.<policy-domain>} (RFC 8460 §3) through the
 * resolver's DNS layer, when its report is built.
 */
public final class RuaLookup {

    private final DnsTxtLookup dns;

    public RuaLookup(DnsTxtLookup dns) {
        this.dns = Objects.requireNonNull(dns, "dns");
    }

    /** Never completes exceptionally. */
    public CompletableFuture<RuaLookupResult> lookup(String policyDomain) {
        String name = "_smtp._tls." + policyDomain;
        return dns.lookupTxt(name).thenApply(answer -> interpret(name, answer));
    }

    private static RuaLookupResult interpret(String name, TxtLookupResult answer) {
        if (answer instanceof TxtLookupResult.Records records) {
            try {
                return new RuaLookupResult.Found(TlsRptRecord.select(records.texts()));
            } catch (TlsRptRecordException e) {
                return new RuaLookupResult.NotReporting(name + ": " + e.getMessage());
            }
        }
        if (answer instanceof TxtLookupResult.NoRecord none) {
            return new RuaLookupResult.NotReporting(none.reason());
        }
        return new RuaLookupResult.LookupFailed(((TxtLookupResult.Failure) answer).detail());
    }
}
