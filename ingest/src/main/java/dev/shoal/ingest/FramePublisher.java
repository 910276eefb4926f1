package dev.shoal.ingest;

import com.google.protobuf.UnsafeByteOperations;
import dev.shoal.core.kafka.Topics;
import dev.shoal.core.proto.Frame;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Metrics;
import io.micrometer.core.instrument.Tags;
import io.micrometer.core.instrument.Timer;
import java.io.IOException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import org.apache.kafka.clients.producer.Producer;
import org.apache.kafka.clients.producer.ProducerRecord;

/**
 * Publishes a source's frames on {@code shoal.frames.v1}, keyed by session so one experiment stays
 * ordered in one partition.
 *
 * <p>Finite sources get back-pressure: they are decoded on a thread of their own a few frames ahead
 * of sending ({@link FrameReadAhead}), which waits when the producer's buffer is full; nothing is
 * dropped; the last frame carries {@code last = true}; when the source fails (a damaged file), the
 * frames read before the damage are published and flushed, then the error is rethrown.
 *
 * <p>Live sources never wait for the broker: a reading thread hands frames to the publishing thread
 * through a bounded queue that drops the oldest frame when full, so memory stays bounded (queue plus
 * producer buffer) and drops are counted. No live frame is marked last as it is sent (that would
 * hold each frame back until the next one arrives); instead, when the live source ends or is stopped
 * cleanly, an end marker follows its frames: a frame record with {@code last = true}, the next index,
 * the last frame's times and size, and no pixels, so the stages downstream finish the session. It is
 * not counted as a published frame.
 *
 * <p>Meters (tagged session and camera): {@code shoal.ingest.frames.read}, {@code .published} (acknowledged),
 * {@code .dropped}; {@code shoal.ingest.read.time} (time in the source's next(): decoding, and on live
 * sources waiting for the frame); {@code shoal.ingest.publish.latency} (send to acknowledgement);
 * {@code shoal.ingest.source.fps} (frames read per second over the last second).
 */
public final class FramePublisher {

    /**
     * Frames a live source may have waiting for the producer before the oldest is dropped: about a
     * second of video, enough for the burst FFmpeg delivers after probing a stream (32 MiB at 1024x1024).
     */
    public static final int DEFAULT_LIVE_QUEUE_FRAMES = 32;

    /**
     * Frames a finite source is decoded ahead of sending: enough to keep the producer busy while the
     * decoder waits on its threads, few enough to stay small next to the producer's own buffer.
     */
    static final int READ_AHEAD_FRAMES = 4;

    private final Producer<String, Frame> producer;
    private final String session;
    private final String camera;
    private final int liveQueueFrames;
    private final Counter readCounter;
    private final Counter publishedCounter;
    private final Counter droppedCounter;
    private final Timer readTimer;
    private final Timer publishLatency;
    private final AtomicLong published = new AtomicLong();
    private final AtomicLong read = new AtomicLong();
    private final AtomicReference<Exception> failure = new AtomicReference<>();
    private volatile long decodeNanos;
    private volatile double sourceFps;
    private volatile boolean stopping;
    private volatile Thread reader;
    private volatile FrameHandoff handoff;
    private long fpsWindowStart = Long.MIN_VALUE;
    private long fpsWindowFrames;

    /** Meters go to Micrometer's global registry. */
    public FramePublisher(Producer<String, Frame> producer, String session, String camera) {
        this(producer, session, camera, Metrics.globalRegistry, DEFAULT_LIVE_QUEUE_FRAMES);
    }

    public FramePublisher(Producer<String, Frame> producer, String session, String camera, MeterRegistry registry,
                          int liveQueueFrames) {
        if (liveQueueFrames < 1) {
            throw new IllegalArgumentException("live queue must hold at least one frame");
        }
        this.producer = producer;
        this.session = session;
        this.camera = camera;
        this.liveQueueFrames = liveQueueFrames;
        Tags tags = Tags.of("session", session, "camera", camera);
        readCounter = Counter.builder("shoal.ingest.frames.read").tags(tags).register(registry);
        publishedCounter = Counter.builder("shoal.ingest.frames.published").tags(tags)
                .description("Frames the broker acknowledged").register(registry);
        droppedCounter = Counter.builder("shoal.ingest.frames.dropped").tags(tags)
                .description("Frames of a live source dropped because publishing fell behind").register(registry);
        readTimer = Timer.builder("shoal.ingest.read.time").tags(tags)
                .description("Time to get each frame from the source (decoding, and waiting on live sources)")
                .register(registry);
        publishLatency = Timer.builder("shoal.ingest.publish.latency").tags(tags)
                .description("From send to the broker's acknowledgement").register(registry);
        Gauge.builder("shoal.ingest.source.fps", this, p -> p.sourceFps).tags(tags)
                .description("Frames read per second over the last second").register(registry);
    }

    /**
     * Reads {@code source} to its end (or until {@link #stop()}), publishing its frames, and waits
     * until the broker has them all.
     *
     * @return the number of frames sent; 0 when the source had none
     */
    public long publishAll(FrameSource source) throws IOException, InterruptedException {
        long sent = source.live() ? publishLive(source) : publishFinite(source);
        if (Thread.currentThread().isInterrupted()) {
            throw new InterruptedException("frame publishing interrupted");
        }
        requireNoFailure();
        return sent;
    }

    private long publishFinite(FrameSource source) throws IOException, InterruptedException {
        long sent = 0;
        try (FrameReadAhead ahead = new FrameReadAhead(() -> read(source), READ_AHEAD_FRAMES)) {
            reader = ahead.start();
            if (stopping) {
                return 0;
            }
            VideoFrame current = ahead.next();
            while (current != null && !stopping && !Thread.currentThread().isInterrupted()) {
                VideoFrame following;
                try {
                    following = ahead.next();
                } catch (IOException | RuntimeException e) {
                    send(current, source, false);
                    throw e;
                }
                // A stop ends decoding too; the frame in hand is not the recording's last.
                send(current, source, following == null && !stopping);
                // send() has serialised the record: the pixels are free for a later frame.
                source.recycle(current);
                current = following;
                sent++;
                requireNoFailure();
            }
        } finally {
            producer.flush();
        }
        return sent;
    }

    private long publishLive(FrameSource source) throws IOException, InterruptedException {
        FrameHandoff queue = new FrameHandoff(liveQueueFrames);
        handoff = queue;
        AtomicReference<Exception> readFailure = new AtomicReference<>();
        Thread thread = new Thread(() -> {
            try {
                VideoFrame f;
                while (!stopping && (f = read(source)) != null) {
                    droppedCounter.increment(queue.put(f));
                }
            } catch (Exception e) {
                if (!stopping) {
                    readFailure.set(e);
                }
            }
        }, "shoal-ingest-reader");
        reader = thread;
        thread.start();
        long sent = 0;
        VideoFrame lastSent = null;
        boolean clean = false;
        try {
            while (!stopping) {
                VideoFrame f = queue.take(50);
                if (f != null) {
                    send(f, source, false);
                    lastSent = f;
                    sent++;
                    requireNoFailure();
                } else if (!thread.isAlive() && queue.depth() == 0) {
                    break;
                }
            }
            clean = true;
        } finally {
            stopping = true;
            thread.interrupt();
            joinUninterruptibly(thread);
            droppedCounter.increment(queue.discard());
            if (clean && lastSent != null && readFailure.get() == null) {
                producer.send(new ProducerRecord<>(Topics.FRAMES, session, endMarker(lastSent, source)),
                        (metadata, error) -> {
                            if (error != null) {
                                failure.compareAndSet(null, error);
                            }
                        });
            }
            producer.flush();
        }
        Exception error = readFailure.get();
        if (error instanceof IOException io) {
            throw io;
        }
        if (error instanceof RuntimeException runtime) {
            throw runtime;
        }
        return sent;
    }

    /** The caller closes the source after publishAll returns, so the reader must be gone first. */
    private static void joinUninterruptibly(Thread thread) {
        boolean interrupted = false;
        while (thread.isAlive()) {
            try {
                thread.join();
            } catch (InterruptedException e) {
                interrupted = true;
            }
        }
        if (interrupted) {
            Thread.currentThread().interrupt();
        }
    }

    /** Ends {@link #publishAll} after the frame in hand; returns at once. Frames still queued are dropped. */
    public void stop() {
        stopping = true;
        Thread thread = reader;
        if (thread != null) {
            thread.interrupt();
        }
    }

    private VideoFrame read(FrameSource source) throws IOException {
        long start = System.nanoTime();
        VideoFrame f = source.next();
        long end = System.nanoTime();
        decodeNanos += end - start;
        if (f != null) {
            read.incrementAndGet();
            readCounter.increment();
            readTimer.record(end - start, TimeUnit.NANOSECONDS);
            measureFps(end);
        }
        return f;
    }

    private void measureFps(long now) {
        if (fpsWindowStart == Long.MIN_VALUE) {
            fpsWindowStart = now;
        }
        fpsWindowFrames++;
        long elapsed = now - fpsWindowStart;
        if (elapsed >= 1_000_000_000L) {
            sourceFps = fpsWindowFrames * 1e9 / elapsed;
            fpsWindowStart = now;
            fpsWindowFrames = 0;
        }
    }

    private void send(VideoFrame f, FrameSource source, boolean last) {
        long sentAt = System.nanoTime();
        producer.send(new ProducerRecord<>(Topics.FRAMES, session, toRecord(f, source, last)), (metadata, error) -> {
            if (error == null) {
                published.incrementAndGet();
                publishedCounter.increment();
                publishLatency.record(System.nanoTime() - sentAt, TimeUnit.NANOSECONDS);
            } else {
                failure.compareAndSet(null, error);
            }
        });
    }

    // A send that failed after the producer's retries fails the run rather than leave a silent gap.
    private void requireNoFailure() throws IOException {
        Exception error = failure.get();
        if (error != null) {
            throw new IOException("publishing frames to " + Topics.FRAMES + " failed: " + error.getMessage(), error);
        }
    }

    private Frame toRecord(VideoFrame f, FrameSource source, boolean last) {
        return Frame.newBuilder()
                .setSession(session)
                .setCamera(camera)
                .setIndex(f.index())
                .setCaptureTimeNs(f.captureTimeNs())
                .setWallTimeNs(f.wallTimeNs())
                .setMediaTimeS(f.mediaTimeS())
                .setWidth(f.width())
                .setHeight(f.height())
                // The pixel array is never written after decoding, so wrapping it saves a copy per frame.
                .setPixels(UnsafeByteOperations.unsafeWrap(f.gray()))
                .setFps(source.fps())
                .setFrameCount(Math.max(0, source.frameCount()))
                .setLast(last)
                .build();
    }

    /** The end of a live session: last, one past the last frame sent, without pixels. */
    private Frame endMarker(VideoFrame lastSent, FrameSource source) {
        return Frame.newBuilder()
                .setSession(session)
                .setCamera(camera)
                .setIndex(lastSent.index() + 1)
                .setCaptureTimeNs(lastSent.captureTimeNs())
                .setWallTimeNs(lastSent.wallTimeNs())
                .setMediaTimeS(lastSent.mediaTimeS())
                .setWidth(lastSent.width())
                .setHeight(lastSent.height())
                .setFps(source.fps())
                .setFrameCount(Math.max(0, source.frameCount()))
                .setLast(true)
                .build();
    }

    /** Frames the broker has acknowledged (a live session's end marker is not one). */
    public long published() {
        return published.get();
    }

    /** Frames read from the source so far. */
    public long framesRead() {
        return read.get();
    }

    /** Frames of a live source dropped so far because publishing fell behind. */
    public long dropped() {
        FrameHandoff queue = handoff;
        return queue == null ? 0 : queue.dropped();
    }

    /** Most frames a live source had waiting at once (at most the queue's capacity). */
    public int peakQueuedFrames() {
        FrameHandoff queue = handoff;
        return queue == null ? 0 : queue.peakDepth();
    }

    /** Time spent decoding so far. */
    public long decodeNanos() {
        return decodeNanos;
    }
}
