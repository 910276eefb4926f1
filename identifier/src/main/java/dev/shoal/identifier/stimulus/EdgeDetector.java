package dev.shoal.identifier.stimulus;

import java.util.HashMap;
import java.util.Map;

/**
 * Remembers a condition per key and reports its rising edges. A key's first observation only sets
 * its state, so a rule does not fire for every animal that is already inside a zone at start-up.
 */
final class EdgeDetector<K> {

    private final Map<K, Boolean> last = new HashMap<>();

    /** True when {@code condition} holds now and did not at this key's previous observation. */
    boolean rises(K key, boolean condition) {
        Boolean before = last.put(key, condition);
        return condition && before != null && !before;
    }
}
