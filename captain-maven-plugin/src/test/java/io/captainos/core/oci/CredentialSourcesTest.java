package io.captainos.core.oci;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.captainos.core.CaptainException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Base64;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class CredentialSourcesTest {
    private static String auth(String userPass) {
        return Base64.getEncoder().encodeToString(userPass.getBytes(StandardCharsets.UTF_8));
    }

    @Test
    void propertiesThenSettingsThenAuthFilesAndNothingMeansAnonymous(@TempDir Path home) throws Exception {
        Files.createDirectories(home.resolve(".docker"));
        Files.writeString(
                home.resolve(".docker/config.json"),
                "{\"auths\":{\"https://ghcr.io\":{\"auth\":\"" + auth("dockeruser:pa:ss") + "\"},\"quay.io\":{}}}");
        Credentials settings = new Credentials("mvnuser", "mvnpass", "settings.xml server 'ghcr.io'");

        Credentials c = CredentialSources.resolve("ghcr.io", "u", "p", settings, Map.of(), home);
        assertEquals("u", c.username());
        assertEquals(settings, CredentialSources.resolve("ghcr.io", null, null, settings, Map.of(), home));
        Credentials docker = CredentialSources.resolve("ghcr.io", "", null, null, Map.of(), home);
        assertEquals("dockeruser", docker.username());
        assertEquals("pa:ss", docker.password());
        assertNull(CredentialSources.resolve("quay.io", null, null, null, Map.of(), home));
        assertNull(CredentialSources.resolve("registry.example:5000", null, null, null, Map.of(), home));
        assertFalse(docker.toString().contains("pa:ss"), docker.toString());
    }

    @Test
    void registryAuthFileComesFirstAndDockerConfigFollowsItsVariable(@TempDir Path dir) throws Exception {
        Path podman = dir.resolve("auth.json");
        Files.writeString(podman, "{\"auths\":{\"127.0.0.1:5000\":{\"auth\":\"" + auth("podman:one") + "\"}}}");
        Path dockerDir = dir.resolve("docker");
        Files.createDirectories(dockerDir);
        Files.writeString(
                dockerDir.resolve("config.json"),
                "{\"auths\":{\"127.0.0.1:5000\":{\"auth\":\"" + auth("docker:two")
                        + "\"},\"other:1\":{\"username\":\"plain\",\"password\":\"three\"}}}");
        Map<String, String> env =
                Map.of("REGISTRY_AUTH_FILE", podman.toString(), "DOCKER_CONFIG", dockerDir.toString());
        assertEquals(
                "podman",
                CredentialSources.resolve("127.0.0.1:5000", null, null, null, env, dir)
                        .username());
        assertEquals(
                "docker",
                CredentialSources.resolve(
                                "http://127.0.0.1:5000",
                                null,
                                null,
                                null,
                                Map.of("DOCKER_CONFIG", dockerDir.toString()),
                                dir)
                        .username());
        assertEquals(
                "three",
                CredentialSources.resolve("other:1", null, null, null, env, dir).password());
    }

    @Test
    void halfACredentialOrABrokenEntryIsAClearError(@TempDir Path home) throws Exception {
        CaptainException half = assertThrows(
                CaptainException.class, () -> CredentialSources.resolve("ghcr.io", "u", null, null, Map.of(), home));
        assertTrue(half.getMessage().contains("only the user is set"), half.getMessage());
        Path file = home.resolve("bad.json");
        Files.writeString(file, "{\"auths\":{\"ghcr.io\":{\"auth\":\"%%%\"}}}");
        CaptainException bad = assertThrows(
                CaptainException.class,
                () -> CredentialSources.resolve(
                        "ghcr.io", null, null, null, Map.of("REGISTRY_AUTH_FILE", file.toString()), home));
        assertTrue(
                bad.getMessage().contains("not base64") && bad.getMessage().contains(file.toString()),
                bad.getMessage());
    }
}
