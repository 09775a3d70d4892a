package io.github.mtasts.tlsrpt.datagrams;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.StreamReadConstraints;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;
import io.github.mtasts.resolver.policy.DomainNames;
import io.github.mtasts.resolver.policy.PolicySyntaxException;
import io.github.mtasts.resolver.policy.StsPolicy;
import io.github.mtasts.tlsrpt.aggregate.TlsaPolicy;
import io.github.mtasts.tlsrpt.datagrams.MalformedDatagramException.Reason;
import io.github.mtasts.tlsrpt.datagrams.TlsrptDatagram.ReportedFailure;
import io.github.mtasts.tlsrpt.datagrams.TlsrptDatagram.ReportedPolicy;
import io.github.mtasts.tlsrpt.sessions.IpLiterals;
import io.github.mtasts.tlsrpt.sessions.PolicyType;
import io.github.mtasts.tlsrpt.sessions.ResultType;

import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Decodes one libtlsrpt datagram, protocol version "1" (sys4 libtlsrpt {@code libtlsrpt.c}; field by field in
 * {@code PROTOCOL.md} of the captured examples): a JSON object with {@code dpv}, {@code d}, {@code pr} and
 * {@code policies}, each policy with {@code policy-type} 1/2/9, {@code policy-domain}, optional
 * {@code policy-string}, {@code mx-host} and {@code failure-details}, and the count {@code t} and final result
 * {@code f}. Strict: an unknown or missing field, a wrong type, a duplicate key or contradicting counts give a
 * {@link MalformedDatagramException} naming the field. Thread-safe.
 */
public final class DatagramDecoder {
    /**
     * The largest datagram accepted. A Postfix datagram carries at most an MTA-STS policy's lines (the resolver
     * refuses a policy body over {@link StsPolicy#MAX_BODY_BYTES}, and Postfix's socketmap reply is capped at
     * 100,000 bytes), its mx patterns (a subset of those lines) and one failure detail whose largest part is the
     * EHLO reply (a few lines of at most Postfix's {@code line_length_limit}, 2048 bytes). That is under 200 KiB
     * even with every character escaped; and a sender cannot send an AF_UNIX datagram larger than its socket
     * send buffer ({@code net.core.wmem_default}, 212,992 bytes on Linux), so nothing larger arrives from Postfix
     * under default settings. Anything above this is not Postfix's.
     */
    public static final int MAX_DATAGRAM_BYTES = 256 * 1024;
    /** libtlsrpt's policy types: RFC 8460 §4.3 names them. */
    private static final Map<Integer, PolicyType> POLICY_TYPES = Map.of(1, PolicyType.TLSA, 2, PolicyType.STS,
            9, PolicyType.NO_POLICY_FOUND);
    /** libtlsrpt's result codes ({@code enum tlsrpt_failure_t}), the RFC 8460 §4.3 result types. */
    private static final Map<Integer, ResultType> RESULT_CODES = Map.ofEntries(
            Map.entry(201, ResultType.STARTTLS_NOT_SUPPORTED),
            Map.entry(202, ResultType.CERTIFICATE_HOST_MISMATCH),
            Map.entry(203, ResultType.CERTIFICATE_NOT_TRUSTED),
            Map.entry(204, ResultType.CERTIFICATE_EXPIRED),
            Map.entry(205, ResultType.VALIDATION_FAILURE),
            Map.entry(301, ResultType.STS_POLICY_FETCH_ERROR),
            Map.entry(302, ResultType.STS_POLICY_INVALID),
            Map.entry(303, ResultType.STS_WEBPKI_INVALID),
            Map.entry(304, ResultType.TLSA_INVALID),
            Map.entry(305, ResultType.DNSSEC_INVALID),
            Map.entry(306, ResultType.DANE_REQUIRED));
    private static final Set<String> DATAGRAM_KEYS = Set.of("dpv", "d", "pr", "policies");
    private static final Set<String> POLICY_KEYS = Set.of("policy-type", "policy-domain", "policy-string",
            "mx-host", "failure-details", "t", "f");
    private static final Set<String> FAILURE_KEYS = Set.of("c", "s", "n", "h", "r", "a", "f");
    /** The first line of an EHLO reply: its code, a separator and the name the server gave. */
    private static final Pattern EHLO_NAME = Pattern.compile("\\d{3}[- ]([^\\s]+).*", Pattern.DOTALL);
    /**
     * The longest failure reason code and EHLO name kept. Both are parts of a failure's key in the store, and a
     * PostgreSQL index entry holds at most about 2,700 bytes: with these the whole key stays under 2,000 bytes
     * even in 3-byte UTF-8. Postfix's codes are short OpenSSL names ({@code self-signed_certificate}).
     */
    static final int MAX_REASON_LENGTH = 256;
    private static final int MAX_HOST_NAME_LENGTH = 253;
    /** Postfix sends one policy; libtlsrpt allows more, never many (one per policy kind a sender applies). */
    private static final int MAX_POLICIES = 8;

    private final ObjectMapper json = JsonMapper.builder()
            .enable(JsonParser.Feature.STRICT_DUPLICATE_DETECTION)
            .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS)
            .build();

    public DatagramDecoder() {
        json.getFactory().setStreamReadConstraints(StreamReadConstraints.builder().maxNestingDepth(16).build());
    }

    /**
     * The datagram in {@code bytes}, its payload. Bytes that are not UTF-8 (libtlsrpt passes bytes of 0x80 and
     * above through unchanged, and an EHLO reply may carry any) are read as U+FFFD rather than refused: the rest of
     * the report is still Postfix's.
     */
    public TlsrptDatagram decode(byte[] bytes) throws MalformedDatagramException {
        if (bytes.length > MAX_DATAGRAM_BYTES) {
            throw new MalformedDatagramException(Reason.OVERSIZE, "datagram of " + bytes.length
                    + " bytes, more than the " + MAX_DATAGRAM_BYTES + " bytes a Postfix report can have");
        }
        JsonNode root;
        try {
            root = json.readTree(utf8(bytes));
        } catch (JsonProcessingException e) {
            throw new MalformedDatagramException(Reason.NOT_JSON, "not a JSON object: "
                    + e.getOriginalMessage());
        }
        if (root == null || root.isMissingNode()) {
            throw new MalformedDatagramException(Reason.NOT_JSON, "not a JSON object: empty datagram");
        }
        if (!root.isObject()) {
            throw new MalformedDatagramException(Reason.NOT_JSON, "not a JSON object: a JSON "
                    + root.getNodeType().name().toLowerCase(Locale.ROOT));
        }
        onlyKeys(root, DATAGRAM_KEYS, "");
        String dpv = text(root, "dpv", "dpv");
        if (!dpv.equals("1")) {
            throw new MalformedDatagramException(Reason.UNSUPPORTED_VERSION, "dpv: protocol version \""
                    + dpv + "\", only \"1\" is known");
        }
        String domain = domain(root, "d", "d");
        String record = text(root, "pr", "pr");
        JsonNode policies = required(root, "policies", "policies");
        if (!policies.isArray()) {
            throw bad("policies", "expected an array, got " + kind(policies));
        }
        if (policies.isEmpty() || policies.size() > MAX_POLICIES) {
            throw bad("policies", "expected 1 to " + MAX_POLICIES + " policies, got " + policies.size());
        }
        List<ReportedPolicy> decoded = new ArrayList<>(policies.size());
        for (int i = 0; i < policies.size(); i++) {
            decoded.add(policy(policies.get(i), "policies[" + i + "]"));
        }
        return new TlsrptDatagram(domain, record, decoded);
    }

    private static String utf8(byte[] bytes) {
        try {
            return StandardCharsets.UTF_8.newDecoder().onMalformedInput(CodingErrorAction.REPLACE)
                    .onUnmappableCharacter(CodingErrorAction.REPLACE).decode(ByteBuffer.wrap(bytes)).toString();
        } catch (CharacterCodingException e) {
            throw new IllegalStateException("a replacing decoder does not throw", e);
        }
    }

    private static ReportedPolicy policy(JsonNode node, String path) throws MalformedDatagramException {
        if (!node.isObject()) {
            throw bad(path, "expected an object, got " + kind(node));
        }
        onlyKeys(node, POLICY_KEYS, path + ".");
        int typeCode = integer(node, "policy-type", path);
        PolicyType type = POLICY_TYPES.get(typeCode);
        if (type == null) {
            throw bad(path + ".policy-type", "unknown policy type " + typeCode + " (expected 1 tlsa, 2 sts or 9"
                    + " no-policy-found)");
        }
        String policyDomain = domain(node, "policy-domain", path + ".policy-domain");
        List<String> strings = strings(node, "policy-string", path);
        List<String> mxHosts = strings(node, "mx-host", path);
        if (type == PolicyType.NO_POLICY_FOUND && (!strings.isEmpty() || !mxHosts.isEmpty())) {
            throw new MalformedDatagramException(Reason.INCONSISTENT, path + ": policy type 9 (no-policy-found)"
                    + " with a policy-string or mx-host");
        }
        List<ReportedFailure> failures = new ArrayList<>();
        JsonNode details = node.get("failure-details");
        if (details != null) {
            if (!details.isArray()) {
                throw bad(path + ".failure-details", "expected an array, got " + kind(details));
            }
            for (int i = 0; i < details.size(); i++) {
                failures.add(failure(details.get(i), path + ".failure-details[" + i + "]"));
            }
        }
        int count = integer(node, "t", path);
        if (count != failures.size()) {
            throw new MalformedDatagramException(Reason.INCONSISTENT, path + ".t: " + count
                    + " failure details announced, " + failures.size() + " sent");
        }
        int result = integer(node, "f", path);
        if (result != 0 && result != 1) {
            throw bad(path + ".f", "expected 0 (success) or 1 (failure), got " + result);
        }
        if (result == 0 && !failures.isEmpty()) {
            throw new MalformedDatagramException(Reason.INCONSISTENT, path + ".f: 0 (success) with "
                    + failures.size() + " failure details");
        }
        if (result == 1 && failures.size() != 1) {
            throw new MalformedDatagramException(Reason.INCONSISTENT, path + ".f: 1 (failure) needs exactly one"
                    + " failure detail, as Postfix sends, got " + failures.size());
        }
        if (type == PolicyType.TLSA) {
            strings = tlsaRecords(policyDomain, strings, path + ".policy-string");
        }
        Optional<StsPolicy> sts = Optional.empty();
        if (type == PolicyType.STS && !strings.isEmpty()) {
            try {
                sts = Optional.of(StsPolicy.parse(String.join("\n", strings)));
            } catch (PolicySyntaxException notAPolicy) {
                // counted under an sts policy of unknown text (RFC 8460 §4.3 allows that) rather than refused: the
                // handshake happened, whatever the socketmap that Postfix asked sent as the policy
                sts = Optional.empty();
            }
        }
        return new ReportedPolicy(type, policyDomain, strings, mxHosts, sts,
                failures.isEmpty() ? Optional.empty() : Optional.of(failures.get(0)));
    }

    /**
     * A tlsa policy's strings, Postfix's {@code "usage selector mtype hex"} per record (its hex is upper case), in
     * the form the aggregate keeps; the policy domain is the TLSA base domain, the MX host.
     */
    private static List<String> tlsaRecords(String mxHost, List<String> strings, String path)
            throws MalformedDatagramException {
        List<String> records = strings.stream().map(r -> r.toLowerCase(Locale.ROOT)).toList();
        try {
            new TlsaPolicy(mxHost, records);
        } catch (IllegalArgumentException e) {
            throw bad(path, e.getMessage());
        }
        return records;
    }

    private static ReportedFailure failure(JsonNode node, String path) throws MalformedDatagramException {
        if (!node.isObject()) {
            throw bad(path, "expected an object, got " + kind(node));
        }
        onlyKeys(node, FAILURE_KEYS, path + ".");
        int code = integer(node, "c", path);
        ResultType result = RESULT_CODES.get(code);
        if (result == null) {
            throw bad(path + ".c", "unknown result code " + code + " (expected 201 to 205 or 301 to 306)");
        }
        String ehlo = optionalText(node, "h", path);
        String reason = optionalText(node, "f", path);
        if (reason.length() > MAX_REASON_LENGTH) {
            throw bad(path + ".f", "longer than " + MAX_REASON_LENGTH + " characters (" + reason.length() + ")");
        }
        return new ReportedFailure(result, ipLiteral(node, "s", path), hostName(node, "n", path), ehlo,
                ehloName(ehlo), ipLiteral(node, "r", path), optionalText(node, "a", path), reason);
    }

    /**
     * The name in the first line of an EHLO reply ({@code 250-mx.example.com}), what RFC 8460 §4.4 calls the
     * {@code receiving-mx-helo}; empty when there is no reply, it has no name where one goes, or the name is longer
     * than a host name can be.
     */
    static String ehloName(String reply) {
        Matcher first = EHLO_NAME.matcher(reply);
        if (!first.matches()) {
            return "";
        }
        String name = first.group(1);
        int lineEnd = name.indexOf('\r');
        String firstLine = lineEnd < 0 ? name : name.substring(0, lineEnd);
        return firstLine.length() > MAX_HOST_NAME_LENGTH ? "" : firstLine;
    }

    /** {@code key}, empty or an IP address literal: the report shows it as one (RFC 8460 §4.4). */
    private static String ipLiteral(JsonNode node, String key, String path) throws MalformedDatagramException {
        String value = optionalText(node, key, path);
        if (!value.isEmpty() && !IpLiterals.isIpLiteral(value)) {
            throw bad(path + "." + key, "expected an IP address, got " + quoted(value));
        }
        return value;
    }

    /** {@code key}, empty or a host name: the report shows it as one (RFC 8460 §4.4). */
    private static String hostName(JsonNode node, String key, String path) throws MalformedDatagramException {
        String value = optionalText(node, key, path);
        String bare = value.endsWith(".") ? value.substring(0, value.length() - 1) : value;
        if (!value.isEmpty() && !DomainNames.isHostName(bare)) {
            throw bad(path + "." + key, "expected a host name, got " + quoted(value));
        }
        return bare.toLowerCase(Locale.ROOT);
    }

    private static void onlyKeys(JsonNode node, Set<String> keys, String prefix) throws MalformedDatagramException {
        for (Iterator<String> names = node.fieldNames(); names.hasNext(); ) {
            String name = names.next();
            if (!keys.contains(name)) {
                throw new MalformedDatagramException(Reason.UNKNOWN_FIELD, prefix + quoted(name)
                        + ": not a field of protocol version 1 (expected " + String.join(", ",
                        keys.stream().sorted().toList()) + ")");
            }
        }
    }

    private static JsonNode required(JsonNode node, String key, String path) throws MalformedDatagramException {
        JsonNode value = node.get(key);
        if (value == null) {
            throw new MalformedDatagramException(Reason.MISSING_FIELD, path + ": required field missing");
        }
        return value;
    }

    private static String text(JsonNode node, String key, String path) throws MalformedDatagramException {
        JsonNode value = required(node, key, path);
        if (!value.isTextual()) {
            throw bad(path, "expected a string, got " + kind(value));
        }
        return value.textValue();
    }

    private static String optionalText(JsonNode node, String key, String path) throws MalformedDatagramException {
        JsonNode value = node.get(key);
        if (value == null) {
            return "";
        }
        if (!value.isTextual()) {
            throw bad(path + "." + key, "expected a string, got " + kind(value));
        }
        return value.textValue();
    }

    private static String domain(JsonNode node, String key, String path) throws MalformedDatagramException {
        String domain = text(node, key, path);
        String bare = domain.endsWith(".") ? domain.substring(0, domain.length() - 1) : domain;
        if (!DomainNames.isHostName(bare)) {
            throw bad(path, "expected a domain name (A-labels, at most 253 characters), got " + quoted(domain));
        }
        return bare.toLowerCase(Locale.ROOT);
    }

    private static int integer(JsonNode node, String key, String path) throws MalformedDatagramException {
        JsonNode value = required(node, key, path + "." + key);
        if (!value.isIntegralNumber() || !value.canConvertToInt()) {
            throw bad(path + "." + key, "expected an integer, got " + kind(value));
        }
        return value.intValue();
    }

    private static List<String> strings(JsonNode node, String key, String path) throws MalformedDatagramException {
        JsonNode value = node.get(key);
        if (value == null) {
            return List.of();
        }
        if (!value.isArray()) {
            throw bad(path + "." + key, "expected an array of strings, got " + kind(value));
        }
        List<String> strings = new ArrayList<>(value.size());
        for (int i = 0; i < value.size(); i++) {
            if (!value.get(i).isTextual()) {
                throw bad(path + "." + key + "[" + i + "]", "expected a string, got " + kind(value.get(i)));
            }
            strings.add(value.get(i).textValue());
        }
        return strings;
    }

    private static MalformedDatagramException bad(String path, String why) {
        return new MalformedDatagramException(Reason.BAD_VALUE, path + ": " + why);
    }

    /** The JSON type of {@code value} and, for a scalar, the value itself, shortened. */
    private static String kind(JsonNode value) {
        String type = value.getNodeType().name().toLowerCase(Locale.ROOT);
        if (value.isContainerNode()) {
            return "an " + (value.isArray() ? "array" : "object");
        }
        String text = value.toString();
        return type + " " + (text.length() > 40 ? text.substring(0, 40) + "..." : text);
    }

    private static String quoted(String text) {
        return "\"" + (text.length() > 64 ? text.substring(0, 64) + "..." : text) + "\"";
    }
}
