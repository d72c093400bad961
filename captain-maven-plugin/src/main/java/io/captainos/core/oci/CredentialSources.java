package io.captainos.core.oci;

import io.captainos.core.CaptainException;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;

/**
 * Finds the credentials for a registry, first match wins: user/password properties, the Maven {@code <server>}
 * whose id is the registry, then the auth files other tools write ({@code REGISTRY_AUTH_FILE}, then
 * {@code $DOCKER_CONFIG/config.json} or {@code ~/.docker/config.json}). None found means anonymous access.
 */
public final class CredentialSources {
    private CredentialSources() {}

    /**
     * @param fromSettings the decrypted settings.xml server for this registry, or null
     */
    public static Credentials resolve(
            String registry,
            String username,
            String password,
            Credentials fromSettings,
            Map<String, String> env,
            Path home) {
        boolean hasUser = username != null && !username.isBlank();
        boolean hasPassword = password != null && !password.isEmpty();
        if (hasUser != hasPassword) {
            throw new CaptainException("Registry credentials need both captain.oci.username and"
                    + " captain.oci.password (or REGISTRY_USERNAME and REGISTRY_PASSWORD); only the "
                    + (hasUser ? "user" : "password") + " is set");
        }
        if (hasUser) {
            return new Credentials(username, password, "captain.oci.username/password");
        }
        if (fromSettings != null) {
            return fromSettings;
        }
        String host = host(registry);
        for (Path file : authFiles(env, home)) {
            Credentials c = fromAuthFile(file, host);
            if (c != null) {
                return c;
            }
        }
        return null;
    }

    /** {@code host[:port]} of a registry setting, without scheme or path. */
    public static String host(String registry) {
        String r = registry.trim().replaceFirst("^[a-z]+://", "");
        int slash = r.indexOf('/');
        return slash < 0 ? r : r.substring(0, slash);
    }

    static List<Path> authFiles(Map<String, String> env, Path home) {
        List<Path> files = new ArrayList<>();
        String explicit = env.get("REGISTRY_AUTH_FILE");
        if (explicit != null && !explicit.isBlank()) {
            files.add(Path.of(explicit));
        }
        String docker = env.get("DOCKER_CONFIG");
        files.add(
                docker != null && !docker.isBlank()
                        ? Path.of(docker, "config.json")
                        : home.resolve(".docker/config.json"));
        return files;
    }

    /** The entry for {@code host} in a Docker/containers auth file, or null when there is none. */
    static Credentials fromAuthFile(Path file, String host) {
        if (!Files.isRegularFile(file)) {
            return null;
        }
        byte[] bytes;
        try {
            bytes = Files.readAllBytes(file);
        } catch (IOException e) {
            throw new CaptainException("Cannot read the registry auth file " + file + ": " + e.getMessage(), e);
        }
        Object auths =
                Json.object(Json.parse(bytes, file.toString()), file.toString()).get("auths");
        if (!(auths instanceof Map<?, ?> entries)) {
            return null;
        }
        for (Map.Entry<?, ?> e : entries.entrySet()) {
            if (!host(String.valueOf(e.getKey())).equals(host) || !(e.getValue() instanceof Map<?, ?> entry)) {
                continue;
            }
            if (entry.get("auth") instanceof String auth && !auth.isEmpty()) {
                String decoded;
                try {
                    decoded = new String(Base64.getDecoder().decode(auth.trim()), StandardCharsets.UTF_8);
                } catch (IllegalArgumentException bad) {
                    throw new CaptainException("The entry for " + host + " in " + file + " has an \"auth\" value"
                            + " that is not base64; log in again with your registry tool");
                }
                int colon = decoded.indexOf(':');
                if (colon <= 0) {
                    throw new CaptainException("The entry for " + host + " in " + file
                            + " does not decode to user:password; log in again with your registry tool");
                }
                return new Credentials(decoded.substring(0, colon), decoded.substring(colon + 1), file.toString());
            }
            if (entry.get("username") instanceof String u && entry.get("password") instanceof String p) {
                return new Credentials(u, p, file.toString());
            }
        }
        return null;
    }
}
