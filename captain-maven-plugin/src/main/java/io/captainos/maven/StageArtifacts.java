package io.captainos.maven;

import io.captainos.core.CaptainException;
import java.nio.file.Path;
import java.util.Arrays;
import org.apache.maven.execution.MavenSession;
import org.apache.maven.project.MavenProject;
import org.eclipse.aether.RepositorySystem;
import org.eclipse.aether.artifact.DefaultArtifact;
import org.eclipse.aether.resolution.ArtifactRequest;
import org.eclipse.aether.resolution.ArtifactResolutionException;

/**
 * The files of another stage's module, by coordinates: from the reactor when that module was built in the same
 * run, else from the local or a remote repository, so a build can use released kernels and bundles.
 */
final class StageArtifacts {
    private final RepositorySystem repositories;
    private final MavenSession session;
    private final MavenProject project;

    StageArtifacts(RepositorySystem repositories, MavenSession session, MavenProject project) {
        this.repositories = repositories;
        this.session = session;
        this.project = project;
    }

    /**
     * One file of a module.
     *
     * @param coordinates {@code groupId:artifactId:version}
     * @param property    the setting that names the coordinates, for the error message
     */
    Path resolve(String coordinates, String type, String classifier, String property) {
        String[] gav = coordinates.trim().split(":");
        if (gav.length != 3 || Arrays.stream(gav).anyMatch(String::isBlank)) {
            throw new CaptainException("'" + coordinates + "' is not groupId:artifactId:version; fix " + property);
        }
        DefaultArtifact artifact = new DefaultArtifact(gav[0], gav[1], classifier, type, gav[2]);
        try {
            return repositories
                    .resolveArtifact(
                            session.getRepositorySession(),
                            new ArtifactRequest(artifact, project.getRemoteProjectRepositories(), null))
                    .getArtifact()
                    .getFile()
                    .toPath();
        } catch (ArtifactResolutionException e) {
            throw new CaptainException(
                    "Cannot resolve " + artifact + ": build it in the same run (./mvnw install),"
                            + " install or deploy it, or point " + property + " at a released version ("
                            + e.getMessage()
                            + ")",
                    e);
        }
    }
}
