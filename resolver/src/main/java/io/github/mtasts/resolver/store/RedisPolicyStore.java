package io.github.mtasts.resolver.store;

import io.github.mtasts.resolver.discovery.DiscoveryResult.FailureType;
import io.github.mtasts.resolver.policy.MxPattern;
import io.github.mtasts.resolver.policy.PolicyMode;
import io.github.mtasts.resolver.policy.StsPolicy;
import io.lettuce.core.ClientOptions;
import io.lettuce.core.KeyScanCursor;
import io.lettuce.core.RedisClient;
import io.lettuce.core.RedisException;
import io.lettuce.core.RedisURI;
import io.lettuce.core.ScanArgs;
import io.lettuce.core.ScanCursor;
import io.lettuce.core.ScriptOutputType;
import io.lettuce.core.SocketOptions;
import io.lettuce.core.TimeoutOptions;
import io.lettuce.core.api.StatefulRedisConnection;
import io.lettuce.core.api.sync.RedisCommands;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Function;

/**
 * The {@code redis} and {@code redis_sentinel} cache types: policies in a Redis that several daemons share. Redis
 * keeps nothing forever here; every key carries a time to live:
 * <ul>
 *   <li>{@code mtasts:policy:<domain>}, a hash of the policy's fields, lives {@code max_age} plus
 *       {@link #POLICY_GRACE} from its last save. Every save happens at a fetch, confirmation or check, when the
 *       policy's expiry is at most {@code max_age} away, so the key outlives the policy's usability and a daemon
 *       never finds a usable policy gone from Redis.</li>
 *   <li>{@code mtasts:served:<domain>:<policy hash>}, a hash of the served policy, and {@code mtasts:served:<domain>},
 *       a sorted set of the domain's policy hashes scored by first served time, live {@link #RECORD_TTL} from their
 *       last update.</li>
 *   <li>{@code mtasts:failure-count:<day>}, {@code mtasts:failure-detail:<day>}, {@code mtasts:failure-first:<day>}
 *       and {@code mtasts:failure-last:<day>} (epoch seconds), hashes keyed by {@code <domain> <TYPE>}, and
 *       {@code mtasts:failure-days:<domain>}, the set of days with failures of the domain, live {@link #RECORD_TTL}
 *       from their last update. Entries written before the times were kept have none and read as
 *       {@link DiscoveryFailureCount#legacyTime}; they are in no domain's day set, so only the per-day reading sees
 *       them, and they expire within the record ttl.</li>
 *   <li>{@code mtasts:lease:<name>}, the owner's name, lives the lease's ttl.</li>
 * </ul>
 * Read-modify-write steps run as Lua scripts, atomic in Redis, so daemons cannot lose each other's updates.
 *
 * <p>One multiplexed Lettuce connection serves the store. Commands time out after the configured socket timeout and
 * fail at once while the connection is down; Lettuce reconnects by itself with growing delays. When Redis cannot
 * be reached at start-up, the first connection is retried on later calls, no sooner than a delay that doubles up to
 * {@link #MAX_CONNECT_BACKOFF}.
 */
public final class RedisPolicyStore implements PolicyStore {

    /** How long a policy's key outlives the policy's max_age: room for a daemon that rechecks a little late. */
    public static final Duration POLICY_GRACE = Duration.ofDays(1);
    /**
     * How long served-policy and failure records live after their last update: a day's TLSRPT report is built the
     * next day, and a week leaves room for a reporter that was down.
     */
    public static final Duration RECORD_TTL = Duration.ofDays(8);

    static final Duration FIRST_CONNECT_BACKOFF = Duration.ofSeconds(1);
    static final Duration MAX_CONNECT_BACKOFF = Duration.ofSeconds(30);

    private static final String PREFIX = "mtasts:";

    /**
     * KEYS: policy; ARGV: the fields, then the ttl in seconds. One script: no reader sees two policies' fields mixed
     * or a key without expiry.
     */
    private static final String SAVE_POLICY = """
            redis.call('DEL', KEYS[1])
            redis.call('HSET', KEYS[1], 'txt_id', ARGV[1], 'mode', ARGV[2], 'max_age', ARGV[3], 'mx', ARGV[4],
                       'policy_text', ARGV[5], 'fetched_at', ARGV[6], 'expires_at', ARGV[7],
                       'last_checked_at', ARGV[8])
            redis.call('EXPIRE', KEYS[1], ARGV[9])
            return 1""";

    /** KEYS: served record, served index; ARGV: text, mode, first, last, hash, ttl seconds. */
    private static final String POLICY_SERVED = """
            local first = tonumber(ARGV[3])
            local last = tonumber(ARGV[4])
            local known = redis.call('HMGET', KEYS[1], 'first', 'last')
            if known[1] then
              first = math.min(first, tonumber(known[1]))
              last = math.max(last, tonumber(known[2]))
            end
            redis.call('HSET', KEYS[1], 'text', ARGV[1], 'mode', ARGV[2], 'first', string.format('%d', first),
                       'last', string.format('%d', last))
            redis.call('EXPIRE', KEYS[1], ARGV[6])
            redis.call('ZADD', KEYS[2], first, ARGV[5])
            redis.call('EXPIRE', KEYS[2], ARGV[6])
            return 1""";

    /**
     * KEYS: count, detail, first and last hashes, the domain's day set; ARGV: field, detail, ttl seconds, epoch
     * second, day. The detail kept is that of the latest failure, whatever order the daemons write in.
     */
    private static final String DISCOVERY_FAILURE = """
            local at = tonumber(ARGV[4])
            redis.call('HINCRBY', KEYS[1], ARGV[1], 1)
            local first = tonumber(redis.call('HGET', KEYS[3], ARGV[1]))
            if first == nil or at < first then
              redis.call('HSET', KEYS[3], ARGV[1], ARGV[4])
            end
            local last = tonumber(redis.call('HGET', KEYS[4], ARGV[1]))
            if last == nil or at >= last then
              redis.call('HSET', KEYS[4], ARGV[1], ARGV[4])
              redis.call('HSET', KEYS[2], ARGV[1], ARGV[2])
            end
            redis.call('SADD', KEYS[5], ARGV[5])
            for i = 1, 5 do
              redis.call('EXPIRE', KEYS[i], ARGV[3])
            end
            return 1""";

    /** KEYS: lease; ARGV: owner, ttl millis. Redis's clock judges expiry. */
    private static final String TRY_LEASE = """
            local holder = redis.call('GET', KEYS[1])
            if holder == false or holder == ARGV[1] then
              redis.call('SET', KEYS[1], ARGV[1], 'PX', ARGV[2])
              return 1
            end
            return 0""";

    private final String description;
    private final RedisClient client;
    private StatefulRedisConnection<String, String> connection;
    private long nextConnectNanos;
    private Duration connectBackoff = FIRST_CONNECT_BACKOFF;

    private RedisPolicyStore(String description, RedisClient client) {
        this.description = description;
        this.client = client;
    }

    /**
     * A Redis reached by {@code redis://}, {@code rediss://} or {@code unix://} URL (the Python tool's forms).
     *
     * @param username       overrides the URL's user
     * @param password       overrides the URL's password
     * @param database       overrides the URL's database number
     * @param commandTimeout bound of every command (the Python tool's {@code socket_timeout})
     * @param connectTimeout bound of every connection attempt ({@code socket_connect_timeout})
     * @throws IllegalArgumentException for a malformed URL
     */
    public static RedisPolicyStore open(String url, Optional<String> username, Optional<String> password,
                                        Optional<Integer> database, Duration commandTimeout, Duration connectTimeout) {
        // redis-py's unix:///path is Lettuce's redis-socket:///path
        String lettuceUrl = url.startsWith("unix://") ? "redis-socket://" + url.substring("unix://".length()) : url;
        RedisURI parsed;
        try {
            parsed = RedisURI.create(lettuceUrl);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("cache.options.url is not a Redis URL: " + e.getMessage(), e);
        }
        return open(customised(RedisURI.builder(parsed), username, password, database), commandTimeout,
                connectTimeout, "policy cache in Redis at " + (parsed.getSocket() != null ? parsed.getSocket()
                        : parsed.getHost() + ":" + parsed.getPort()));
    }

    /** One Sentinel of {@link #openSentinel}. */
    public record SentinelAddress(String host, int port) {}

    /** The master named {@code masterName}, found through {@code sentinels} (and found again after a failover). */
    public static RedisPolicyStore openSentinel(String masterName, List<SentinelAddress> sentinels,
                                                Optional<String> username, Optional<String> password,
                                                Optional<Integer> database, Duration commandTimeout,
                                                Duration connectTimeout) {
        if (sentinels.isEmpty()) {
            throw new IllegalArgumentException("cache.options.sentinels: at least one sentinel is needed");
        }
        RedisURI.Builder builder = RedisURI.Builder.sentinel(sentinels.get(0).host(), sentinels.get(0).port(),
                masterName);
        for (SentinelAddress sentinel : sentinels.subList(1, sentinels.size())) {
            builder.withSentinel(sentinel.host(), sentinel.port());
        }
        return open(customised(builder, username, password, database), commandTimeout, connectTimeout,
                "policy cache in Redis master " + masterName + " of sentinels " + sentinels.stream()
                        .map(s -> s.host() + ":" + s.port()).toList());
    }

    private static RedisURI.Builder customised(RedisURI.Builder builder, Optional<String> username,
                                               Optional<String> password, Optional<Integer> database) {
        if (password.isPresent()) {
            if (username.isPresent()) {
                builder.withAuthentication(username.get(), password.get());
            } else {
                builder.withPassword(password.get());
            }
        }
        database.ifPresent(builder::withDatabase);
        return builder;
    }

    private static RedisPolicyStore open(RedisURI.Builder uri, Duration commandTimeout, Duration connectTimeout,
                                         String description) {
        RedisClient client = RedisClient.create(uri.withTimeout(commandTimeout).build());
        client.setOptions(ClientOptions.builder()
                .autoReconnect(true)
                // fail at once while disconnected instead of queueing: the cache then serves from memory
                .disconnectedBehavior(ClientOptions.DisconnectedBehavior.REJECT_COMMANDS)
                .socketOptions(SocketOptions.builder().connectTimeout(connectTimeout).build())
                .timeoutOptions(TimeoutOptions.enabled(commandTimeout))
                .build());
        RedisPolicyStore store = new RedisPolicyStore(description, client);
        try {
            store.commands();
        } catch (PolicyStoreException e) {
            // logged by the cache at its first failing call; the next calls retry
        }
        return store;
    }

    private synchronized RedisCommands<String, String> commands() {
        if (connection == null) {
            long now = System.nanoTime();
            if (now - nextConnectNanos < 0) {
                throw new PolicyStoreException(description + ": not connected; retrying within "
                        + connectBackoff.toSeconds() + " s");
            }
            try {
                connection = client.connect();
                connectBackoff = FIRST_CONNECT_BACKOFF;
            } catch (RedisException e) {
                nextConnectNanos = now + connectBackoff.toNanos();
                Duration doubled = connectBackoff.multipliedBy(2);
                connectBackoff = doubled.compareTo(MAX_CONNECT_BACKOFF) > 0 ? MAX_CONNECT_BACKOFF : doubled;
                throw new PolicyStoreException(description + ": cannot connect: " + e.getMessage(), e);
            }
        }
        return connection.sync();
    }

    private <T> T run(String what, Function<RedisCommands<String, String>, T> command) {
        RedisCommands<String, String> commands = commands();
        try {
            return command.apply(commands);
        } catch (RedisException e) {
            throw new PolicyStoreException(description + ": cannot " + what + ": " + e.getMessage(), e);
        }
    }

    private static String policyKey(String domain) {
        return PREFIX + "policy:" + domain;
    }

    private static String servedIndexKey(String domain) {
        return PREFIX + "served:" + domain;
    }

    private static String servedKey(String domain, String hash) {
        return PREFIX + "served:" + domain + ":" + hash;
    }

    @Override
    public Optional<CachedPolicy> load(String domain) {
        Map<String, String> fields = run("load policy of " + domain, c -> c.hgetall(policyKey(domain)));
        return fields.isEmpty() ? Optional.empty() : Optional.of(policy(domain, fields));
    }

    /** Walks the policy keys with SCAN, which never blocks Redis for long; keys expiring meanwhile may be missed. */
    @Override
    public List<CachedPolicy> loadAll() {
        return run("load all policies", c -> {
            List<CachedPolicy> result = new ArrayList<>();
            ScanArgs match = ScanArgs.Builder.matches(policyKey("*")).limit(500);
            KeyScanCursor<String> cursor = c.scan(match);
            while (true) {
                for (String key : cursor.getKeys()) {
                    Map<String, String> fields = c.hgetall(key);
                    if (!fields.isEmpty()) {
                        result.add(policy(key.substring(policyKey("").length()), fields));
                    }
                }
                if (cursor.isFinished()) {
                    break;
                }
                cursor = c.scan(ScanCursor.of(cursor.getCursor()), match);
            }
            result.sort(Comparator.comparing(CachedPolicy::domain));
            return result;
        });
    }

    private CachedPolicy policy(String domain, Map<String, String> f) {
        try {
            StsPolicy policy = new StsPolicy(PolicyMode.valueOf(f.get("mode")), Long.parseLong(f.get("max_age")),
                    PolicyRows.splitLines(f.get("mx")).stream().map(MxPattern::new).toList(),
                    PolicyRows.splitLines(f.get("policy_text")));
            return new CachedPolicy(domain, f.get("txt_id"), policy, epoch(f.get("fetched_at")),
                    epoch(f.get("expires_at")), epoch(f.get("last_checked_at")));
        } catch (RuntimeException e) {
            throw new PolicyStoreException(description + ": unreadable policy of " + domain + ": " + e, e);
        }
    }

    private static Instant epoch(String seconds) {
        return Instant.ofEpochSecond(Long.parseLong(seconds));
    }

    @Override
    public void save(CachedPolicy p) {
        long ttl = p.policy().maxAge() + POLICY_GRACE.toSeconds();
        run("save policy of " + p.domain(), c -> c.eval(SAVE_POLICY, ScriptOutputType.INTEGER,
                new String[] {policyKey(p.domain())},
                p.txtId(), p.policy().mode().name(), Long.toString(p.policy().maxAge()),
                PolicyRows.mxText(p.policy()), ServedPolicy.textOf(p.policy()),
                Long.toString(p.fetchedAt().getEpochSecond()), Long.toString(p.expiresAt().getEpochSecond()),
                Long.toString(p.lastCheckedAt().getEpochSecond()), Long.toString(ttl)));
    }

    @Override
    public void remove(String domain) {
        run("remove policy of " + domain, c -> c.del(policyKey(domain)));
    }

    @Override
    public void policyServed(String domain, StsPolicy policy, Instant from, Instant until) {
        String hash = ServedPolicy.hashOf(policy);
        run("record served policy of " + domain, c -> c.eval(POLICY_SERVED, ScriptOutputType.INTEGER,
                new String[] {servedKey(domain, hash), servedIndexKey(domain)},
                ServedPolicy.textOf(policy), policy.mode().name(), Long.toString(from.getEpochSecond()),
                Long.toString(until.getEpochSecond()), hash, Long.toString(RECORD_TTL.toSeconds())));
    }

    @Override
    public List<ServedPolicy> servedPolicies(String domain) {
        return run("read served policies of " + domain, c -> {
            List<ServedPolicy> result = new ArrayList<>();
            for (String hash : c.zrange(servedIndexKey(domain), 0, -1)) {
                Map<String, String> f = c.hgetall(servedKey(domain, hash));
                if (!f.isEmpty()) {
                    result.add(new ServedPolicy(domain, hash, f.get("text"), PolicyMode.valueOf(f.get("mode")),
                            epoch(f.get("first")), epoch(f.get("last"))));
                }
            }
            result.sort(Comparator.comparing(ServedPolicy::firstServed).thenComparing(ServedPolicy::policyHash));
            return result;
        });
    }

    private static String[] failureKeys(LocalDate day) {
        return new String[] {PREFIX + "failure-count:" + day, PREFIX + "failure-detail:" + day,
            PREFIX + "failure-first:" + day, PREFIX + "failure-last:" + day};
    }

    private static String failureDaysKey(String domain) {
        return PREFIX + "failure-days:" + domain;
    }

    @Override
    public void discoveryFailure(String domain, Instant at, FailureType type, String detail) {
        LocalDate day = DiscoveryFailureCount.dayOf(at);
        String[] keys = Arrays.copyOf(failureKeys(day), 5);
        keys[4] = failureDaysKey(domain);
        run("count discovery failure of " + domain, c -> c.eval(DISCOVERY_FAILURE, ScriptOutputType.INTEGER, keys,
                domain + " " + type.name(), detail, Long.toString(RECORD_TTL.toSeconds()),
                Long.toString(at.getEpochSecond()), day.toString()));
    }

    @Override
    public List<DiscoveryFailureCount> discoveryFailures(LocalDate day) {
        String[] keys = failureKeys(day);
        return run("read discovery failures of " + day, c -> {
            Map<String, String> counts = c.hgetall(keys[0]);
            Map<String, String> details = c.hgetall(keys[1]);
            Map<String, String> firsts = c.hgetall(keys[2]);
            Map<String, String> lasts = c.hgetall(keys[3]);
            List<DiscoveryFailureCount> result = new ArrayList<>();
            for (Map.Entry<String, String> e : counts.entrySet()) {
                String field = e.getKey();
                int space = field.indexOf(' ');
                result.add(failure(field.substring(0, space), day, FailureType.valueOf(field.substring(space + 1)),
                        e.getValue(), details.get(field), firsts.get(field), lasts.get(field)));
            }
            result.sort(Comparator.comparing(DiscoveryFailureCount::domain)
                    .thenComparing(DiscoveryFailureCount::type));
            return result;
        });
    }

    @Override
    public List<DiscoveryFailureCount> discoveryFailures(String domain) {
        return run("read discovery failures of " + domain, c -> {
            List<DiscoveryFailureCount> result = new ArrayList<>();
            for (String day : c.smembers(failureDaysKey(domain))) {
                LocalDate parsed = LocalDate.parse(day);
                String[] keys = failureKeys(parsed);
                for (FailureType type : FailureType.values()) {
                    String field = domain + " " + type.name();
                    String count = c.hget(keys[0], field);
                    if (count != null) {
                        result.add(failure(domain, parsed, type, count, c.hget(keys[1], field),
                                c.hget(keys[2], field), c.hget(keys[3], field)));
                    }
                }
            }
            result.sort(PolicyRows.FAILURES_IN_TIME);
            return result;
        });
    }

    /** One failure count from its hash fields; absent times are those of a legacy entry. */
    private static DiscoveryFailureCount failure(String domain, LocalDate day, FailureType type, String count,
                                                 String detail, String first, String last) {
        Instant legacy = DiscoveryFailureCount.legacyTime(day);
        return new DiscoveryFailureCount(domain, day, type, Long.parseLong(count), detail == null ? "" : detail,
                first == null ? legacy : epoch(first), last == null ? legacy : epoch(last));
    }

    @Override
    public boolean tryLease(String name, String owner, Duration ttl) {
        Long taken = run("take lease " + name, c -> c.eval(TRY_LEASE, ScriptOutputType.INTEGER,
                new String[] {PREFIX + "lease:" + name}, owner, Long.toString(Math.max(1, ttl.toMillis()))));
        return taken == 1L;
    }

    @Override
    public synchronized void close() {
        if (connection != null) {
            connection.close();
        }
        // no quiet period: the store thread has finished its work when the cache closes the store
        client.shutdown(Duration.ZERO, Duration.ofSeconds(2));
    }
}
