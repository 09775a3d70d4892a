package io.github.mtasts.resolver.socketmap;

/**
 * A well-framed netstring that is not a socketmap request. It travels down the pipeline like a request so
 * that its error reply takes its turn among pipelined answers.
 */
record MalformedRequest(String payload) {

    /** The reply Postfix gets; it logs the text as the lookup error. */
    static final String REPLY = "PERM malformed request: expected \"<name> <key>\"";
}
