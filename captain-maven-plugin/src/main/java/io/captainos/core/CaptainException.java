package io.captainos.core;

/** A build failure with a message that says what was wrong and what to do about it. */
public class CaptainException extends RuntimeException {
    public CaptainException(String message) {
        super(message);
    }

    public CaptainException(String message, Throwable cause) {
        super(message, cause);
    }
}
