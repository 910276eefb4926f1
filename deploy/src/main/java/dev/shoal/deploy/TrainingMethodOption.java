package dev.shoal.deploy;

import dev.shoal.trainer.TrainingMethod;
import picocli.CommandLine.Option;

/** {@code --training-method}: how {@code track} and {@code live} learn identities. */
final class TrainingMethodOption {

    @Option(names = "--training-method", defaultValue = "CLASSIC", paramLabel = "METHOD",
            description = "How the trainer learns identities: CLASSIC (idtracker.ai's: cross-entropy on the first"
                    + " global fragment, then accumulation), PAIRWISE (plus a loss on the pairs fragments label:"
                    + " same fragment, same animal; coexisting, different) or CONTRASTIVE (an embedding learnt"
                    + " from those pairs, clustered into the animals) (default: ${DEFAULT-VALUE}).")
    TrainingMethod method;
}
