package io.github.mtasts.tlsrpt.inbound;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.nightcode.milter.net.MilterGatewayManager;
import org.nightcode.milter.net.ServerFactory;

/** The milter's listener: jmilter's Netty server speaking the milter protocol to Postfix over TCP. */
public final class MilterServer implements AutoCloseable {

    private static final long BIND_TIMEOUT_SECONDS = 10;

    private final MilterGatewayManager<InetSocketAddress> gateway;
    private final InetSocketAddress address;

    private MilterServer(MilterGatewayManager<InetSocketAddress> gateway, InetSocketAddress address) {
        this.gateway = gateway;
        this.address = address;
    }

    /** Binds {@code address} and serves {@code milter} until closed. */
    public static MilterServer start(InetSocketAddress address, ReportMilter milter) throws MilterStartException {
        // jmilter retries a failed bind every second forever; a quick probe turns a taken port into an error
        try (ServerSocket probe = new ServerSocket()) {
            probe.setReuseAddress(true);
            probe.bind(address);
        } catch (IOException e) {
            throw new MilterStartException("cannot listen for Postfix on " + address + ": " + e.getMessage(), e);
        }
        MilterGatewayManager<InetSocketAddress> gateway =
                new MilterGatewayManager<>(ServerFactory.tcpIpFactory(address), milter);
        try {
            gateway.bind().get(BIND_TIMEOUT_SECONDS, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            gateway.close();
            throw new MilterStartException("interrupted while binding the milter to " + address, e);
        } catch (ExecutionException | TimeoutException e) {
            gateway.close();
            Throwable cause = e instanceof ExecutionException ? e.getCause() : e;
            throw new MilterStartException("cannot listen for Postfix on " + address + ": " + cause, cause);
        }
        return new MilterServer(gateway, address);
    }

    public InetSocketAddress address() {
        return address;
    }

    @Override
    public void close() {
        gateway.close();
    }

    /** The listener could not be opened. */
    public static final class MilterStartException extends Exception {
        MilterStartException(String message, Throwable cause) {
            super(message, cause);
        }
    }
}
