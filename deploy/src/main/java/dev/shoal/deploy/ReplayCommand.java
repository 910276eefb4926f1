package dev.shoal.deploy;

import dev.shoal.core.kafka.KafkaSettings;
import dev.shoal.core.kafka.TopicAdmin;
import dev.shoal.ingest.FrameReplayer;
import dev.shoal.ingest.ReplaySpeed;
import dev.shoal.ingest.StreamPosition;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.time.Duration;
import java.util.Locale;
import java.util.UUID;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code shoal replay --session S}: republishes a recorded session at its recorded pace, faster, or at once. */
@Command(name = "replay", mixinStandardHelpOptions = true,
        description = "Re-read a recorded session from shoal.frames.v1 and republish it under a new session.")
public final class ReplayCommand implements Callable<Integer> {

    @Option(names = "--session", required = true, paramLabel = "ID", description = "Recorded session to replay.")
    String session;

    @Option(names = "--from", paramLabel = "FRAME|TIME",
            description = "First frame: index, or time since the recording's first frame (4.5s, 1:30).")
    String from;

    @Option(names = "--to", paramLabel = "FRAME|TIME", description = "Stop before this frame (index or time).")
    String to;

    @Option(names = "--speed", defaultValue = "1x", paramLabel = "1x|2x|max",
            description = "Pace relative to the recorded capture times, or max (default: ${DEFAULT-VALUE}).")
    String speed;

    @Option(names = "--as", paramLabel = "NEW_SESSION",
            description = "Session id of the replay (default: SESSION-replay-<random>).")
    String as;

    @Option(names = "--bootstrap", required = true, paramLabel = "HOST:PORT",
            description = "Kafka cluster holding the recording.")
    String bootstrap;

    @Spec
    CommandSpec spec;

    @Override
    public Integer call() throws Exception {
        StreamPosition first = from == null ? null : StreamPosition.parse("--from", from);
        StreamPosition end = to == null ? null : StreamPosition.parse("--to", to);
        ReplaySpeed pace = ReplaySpeed.parse(speed);
        String target = as != null ? as : session + "-replay-" + UUID.randomUUID().toString().substring(0, 8);
        KafkaSettings settings = KafkaSettings.of(bootstrap);
        TopicAdmin.requireReachable(settings, Duration.ofSeconds(10));
        FrameReplayer.Result result = new FrameReplayer(settings, new SimpleMeterRegistry())
                .replay(session, first, end, pace, target);
        spec.commandLine().getErr().println(String.format(Locale.ROOT,
                "replay: %d frames of %s (index %d..%d) republished as %s at %s in %.2f s",
                result.frames(), session, result.firstIndex(), result.lastIndex(), target, pace, result.seconds()));
        spec.commandLine().getOut().println(target);
        return 0;
    }
}
