package io.captainos.maven.extensions;

import org.apache.maven.artifact.handler.DefaultArtifactHandler;

/** An artifact type whose files are never put on a class path. */
abstract class FileTypeHandler extends DefaultArtifactHandler {
    FileTypeHandler(String type, String extension, String language) {
        super(type);
        setExtension(extension);
        setLanguage(language);
        setAddedToClasspath(false);
        setIncludesDependencies(false);
    }

    /** For the types whose extension is their name. */
    FileTypeHandler(String type) {
        this(type, type, "none");
    }
}
