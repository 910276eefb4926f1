package dev.shoal.identifier.evaluation;

import java.util.List;
import java.util.NavigableMap;

/**
 * A sequence of observations grouped by frame, as read from one file.
 *
 * @param source     where it came from, for messages
 * @param frames     observations per frame index, in frame order; frames with none are absent
 * @param identities the identity labels as written in the source; an observation's identity is an
 *                   index into this list
 * @param <T>        {@link PointObservation} or {@link BoxObservation}
 */
public record FrameSeries<T>(String source, NavigableMap<Long, List<T>> frames, List<String> identities) {

    /** Number of observations over all frames. */
    public long size() {
        return frames.values().stream().mapToLong(List::size).sum();
    }
}
