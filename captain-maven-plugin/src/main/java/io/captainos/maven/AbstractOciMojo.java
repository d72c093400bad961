package io.captainos.maven;

import io.captainos.core.CaptainException;
import io.captainos.core.oci.ArtifactImages;
import io.captainos.core.oci.CredentialSources;
import io.captainos.core.oci.Credentials;
import io.captainos.core.oci.RegistryClient;
import io.captainos.core.oci.ReleaseTags;
import java.nio.file.Path;
import java.time.Instant;
import java.util.Arrays;
import java.util.List;
import org.apache.maven.plugins.annotations.Parameter;
import org.apache.maven.project.MavenProject;
import org.apache.maven.settings.Server;
import org.apache.maven.settings.building.SettingsProblem;
import org.apache.maven.settings.crypto.DefaultSettingsDecryptionRequest;
import org.apache.maven.settings.crypto.SettingsDecrypter;
import org.apache.maven.settings.crypto.SettingsDecryptionResult;

/** What the registry goals share: where the images go, who logs in, and the tags of this build. */
abstract class AbstractOciMojo extends AbstractCaptainMojo {
    /** The registry, {@code host[:port]} (e.g. {@code ghcr.io}); empty means no OCI publishing. */
    @Parameter(property = "captain.oci.registry", defaultValue = "")
    protected String registry;

    /** The repository in the registry that holds the images. */
    @Parameter(property = "captain.oci.repository", defaultValue = "tinkerbell/captain/artifacts")
    protected String repository;

    /** Registry user (else env {@code REGISTRY_USERNAME}, settings.xml, or the Docker/containers auth file). */
    @Parameter(property = "captain.oci.username")
    protected String username;

    /** Registry password or token (else env {@code REGISTRY_PASSWORD}); never logged. */
    @Parameter(property = "captain.oci.password")
    protected String password;

    /** The settings.xml {@code <server>} id with the registry's credentials; the registry host by default. */
    @Parameter(property = "captain.oci.serverId")
    protected String serverId;

    /** The combined image's tag, overriding {@code vX.Y.Z-<sha7>} from git; per-arch tags add {@code -<arch>}. */
    @Parameter(property = "captain.oci.tag")
    protected String tag;

    /** The {@code org.opencontainers.image.source} annotation; the top-level project's URL by default. */
    @Parameter(property = "captain.oci.source")
    protected String source;

    @Parameter(defaultValue = "${project.build.directory}", readonly = true)
    protected String buildDirectory;

    /** Attempts per request before giving up (5xx, 429, timeouts and I/O errors are retried). */
    @Parameter(property = "captain.oci.attempts", defaultValue = "5")
    protected int attempts;

    protected final SettingsDecrypter decrypter;

    AbstractOciMojo(SettingsDecrypter decrypter) {
        this.decrypter = decrypter;
    }

    protected boolean hasRegistry() {
        return registry != null && !registry.isBlank();
    }

    protected RegistryClient client() {
        if (!hasRegistry()) {
            throw new CaptainException("No registry set: pass -Dcaptain.oci.registry=<host[:port]> (e.g. ghcr.io)");
        }
        RegistryClient.Options defaults = RegistryClient.Options.defaults();
        return new RegistryClient(
                registry,
                repository,
                credentials(),
                new RegistryClient.Options(
                        Math.max(1, attempts),
                        defaults.backoff(),
                        defaults.timeout(),
                        defaults.chunkSize(),
                        defaults.monolithicLimit()),
                log());
    }

    private Credentials credentials() {
        String host = CredentialSources.host(registry);
        String id = serverId == null || serverId.isBlank() ? host : serverId.trim();
        Credentials fromSettings = null;
        Server server =
                session.getSettings() == null ? null : session.getSettings().getServer(id);
        if (server != null) {
            SettingsDecryptionResult r = decrypter.decrypt(new DefaultSettingsDecryptionRequest(server));
            for (SettingsProblem p : r.getProblems()) {
                if (p.getSeverity() != SettingsProblem.Severity.WARNING) {
                    throw new CaptainException("Cannot decrypt the password of server '" + id + "' in settings.xml: "
                            + p.getMessage() + " (check ~/.m2/settings-security.xml)");
                }
            }
            Server s = r.getServer();
            if (s.getUsername() != null && s.getPassword() != null) {
                fromSettings = new Credentials(s.getUsername(), s.getPassword(), "settings.xml server '" + id + "'");
            }
        }
        String user = blank(username) ? System.getenv("REGISTRY_USERNAME") : username;
        String pass = blank(password) ? System.getenv("REGISTRY_PASSWORD") : password;
        return CredentialSources.resolve(
                registry, user, pass, fromSettings, System.getenv(), Path.of(System.getProperty("user.home")));
    }

    private static boolean blank(String s) {
        return s == null || s.isBlank();
    }

    /**
     * The annotations of this build's images, from the top-level project (a module's URL has its artifactId
     * appended by inheritance).
     */
    protected ArtifactImages.Metadata metadata(ReleaseTags tags) {
        MavenProject top = session.getTopLevelProject();
        String url = source != null && !source.isBlank() ? source.trim() : top == null ? null : top.getUrl();
        String licenses = top == null
                ? null
                : top.getLicenses().stream()
                        .map(l -> l.getName())
                        .reduce((a, b) -> a + " AND " + b)
                        .orElse(null);
        String vendor = top == null || top.getOrganization() == null
                ? "CaptainOS"
                : top.getOrganization().getName();
        return new ArtifactImages.Metadata(
                Instant.ofEpochSecond(timestamp()).toString(),
                url,
                tags.revision(),
                tags.base(),
                "CaptainOS: vmlinuz, initramfs, ISO and sha256sums of an in-memory provisioning OS",
                vendor,
                licenses);
    }

    /** Where {@code captain:oci-layout} writes the layout that {@code captain:publish} pushes. */
    protected Path builtLayout() {
        return Path.of(buildDirectory, "oci-layout");
    }

    protected ReleaseTags tags() {
        return ReleaseTags.resolve(root(), tag);
    }

    protected static List<String> list(String commaSeparated) {
        return commaSeparated == null
                ? List.of()
                : Arrays.stream(commaSeparated.split(","))
                        .map(String::trim)
                        .filter(s -> !s.isEmpty())
                        .toList();
    }
}
