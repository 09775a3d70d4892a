package io.github.mtasts.resolver.store;

import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.Objects;
import java.util.Optional;

/**
 * The {@code dsn} of {@code cache: {type: postgres}}, a libpq connection URI
 * ({@code postgresql://[user[:password]@][host[:port][,...]][/dbname][?param=value&...]}), as the JDBC driver takes it.
 *
 * @param jdbcUrl  {@code jdbc:postgresql://host:port/dbname?params} (user and password removed)
 * @param user     the URI's user, percent-decoded
 * @param password the URI's password, percent-decoded
 */
public record PostgresDsn(String jdbcUrl, Optional<String> user, Optional<String> password) {

    public PostgresDsn {
        Objects.requireNonNull(jdbcUrl, "jdbcUrl");
        Objects.requireNonNull(user, "user");
        Objects.requireNonNull(password, "password");
    }

    /** @throws IllegalArgumentException naming what is wrong with {@code dsn} */
    public static PostgresDsn parse(String dsn) {
        String rest;
        if (dsn.startsWith("postgresql://")) {
            rest = dsn.substring("postgresql://".length());
        } else if (dsn.startsWith("postgres://")) {
            rest = dsn.substring("postgres://".length());
        } else {
            throw new IllegalArgumentException("dsn must be a postgres:// or postgresql:// URI: " + redact(dsn));
        }
        int query = rest.indexOf('?');
        String params = query < 0 ? "" : rest.substring(query);
        rest = query < 0 ? rest : rest.substring(0, query);
        int slash = rest.indexOf('/');
        String authority = slash < 0 ? rest : rest.substring(0, slash);
        String database = slash < 0 ? "" : rest.substring(slash + 1);
        int at = authority.lastIndexOf('@');
        String userInfo = at < 0 ? null : authority.substring(0, at);
        String hosts = at < 0 ? authority : authority.substring(at + 1);
        // the JDBC driver speaks TCP only; libpq's socket-directory hosts (%2Frun%2Fpostgresql) cannot be honoured
        if (hosts.startsWith("%2F") || hosts.startsWith("%2f") || params.contains("host=%2F")
                || params.contains("host=/")) {
            throw new IllegalArgumentException("dsn names a Unix-domain socket directory, which the JDBC driver"
                    + " cannot reach; give host:port instead (e.g. postgresql://user@127.0.0.1:5432/db): "
                    + redact(dsn));
        }
        Optional<String> user = Optional.empty();
        Optional<String> password = Optional.empty();
        if (userInfo != null) {
            int colon = userInfo.indexOf(':');
            user = Optional.of(decode(colon < 0 ? userInfo : userInfo.substring(0, colon))).filter(u -> !u.isEmpty());
            password = colon < 0 ? Optional.empty() : Optional.of(decode(userInfo.substring(colon + 1)));
        }
        return new PostgresDsn("jdbc:postgresql://" + (hosts.isEmpty() ? "localhost" : hosts) + "/" + database
                + params, user, password);
    }

    private static String decode(String part) {
        return URLDecoder.decode(part.replace("+", "%2B"), StandardCharsets.UTF_8);
    }

    /** The dsn without its password, for messages. */
    public static String redact(String dsn) {
        return dsn.replaceFirst("://([^:/@]*):[^@/]*@", "://$1:***@");
    }
}
