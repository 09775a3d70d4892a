package io.github.mtasts.resolver.check;

import java.util.Objects;

/**
 * One line of the check's result.
 *
 * @param section what part of the set-up was checked
 * @param subject the thing checked within the section (a TXT name, an MX host and address, a policy field)
 * @param status  OK, WARN or FAIL
 * @param reason  what was found, precisely enough to fix it
 */
public record CheckItem(CheckSection section, String subject, CheckStatus status, String reason) {

    public CheckItem {
        Objects.requireNonNull(section, "section");
        Objects.requireNonNull(subject, "subject");
        Objects.requireNonNull(status, "status");
        Objects.requireNonNull(reason, "reason");
    }

    static CheckItem ok(CheckSection section, String subject, String reason) {
        return new CheckItem(section, subject, CheckStatus.OK, reason);
    }

    static CheckItem warn(CheckSection section, String subject, String reason) {
        return new CheckItem(section, subject, CheckStatus.WARN, reason);
    }

    static CheckItem fail(CheckSection section, String subject, String reason) {
        return new CheckItem(section, subject, CheckStatus.FAIL, reason);
    }
}
