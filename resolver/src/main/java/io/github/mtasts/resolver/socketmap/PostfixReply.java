package io.github.mtasts.resolver.socketmap;

import io.github.mtasts.resolver.policy.DaneVerdict;
import io.github.mtasts.resolver.policy.MxPattern;
import io.github.mtasts.resolver.policy.PolicyOverride;
import io.github.mtasts.resolver.policy.StsPolicy;
import java.util.List;
import java.util.Objects;

/**
 * The socketmap reply to Postfix's {@code smtp_tls_policy_maps} for a policy in a zone.
 *
 * <ul>
 * <li>{@code enforce}: {@code OK secure match=<patterns>}, patterns in policy order in their
 *     {@link MxPattern#postfixMatch()} form joined by ':', plus {@code servername=hostname} when the
 *     zone requires SNI;</li>
 * <li>{@code testing}: {@code NOTFOUND } (Postfix applies its default TLS level) unless the zone has
 *     {@code strict_testing}, then as for enforce;</li>
 * <li>{@code none}: {@code NOTFOUND }.</li>
 * </ul>
 *
 * <p>With {@code tlsrpt} on, the reply carries the attributes Postfix 3.10 and later need to report
 * the session to TLSRPT (RFC 8460). Their syntax is documented in Postfix's {@code TLSRPT_README}
 * ("MTA-STS Support via smtp_tls_policy_maps", Postfix 3.10): whitespace-separated
 * {@code policy_type=sts}, {@code policy_domain=<name>}, one {@code mx_host_pattern=<pattern>} per
 * {@code mx} line (pattern as published, {@code *.} kept), and one
 * {@code { policy_string = <line> }} per policy line, the braces protecting the whitespace inside the
 * line. postfix-tlspol emits the same shape. The README also says these attributes are an error on a
 * non-STS policy, so they are added only to a {@code secure} answer. A policy line containing '{'
 * or '}' (possible only in extension fields, never in version, mode, max_age or mx) is left out of
 * the policy strings: it would unbalance Postfix's brace parsing, the lookup would fail and mail
 * would be deferred, which an optional report detail must never cause.
 */
public final class PostfixReply {

    /** The answer for a DANE destination without an enforced MTA-STS policy: Postfix's opportunistic DANE. */
    public static final String DANE = "OK dane";
    /** The answer for a DANE destination with an enforced MTA-STS policy: authenticated TLS is required. */
    public static final String DANE_ONLY = "OK dane-only";

    /** The socketmap "no policy" answer; Postfix then applies its default TLS security level. */
    public static final String NOT_FOUND = "NOTFOUND ";

    /**
     * Zone options that shape the reply.
     *
     * @param strictTesting answer {@code testing} policies as if they were {@code enforce}
     * @param requireSni    add {@code servername=hostname} (send SNI with the MX host name)
     * @param tlsrpt        add the Postfix 3.10 TLSRPT attributes
     */
    public record ReplyOptions(boolean strictTesting, boolean requireSni, boolean tlsrpt) {
    }

    private PostfixReply() {
    }

    /** The reply for {@code policy}, discovered for {@code policyDomain}, for a next hop reached through its MX hosts. */
    public static String forPolicy(String policyDomain, StsPolicy policy, ReplyOptions options) {
        return forPolicy(policyDomain, policy, options, true);
    }

    /**
     * The reply for {@code policy}, discovered for {@code policyDomain}; {@code viaMx} is false for a next hop Postfix
     * connects to without an MX lookup ({@code [host]}, {@code [host]:port}: a smart host named after the policy
     * domain). Such a reply carries no {@code mx_host_pattern}: Postfix 3.10.5 and later
     * ({@code smtp_tls_enforce_sts_mx_patterns}) would check the relay's own name, the policy domain, against the
     * policy's MX patterns, skip the relay and defer every message. Without them, Postfix matches the relay's
     * certificate against {@code match=}, the policy's MX patterns, as every earlier Postfix does; the other TLSRPT
     * attributes still report the session under the policy.
     */
    public static String forPolicy(String policyDomain, StsPolicy policy, ReplyOptions options, boolean viaMx) {
        Objects.requireNonNull(policyDomain, "policyDomain");
        Objects.requireNonNull(options, "options");
        boolean secure = switch (policy.mode()) {
            case ENFORCE -> true;
            case TESTING -> options.strictTesting();
            case NONE -> false;
        };
        if (!secure) {
            return NOT_FOUND;
        }
        List<MxPattern> mx = policy.mx();
        StringBuilder reply = new StringBuilder(estimateLength(policyDomain, policy, options));
        reply.append("OK secure match=");
        for (int i = 0; i < mx.size(); i++) {
            if (i > 0) {
                reply.append(':');
            }
            MxPattern pattern = mx.get(i);
            // postfixMatch() without the substring: "*.x" is written from its '.' on
            reply.append(pattern.pattern(), pattern.isWildcard() ? 1 : 0, pattern.pattern().length());
        }
        if (options.requireSni()) {
            reply.append(" servername=hostname");
        }
        if (options.tlsrpt()) {
            reply.append(" policy_type=sts policy_domain=").append(policyDomain);
            if (viaMx) {
                for (MxPattern pattern : mx) {
                    reply.append(" mx_host_pattern=").append(pattern.pattern());
                }
            }
            for (String line : policy.lines()) {
                if (line.indexOf('{') < 0 && line.indexOf('}') < 0) {
                    reply.append(" { policy_string = ").append(line).append(" }");
                }
            }
        }
        return reply.toString();
    }

    /**
     * The answer for a zone with {@code dane: on}, from the MTA-STS answer {@code stsReply} for the same domain and
     * zone and the domain's DANE verdict. RFC 8461 §2: MTA-STS must not override DANE (RFC 7672), so where DANE
     * applies, or cannot be ruled out, Postfix gets a DANE level and does its own TLSA lookups per MX host,
     * deferring on bogus data. With a {@code secure} MTA-STS answer the level is {@code dane-only}, which never
     * accepts an unauthenticated connection; otherwise {@code dane}, which falls back as Postfix's opportunistic
     * DANE does. No other attributes follow: {@code match} and {@code servername} do not apply to DANE, and
     * Postfix reports a DANE session to TLSRPT as policy type {@code tlsa} itself, ignoring {@code policy_type}
     * (smtp_tlsrpt.c). Where DANE does not apply the MTA-STS answer stands unchanged.
     */
    public static String withDane(String stsReply, DaneVerdict verdict) {
        if (verdict == DaneVerdict.DOES_NOT_APPLY) {
            return stsReply;
        }
        return stsReply.startsWith("OK secure") ? DANE_ONLY : DANE;
    }

    /**
     * The reply for an administrator's override. {@code none} is {@code NOTFOUND }; {@code secure} is rendered as an
     * MTA-STS answer is, with {@code servername=hostname} when the zone requires SNI; the other outcomes are Postfix
     * security levels and answered as the bare word. No TLSRPT attributes: the policy is not an MTA-STS one, and
     * Postfix's TLSRPT_README calls them an error on a non-STS policy.
     */
    public static String forOverride(PolicyOverride override, boolean requireSni) {
        return switch (override.outcome()) {
            case NONE -> NOT_FOUND;
            case MAY -> "OK may";
            case ENCRYPT -> "OK encrypt";
            case DANE -> "OK dane";
            case DANE_ONLY -> "OK dane-only";
            case SECURE -> "OK secure match=" + override.postfixMatch() + (requireSni ? " servername=hostname" : "");
        };
    }

    private static int estimateLength(String policyDomain, StsPolicy policy, ReplyOptions options) {
        int length = 40;
        for (MxPattern pattern : policy.mx()) {
            length += pattern.pattern().length() + 1;
        }
        if (options.tlsrpt()) {
            length *= 2;
            length += 40 + policyDomain.length();
            for (String line : policy.lines()) {
                length += line.length() + 24;
            }
        }
        return length;
    }
}
