/** Text from outside made safe for our own output (log lines). Pure, no I/O; both modules use it. */
package io.github.mtasts.resolver.text;
