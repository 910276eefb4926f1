package dev.shoal.trainer;

import com.google.protobuf.ByteString;
import dev.shoal.core.proto.GlobalFragment;
import dev.shoal.core.proto.IndividualFragment;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;

/**
 * A session's global fragments as the segmenter would publish them, made from {@link SpottedCrops}:
 * every animal is in a fragment at all times; between two global fragments two animals cross, so
 * their fragments end and new ones start while the others' fragments carry on (and are sent again,
 * with the same crops, in the next global fragment). Knows each fragment's true identity.
 */
final class SyntheticGlobalFragments {

    private final SpottedCrops textures;
    private final int animals;
    private final int minCrops;
    private final int maxCrops;
    private final Random random;
    private final Map<Long, Integer> identities = new HashMap<>();
    private final IndividualFragment[] current;
    private long nextFragment = 100;
    private long nextGlobal = 1;
    private long frame;

    /** @param minCrops,maxCrops the range of crops per fragment (drawn uniformly) */
    SyntheticGlobalFragments(SpottedCrops textures, int animals, int minCrops, int maxCrops, long seed) {
        this.textures = textures;
        this.animals = animals;
        this.minCrops = minCrops;
        this.maxCrops = maxCrops;
        this.random = new Random(seed);
        this.current = new IndividualFragment[animals];
    }

    /** The next {@code count} global fragments of {@code session}. */
    List<GlobalFragment> next(String session, int count) {
        List<GlobalFragment> out = new ArrayList<>(count);
        for (int g = 0; g < count; g++) {
            if (current[0] == null) {
                for (int a = 0; a < animals; a++) {
                    current[a] = newFragment(a);
                }
            } else {
                int a = random.nextInt(animals);
                int b = (a + 1 + random.nextInt(animals - 1)) % animals;
                current[a] = newFragment(a);
                current[b] = newFragment(b);
            }
            GlobalFragment.Builder global = GlobalFragment.newBuilder().setSession(session).setId(nextGlobal++)
                    .setFirstFrame(frame).setLastFrame(frame + 10).setCaptureTimeNs(frame);
            // Members in a shuffled order, so labels 0..N-1 of a first global fragment are not the identities.
            List<IndividualFragment> members = new ArrayList<>(List.of(current));
            Collections.shuffle(members, random);
            global.addAllFragments(members);
            frame += 20;
            out.add(global.build());
        }
        return out;
    }

    /** The end-of-session marker. */
    GlobalFragment endMarker(String session) {
        return GlobalFragment.newBuilder().setSession(session).setId(-1).setLastFrame(frame).setLast(true).build();
    }

    /** The true identity (0-based) of a fragment made here. */
    int identityOf(long fragment) {
        return identities.get(fragment);
    }

    private IndividualFragment newFragment(int animal) {
        long id = nextFragment++;
        identities.put(id, animal);
        int crops = minCrops + random.nextInt(maxCrops - minCrops + 1);
        IndividualFragment.Builder f = IndividualFragment.newBuilder().setId(id).setFirstFrame(frame)
                .setLastFrame(frame + crops).setCropSize(textures.cropSize());
        for (int k = 0; k < crops; k++) {
            f.addCrops(ByteString.copyFrom(textures.render(animal, random)));
        }
        return f.build();
    }
}
