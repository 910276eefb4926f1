package dev.shoal.core;

/**
 * A problem with what the user gave us (a file, an option, an address), reported as one line that
 * names the input, what is wrong and how to fix it. Commands print the message and exit with code 2.
 */
public class BadInputException extends RuntimeException {

    public BadInputException(String message) {
        super(message);
    }

    public BadInputException(String message, Throwable cause) {
        super(message, cause);
    }
}
