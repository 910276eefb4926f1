package dev.shoal.deploy;

import dev.shoal.ingest.arena.ArenaSource;
import dev.shoal.ingest.arena.TruthRow;
import java.util.List;

/**
 * Lets an {@code arena:} source be opened (and its spec checked) before the broker is up: ground truth
 * goes nowhere until a publisher is attached, which happens before the first frame is read.
 */
final class DeferredTruthListener implements ArenaSource.TruthListener {

    private volatile ArenaSource.TruthListener target = ArenaSource.TruthListener.NONE;

    void attach(ArenaSource.TruthListener listener) {
        target = listener;
    }

    @Override
    public void truth(long index, long captureTimeNs, List<TruthRow> truth) {
        target.truth(index, captureTimeNs, truth);
    }
}
