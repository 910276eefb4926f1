package dev.shoal.identifier.stimulus;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.shoal.core.BadInputException;
import dev.shoal.core.proto.StimulusCommand;
import java.io.ByteArrayOutputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

class OscStimulusSenderTest {

    private static final StimulusCommand COMMAND = StimulusCommand.newBuilder()
            .setSession("s1").setRule("in").addIdentities(3).setFrame(7)
            .setCaptureTimeNs(1000).setDecisionTimeNs(2_500_000).setLatencyNs(2_499_000).build();

    /** An OSC 1.0 string: ASCII, at least one NUL, padded with NULs to a multiple of 4 bytes. */
    private static void oscString(DataOutputStream out, String s) throws IOException {
        byte[] bytes = s.getBytes(StandardCharsets.US_ASCII);
        out.write(bytes);
        out.write(new byte[4 - bytes.length % 4]);
    }

    @Test
    void encodesAnOsc10MessageWithPaddedStringsTypeTagsAndBigEndianNumbers() throws IOException {
        ByteArrayOutputStream expected = new ByteArrayOutputStream();
        DataOutputStream out = new DataOutputStream(expected);
        oscString(out, "/shoal/in");
        oscString(out, ",sissfi");
        oscString(out, "s1");
        out.writeInt(7);
        oscString(out, "1000");
        oscString(out, "2500000");
        out.writeFloat(2.499f);
        out.writeInt(3);

        try (OscStimulusSender sender = new OscStimulusSender(new InetSocketAddress(InetAddress.getLoopbackAddress(), 9))) {
            byte[] encoded = sender.encode(COMMAND);

            assertEquals(52, encoded.length);
            assertArrayEquals(expected.toByteArray(), encoded);
        }
    }

    @Test
    void carriesEveryIdentityOfAFiringAsOneInt32Each() throws IOException {
        StimulusCommand pair = COMMAND.toBuilder().clearIdentities().addIdentities(1).addIdentities(2).build();
        try (OscStimulusSender sender = new OscStimulusSender(new InetSocketAddress(InetAddress.getLoopbackAddress(), 9))) {
            byte[] encoded = sender.encode(pair);
            assertEquals(",sissfii", new String(encoded, 12, 8, StandardCharsets.US_ASCII));
        }
    }

    @Test
    void refusesAPortOutOfRangeAndAHostThatDoesNotResolve() {
        assertEquals("--osc.port: 0 is not a UDP port; give 1..65535",
                assertThrows(BadInputException.class, () -> OscStimulusSender.target("--osc", "localhost", 0)).getMessage());
        assertEquals("--osc.host: 'no-such-host.invalid' cannot be resolved; give a host name or IP address of the OSC receiver",
                assertThrows(BadInputException.class,
                        () -> OscStimulusSender.target("--osc", "no-such-host.invalid", 9000)).getMessage());
    }
}
