package io.github.mtasts.it;

import java.util.concurrent.CountDownLatch;

/**
 * A whole mail world in a JVM of its own, run through the namespace wrapper by {@link WorldTearDownTest}: the
 * world, our daemon and a sending Postfix with a deferred message in its queue, then it waits to be killed.
 * It never closes anything on purpose: tear-down must not depend on the JVM getting to clean up.
 */
final class WorldProcess {

    /** Printed on stdout once everything is running. */
    static final String READY = "mail world up";

    private WorldProcess() {
    }

    public static void main(String[] args) throws InterruptedException {
        MailWorld world = MailWorld.start();
        MtastsDaemon daemon = MtastsDaemon.start(world, world.newDirectory("daemon"));
        SendingPostfix sender = world.newSender(daemon.table("postfix"));
        Delivery delivery = sender.sendAndAwait(SendingPostfix.uniqueRecipient("selfsigned.test"));
        if (!delivery.deferred()) {
            throw new IllegalStateException("expected a deferred message in the queue: " + delivery);
        }
        System.out.println(READY);
        System.out.flush();
        new CountDownLatch(1).await();
    }
}
