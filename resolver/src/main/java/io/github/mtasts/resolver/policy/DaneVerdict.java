package io.github.mtasts.resolver.policy;

/** Whether DANE (RFC 7672) governs delivery to a next-hop domain, from its {@link DaneState}. */
public enum DaneVerdict {
    /** The MX RRset is secure and at least one MX host has usable secure TLSA records. */
    APPLIES,
    /** No host has usable TLSA records and the MX lookup or some host's TLSA lookup is indeterminate. */
    INDETERMINATE,
    /** Insecure MX RRset, or no host with usable TLSA records and nothing indeterminate. */
    DOES_NOT_APPLY
}
