package dev.shoal.deploy.serve;

import dev.shoal.core.kafka.PipelineService;
import java.io.PrintWriter;
import java.util.concurrent.CountDownLatch;

/**
 * Runs one service until it fails or the process is told to stop (SIGTERM, Ctrl-C): the stop asks
 * the service to end after the work in hand (committing it) and waits until its clients are closed.
 */
final class ServiceRunner {

    private ServiceRunner() {
    }

    /** @return 0 after a requested stop, 1 when the service failed */
    static int run(String name, PipelineService service, PrintWriter err) throws InterruptedException {
        CountDownLatch stopped = new CountDownLatch(1);
        Thread hook = new Thread(() -> {
            service.stop();
            try {
                stopped.await();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }, "shoal-serve-stop");
        Runtime.getRuntime().addShutdownHook(hook);
        Thread thread = new Thread(service, "shoal-serve-" + name);
        err.println("serve " + name + ": running");
        err.flush();
        thread.start();
        service.awaitStopped();
        thread.join();
        Throwable failure = service.failure();
        if (failure != null) {
            err.println("serve " + name + ": failed: " + failure.getMessage());
        } else {
            err.println("serve " + name + ": stopped");
        }
        err.flush();
        stopped.countDown();
        try {
            Runtime.getRuntime().removeShutdownHook(hook);
        } catch (IllegalStateException shuttingDown) {
            // The hook is running: it returns now that the service has stopped.
        }
        return failure == null ? 0 : 1;
    }
}
