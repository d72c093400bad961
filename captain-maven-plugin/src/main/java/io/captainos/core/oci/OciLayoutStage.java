package io.captainos.core.oci;

import io.captainos.core.Arch;
import io.captainos.core.BuildLog;
import io.captainos.core.Files2;
import io.captainos.core.archive.DeterministicTar;
import io.captainos.core.oci.ArtifactImages.NamedFile;
import io.captainos.core.state.InputHash;
import io.captainos.core.state.StageOutputs;
import io.captainos.core.state.StageWork;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

/**
 * The release's OCI images written into an image layout (one image per arch and, with every arch, the combined one)
 * and packed as an {@code oci-archive} tar: the last step of a build, run through the same pipeline as the stages,
 * so an unchanged release is not written again.
 */
public final class OciLayoutStage extends StageWork {
    /** The role of the layout packed as a tar. */
    public static final String ARCHIVE = "archive";

    private final Path layout;
    private final ReleaseTags tags;
    private final ArtifactImages.Metadata metadata;
    private final Map<Arch, List<NamedFile>> files;
    private final long timestamp;
    private final String builderId;
    private final BuildLog log;

    /**
     * @param dir         the folder of the archive and of the layout's record ({@code target/})
     * @param archiveName the archive's file name in {@code dir}
     * @param layout      the layout's folder, replaced as a whole
     */
    public OciLayoutStage(
            Path dir,
            String archiveName,
            Path layout,
            ReleaseTags tags,
            ArtifactImages.Metadata metadata,
            Map<Arch, List<NamedFile>> files,
            long timestamp,
            String builderId,
            BuildLog log) {
        super(new StageOutputs(
                "oci-layout",
                null,
                "layout",
                dir,
                false,
                List.of(
                        StageOutputs.File.attached(ARCHIVE, archiveName, "tar", "oci"),
                        StageOutputs.File.kept(
                                "index",
                                dir.relativize(layout.resolve("index.json")).toString()))));
        this.layout = layout;
        this.tags = tags;
        this.metadata = metadata;
        this.files = files;
        this.timestamp = timestamp;
        this.builderId = builderId;
        this.log = log;
    }

    @Override
    public InputHash inputs() {
        InputHash inputs = stageInputs()
                .value("tag", tags.base())
                .value("metadata", metadata.toString())
                .value("timestamp", timestamp)
                .value("builder", builderId);
        files.forEach((arch, list) -> list.forEach(f -> inputs.path(arch.debian() + "/" + f.name(), f.path())));
        return inputs;
    }

    @Override
    public String plan() {
        return "writing " + layout;
    }

    @Override
    public String build() {
        Files2.deleteTree(layout);
        List<String> written =
                ReleaseImages.write(new ArtifactImages(OciLayout.create(layout), metadata, log), tags, files);
        new DeterministicTar(timestamp, 0, 1).write(layout, outputs().path(ARCHIVE));
        log.info("oci-layout: " + layout + " with " + written + "; attached as "
                + outputs().path(ARCHIVE).getFileName());
        return null;
    }
}
