package dev.shoal.identifier.stimulus;

import com.illposed.osc.BufferBytesReceiver;
import com.illposed.osc.OSCMessage;
import com.illposed.osc.OSCSerializeException;
import com.illposed.osc.OSCSerializer;
import com.illposed.osc.OSCSerializerAndParserBuilder;
import dev.shoal.core.BadInputException;
import dev.shoal.core.proto.StimulusCommand;
import java.io.Closeable;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.DatagramChannel;
import java.util.ArrayList;
import java.util.List;

/**
 * Sends each stimulus command as one OSC 1.0 message in a UDP datagram, the common convention of lab
 * stimulus software (Max, Pure Data, PsychoPy, Bonsai). Encoding is JavaOSC's serializer (Maven
 * Central {@code com.illposed.osc:javaosc-core}, the maintained Java OSC library); the datagram goes
 * through an unconnected JDK channel so that a receiver that is not up yet costs one failed send,
 * not a closed port.
 *
 * <p>Message: address {@code /shoal/RULE}, then arguments
 * {@code s session, i frame, s capture_time_ns, s decision_time_ns, f latency_ms, i identity...}.
 * Nanosecond times are decimal strings because OSC 1.0 has no 64-bit integer type.
 */
public final class OscStimulusSender implements Closeable {

    public static final String ADDRESS_PREFIX = "/shoal/";

    // OSC over UDP: one message per datagram, well under the 1,500-byte Ethernet MTU for any rule.
    private static final int MAX_DATAGRAM_BYTES = 1472;

    private final InetSocketAddress target;
    private final DatagramChannel channel;
    private final ByteBuffer buffer = ByteBuffer.allocate(MAX_DATAGRAM_BYTES);
    private final OSCSerializer serializer = new OSCSerializerAndParserBuilder().buildSerializer(new BufferBytesReceiver(buffer));

    public OscStimulusSender(InetSocketAddress target) {
        this.target = target;
        try {
            this.channel = DatagramChannel.open();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot open a UDP socket for OSC to " + target, e);
        }
    }

    /**
     * Resolves an OSC receiver's address now, so that a wrong host stops start-up.
     *
     * @param where names the option or file field for the error, e.g. "rules.yaml: osc"
     */
    public static InetSocketAddress target(String where, String host, int port) {
        if (port < 1 || port > 65535) {
            throw new BadInputException(where + ".port: " + port + " is not a UDP port; give 1..65535");
        }
        InetSocketAddress address = new InetSocketAddress(host, port);
        if (address.isUnresolved()) {
            throw new BadInputException(where + ".host: '" + host + "' cannot be resolved; give a host name or IP address of the OSC receiver");
        }
        return address;
    }

    public InetSocketAddress target() {
        return target;
    }

    /** The OSC message for a command. */
    public static OSCMessage message(StimulusCommand command) {
        List<Object> args = new ArrayList<>();
        args.add(command.getSession());
        args.add(Math.toIntExact(command.getFrame()));
        args.add(Long.toString(command.getCaptureTimeNs()));
        args.add(Long.toString(command.getDecisionTimeNs()));
        args.add((float) (command.getLatencyNs() / 1e6));
        for (long identity : command.getIdentitiesList()) {
            args.add(Math.toIntExact(identity));
        }
        return new OSCMessage(ADDRESS_PREFIX + command.getRule(), args);
    }

    /** Encodes a command as the bytes of its OSC datagram. */
    public byte[] encode(StimulusCommand command) {
        serialize(command);
        byte[] bytes = new byte[buffer.remaining()];
        buffer.get(bytes);
        return bytes;
    }

    /** Sends one datagram; called from one thread. */
    public void send(StimulusCommand command) throws IOException {
        serialize(command);
        channel.send(buffer, target);
    }

    private void serialize(StimulusCommand command) {
        buffer.clear();
        try {
            serializer.write(message(command));
        } catch (OSCSerializeException e) {
            throw new IllegalStateException("cannot encode rule " + command.getRule() + " as OSC: " + e.getMessage(), e);
        }
        buffer.flip();
    }

    @Override
    public void close() throws IOException {
        channel.close();
    }
}
