package dev.shoal.segmenter;

import dev.shoal.segmenter.proto.LinkerState;
import dev.shoal.segmenter.proto.PreviousBlob;
import java.nio.IntBuffer;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * Links the blobs of consecutive frames of one session into fragments (idtracker.ai's rule): a blob
 * continues the fragment of a previous-frame blob when its pixels overlap exactly that one blob and
 * that blob overlaps only it; otherwise it starts a new fragment. A blob is a crossing when it
 * starts a fragment and is larger than one animal or overlaps two or more previous blobs, or when it
 * continues a crossing (a blob continuing a single animal stays one, whatever its area); except in a
 * frame with exactly as many blobs as animals, none larger than one animal, where every blob must be
 * one animal (a crossing that ended without splitting, e.g. one animal faded, starts a new fragment).
 */
public final class FragmentLinker {

    /** Fragment id and crossing flag per blob, in the order of {@link Segmentation#blobs()}. */
    public record Links(long[] fragments, boolean[] crossing) {
    }

    private final int maxSingleArea;
    private final int animals;
    private long nextFragment = 1;
    private Segmentation previous;
    private Links previousLinks;
    /** Index in the previous frame's blob list by label, -1 for dropped components. */
    private int[] previousIndexOfLabel = new int[0];

    /**
     * @param maxSingleArea largest blob, in pixels, that holds one animal
     * @param animals       animals in the arena, 0 if unknown
     */
    public FragmentLinker(int maxSingleArea, int animals) {
        this.maxSingleArea = maxSingleArea;
        this.animals = animals;
    }

    public Links link(Segmentation current) {
        List<DetectedBlob> blobs = current.blobs();
        int n = blobs.size();
        long[] fragments = new long[n];
        boolean[] crossing = new boolean[n];
        int[] onlyOverlap = new int[n];
        int[] overlapCount = new int[n];
        int[] previousOverlapCount = previous == null ? new int[0] : new int[previous.blobs().size()];
        if (previous != null) {
            countOverlaps(current, onlyOverlap, overlapCount, previousOverlapCount);
        }
        boolean allSingle = animals > 0 && n == animals;
        for (int i = 0; allSingle && i < n; i++) {
            allSingle = blobs.get(i).area() <= maxSingleArea;
        }
        for (int i = 0; i < n; i++) {
            DetectedBlob blob = blobs.get(i);
            boolean continues = overlapCount[i] == 1 && previousOverlapCount[onlyOverlap[i]] == 1;
            if (allSingle) {
                crossing[i] = false;
                fragments[i] = continues && !previousLinks.crossing()[onlyOverlap[i]]
                        ? previousLinks.fragments()[onlyOverlap[i]] : nextFragment++;
            } else if (continues) {
                fragments[i] = previousLinks.fragments()[onlyOverlap[i]];
                // Continuing one blob that continues only here gains no detected animal: a single animal
                // that grows past the area range (posture, lighting) stays one, or its identity is lost
                // for as long as it stays apart (hard-20: fragments of 160-200 frames).
                crossing[i] = previousLinks.crossing()[onlyOverlap[i]];
            } else {
                fragments[i] = nextFragment++;
                crossing[i] = blob.area() > maxSingleArea || overlapCount[i] > 1;
            }
        }
        Links links = new Links(fragments, crossing);
        remember(current, links);
        return links;
    }

    /**
     * For each current blob, how many previous blobs its pixels touch (and the last one seen); for
     * each previous blob, how many current blobs touch it. Only the current blobs' bounding boxes are
     * scanned.
     */
    private void countOverlaps(Segmentation current, int[] onlyOverlap, int[] overlapCount, int[] previousOverlapCount) {
        IntBuffer now = current.labels();
        IntBuffer before = previous.labels();
        int width = current.width();
        List<DetectedBlob> blobs = current.blobs();
        boolean[] seen = new boolean[previousOverlapCount.length];
        // Rows are copied in bulk: reading the label images pixel by pixel through the buffers is slower.
        int[] nowRow = new int[width];
        int[] beforeRow = new int[width];
        for (int i = 0; i < blobs.size(); i++) {
            DetectedBlob blob = blobs.get(i);
            Arrays.fill(seen, false);
            int w = blob.width();
            for (int y = blob.top(); y < blob.top() + blob.height(); y++) {
                int row = y * width + blob.left();
                now.get(row, nowRow, 0, w);
                before.get(row, beforeRow, 0, w);
                for (int x = 0; x < w; x++) {
                    int was = beforeRow[x];
                    if (was == 0 || nowRow[x] != blob.label()) {
                        continue;
                    }
                    int j = was < previousIndexOfLabel.length ? previousIndexOfLabel[was] : -1;
                    if (j >= 0 && !seen[j]) {
                        seen[j] = true;
                        onlyOverlap[i] = j;
                        overlapCount[i]++;
                        previousOverlapCount[j]++;
                    }
                }
            }
        }
    }

    /**
     * The linker's state: the next fragment id and the previous frame's blobs, links and pixels (as
     * row runs, a few per blob row, instead of the whole label image).
     */
    public LinkerState state() {
        LinkerState.Builder state = LinkerState.newBuilder().setNextFragment(nextFragment).setHasPrevious(previous != null);
        if (previous == null) {
            return state.build();
        }
        IntBuffer labels = previous.labels();
        int width = previous.width();
        for (int i = 0; i < previous.blobs().size(); i++) {
            DetectedBlob b = previous.blobs().get(i);
            PreviousBlob.Builder blob = state.addPreviousBuilder().setLabel(b.label()).setX(b.x()).setY(b.y())
                    .setArea(b.area()).setLeft(b.left()).setTop(b.top()).setWidth(b.width()).setHeight(b.height())
                    .setOrientation(b.orientation()).setElongation(b.elongation())
                    .setFragment(previousLinks.fragments()[i]).setCrossing(previousLinks.crossing()[i]);
            for (int y = b.top(); y < b.top() + b.height(); y++) {
                int row = y * width;
                int x = b.left();
                while (x < b.left() + b.width()) {
                    if (labels.get(row + x) != b.label()) {
                        x++;
                        continue;
                    }
                    int start = x;
                    while (x < b.left() + b.width() && labels.get(row + x) == b.label()) {
                        x++;
                    }
                    blob.addRuns(y).addRuns(start).addRuns(x - start);
                }
            }
        }
        return state.build();
    }

    /** A linker that continues from {@code state}, taken by {@link #state()} on frames of this size. */
    public static FragmentLinker restore(LinkerState state, int width, int height, int maxSingleArea, int animals) {
        FragmentLinker linker = new FragmentLinker(maxSingleArea, animals);
        linker.nextFragment = state.getNextFragment();
        if (state.getHasPrevious()) {
            int[] labels = new int[width * height];
            List<DetectedBlob> blobs = new ArrayList<>();
            long[] fragments = new long[state.getPreviousCount()];
            boolean[] crossing = new boolean[fragments.length];
            for (int i = 0; i < fragments.length; i++) {
                PreviousBlob b = state.getPrevious(i);
                blobs.add(new DetectedBlob(b.getLabel(), b.getX(), b.getY(), b.getArea(), b.getLeft(), b.getTop(),
                        b.getWidth(), b.getHeight(), b.getOrientation(), b.getElongation()));
                fragments[i] = b.getFragment();
                crossing[i] = b.getCrossing();
                for (int r = 0; r + 2 < b.getRunsCount(); r += 3) {
                    int from = b.getRuns(r) * width + b.getRuns(r + 1);
                    Arrays.fill(labels, from, from + b.getRuns(r + 2), b.getLabel());
                }
            }
            // Components dropped as noise are 0 here, as unmatched labels were before: neither links.
            linker.remember(new Segmentation(width, height, List.copyOf(blobs), IntBuffer.wrap(labels), 0),
                    new Links(fragments, crossing));
        }
        return linker;
    }

    private void remember(Segmentation current, Links links) {
        int maxLabel = 0;
        for (DetectedBlob blob : current.blobs()) {
            maxLabel = Math.max(maxLabel, blob.label());
        }
        previousIndexOfLabel = new int[maxLabel + 1];
        Arrays.fill(previousIndexOfLabel, -1);
        for (int i = 0; i < current.blobs().size(); i++) {
            previousIndexOfLabel[current.blobs().get(i).label()] = i;
        }
        previous = current;
        previousLinks = links;
    }
}
