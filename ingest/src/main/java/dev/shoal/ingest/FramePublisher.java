package dev.shoal.ingest;

import com.google.protobuf.UnsafeByteOperations;
import dev.shoal.core.kafka.Topics;
import dev.shoal.core.proto.Frame;
import java.io.IOException;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import org.apache.kafka.clients.producer.Producer;
import org.apache.kafka.clients.producer.ProducerRecord;

/**
 * Publishes a source's frames on {@code shoal.frames.v1}, keyed by session so one experiment stays
 * ordered in one partition. The last frame of a finite source carries {@code last = true}. A full
 * producer buffer blocks the loop: files get back-pressure, nothing is dropped.
 */
public final class FramePublisher {

    private final Producer<String, Frame> producer;
    private final String session;
    private final String camera;
    private final AtomicLong published = new AtomicLong();
    private final AtomicReference<Exception> failure = new AtomicReference<>();
    private volatile long decodeNanos;

    public FramePublisher(Producer<String, Frame> producer, String session, String camera) {
        this.producer = producer;
        this.session = session;
        this.camera = camera;
    }

    /**
     * Reads {@code source} to its end, publishing every frame, and waits until the broker has them all.
     *
     * @return the number of frames published; 0 when the source had none
     */
    public long publishAll(FrameSource source) throws IOException, InterruptedException {
        long decodeStart = System.nanoTime();
        VideoFrame current = source.next();
        long sent = 0;
        long decoding = System.nanoTime() - decodeStart;
        while (current != null && !Thread.currentThread().isInterrupted()) {
            decodeStart = System.nanoTime();
            VideoFrame following = source.next();
            decoding += System.nanoTime() - decodeStart;
            decodeNanos = decoding;
            Frame frame = toRecord(current, source, following == null);
            producer.send(new ProducerRecord<>(Topics.FRAMES, session, frame), (metadata, error) -> {
                if (error == null) {
                    published.incrementAndGet();
                } else {
                    failure.compareAndSet(null, error);
                }
            });
            current = following;
            sent++;
        }
        producer.flush();
        if (Thread.currentThread().isInterrupted()) {
            throw new InterruptedException("frame publishing interrupted");
        }
        // A send that failed after the producer's retries fails the run rather than leave a silent gap.
        Exception error = failure.get();
        if (error != null) {
            throw new IOException("publishing frames to " + Topics.FRAMES + " failed: " + error.getMessage(), error);
        }
        return sent;
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

    /** Frames the broker has acknowledged. */
    public long published() {
        return published.get();
    }

    /** Time spent decoding so far. */
    public long decodeNanos() {
        return decodeNanos;
    }
}
