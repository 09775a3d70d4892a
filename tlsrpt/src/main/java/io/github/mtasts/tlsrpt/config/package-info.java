/** The {@code tlsrpt:} section of the one configuration file, read by this module from the resolver's file. */
package io.github.mtasts.tlsrpt.config;
