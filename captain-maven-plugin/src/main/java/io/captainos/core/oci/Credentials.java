package io.captainos.core.oci;

import java.nio.charset.StandardCharsets;
import java.util.Base64;

/**
 * A registry user and password, and where they came from (for messages). The password never appears in
 * {@link #toString()} or in any message.
 */
public record Credentials(String username, String password, String source) {
    public String basicHeader() {
        return "Basic "
                + Base64.getEncoder().encodeToString((username + ":" + password).getBytes(StandardCharsets.UTF_8));
    }

    @Override
    public String toString() {
        return "credentials from " + source;
    }
}
