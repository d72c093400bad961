package io.captainos.core.fetch;

import io.captainos.core.CaptainException;

/** A download or signature that does not match what it must: never used, never cached. */
public class VerificationException extends CaptainException {
    public VerificationException(String message) {
        super(message);
    }

    /** The standard message for a digest mismatch. */
    public static VerificationException digest(String what, String source, String expected, String actual) {
        return new VerificationException("SHA-256 mismatch for " + what + " from " + source + ": expected "
                + expected + ", got " + actual + ". The file was discarded; check the mirror, or the pinned digest"
                + " if you changed a version.");
    }
}
