package io.captainos.core.oci;

import io.captainos.core.CaptainException;

/** A registry answered with an error status; {@link #status()} lets callers tell "not there" from a failure. */
public final class RegistryException extends CaptainException {
    private final int status;

    public RegistryException(int status, String message) {
        super(message);
        this.status = status;
    }

    public int status() {
        return status;
    }
}
