package io.github.mtasts.tlsrpt.aggregate;

import java.util.List;

/**
 * Our own outgoing addresses, from config: Postfix does not log which one a connection left from. A session is
 * attributed to the first configured address of the receiving IP's family (IPv6 to IPv6), else to the first.
 */
public record SendingMtaIps(List<String> addresses) {
    public SendingMtaIps {
        addresses = List.copyOf(addresses);
    }

    /** The sending address for a session to {@code receivingIp} (null when unknown); empty when none is configured. */
    public String forReceivingIp(String receivingIp) {
        if (addresses.isEmpty()) {
            return "";
        }
        if (receivingIp != null) {
            boolean v6 = receivingIp.indexOf(':') >= 0;
            for (String address : addresses) {
                if ((address.indexOf(':') >= 0) == v6) {
                    return address;
                }
            }
        }
        return addresses.get(0);
    }
}
